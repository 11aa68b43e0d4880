"""The rich progress bar itself, imported only when a bar is shown on a terminal.

``rich.progress`` and ``rich.table`` cost tens of milliseconds to import; commands that
never show a bar (``check``, ``--help``, anything writing to a pipe) do not pay for them.
The counter that callers hold is :class:`drive_sim.cli.terminal.ProgressBar`.
"""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.table import Column
from rich.text import Text

__all__ = ["TimeColumn", "new_bar"]


def _clock(seconds: float) -> str:
    return str(dt.timedelta(seconds=max(0, int(seconds))))


class TimeColumn(ProgressColumn):
    """'elapsed 0:00:07, about 0:00:03 left' (the estimate once there is one)."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        left = task.time_remaining
        words = f"elapsed {_clock(elapsed or 0)}"
        if left is not None and not task.finished:
            words += f", about {_clock(left)} left"
        return Text(words, style="progress.elapsed")


def new_bar(console: Console) -> Progress:
    """A replications bar on ``console``, refreshed by hand (no thread) and removed when done."""
    return Progress(  # the description and the bar give way first, so the times always show
        TextColumn("{task.description}", table_column=Column(no_wrap=True, overflow="ellipsis", ratio=2)),
        BarColumn(bar_width=None, table_column=Column(ratio=1, min_width=5)),
        MofNCompleteColumn(),
        TextColumn("replications"),
        TimeColumn(table_column=Column(no_wrap=True)),
        console=console,
        transient=True,
        auto_refresh=False,
        expand=True,
    )
