"""Write the reference pages from the code when the site is built (mkdocs-gen-files).

Nothing generated is committed: the scenario, command and KPI references are read from
the pydantic schema, the typer app and the KPI table every time ``mkdocs build`` runs.
"""

import mkdocs_gen_files

from drive_sim.cli.reference import command_reference_markdown
from drive_sim.report.reference import kpi_reference_markdown
from drive_sim.scenario.reference import scenario_reference_markdown

PAGES = {
    "reference/scenario.md": (scenario_reference_markdown, "drive_sim/scenario/schema.py"),
    "reference/commands.md": (command_reference_markdown, "drive_sim/cli/__init__.py"),
    "reference/kpis.md": (kpi_reference_markdown, "drive_sim/analysis/metrics.py"),
}

for page, (write, source) in PAGES.items():
    with mkdocs_gen_files.open(page, "w") as out:
        out.write(write())
    mkdocs_gen_files.set_edit_path(page, source)
