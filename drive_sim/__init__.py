"""drive-sim: IDVA and Case Manager capacity at Drive sites, as a discrete-event simulation."""

__version__ = "0.1.0"
