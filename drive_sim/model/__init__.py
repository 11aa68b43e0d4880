"""The SimPy world of a Drive site. The engine: no files, tables, plots or terminals."""

from drive_sim.model.site import SiteModel, expand_team, simulate

__all__ = ["SiteModel", "expand_team", "simulate"]
