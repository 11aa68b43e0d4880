"""``drive-sim init`` and ``diff``: a scenario file of your own, and how two files differ once resolved."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from drive_sim.cli.common import console, examples, fail
from drive_sim.cli.terminal import printable

__all__ = ["diff", "file_settings", "init", "register"]

SCENARIOS = Path("scenarios")


def _like_path(like: str) -> Path:
    """``site5`` -> ``scenarios/site5.toml``; a path is used as given."""
    path = Path(like)
    if path.suffix != ".toml" and not path.exists():
        path = SCENARIOS / f"{like}.toml"
    return path


def init(
    path: Annotated[Path, typer.Argument(help="The new scenario file to write, e.g. our-site.toml.")],
    like: Annotated[
        str | None,
        typer.Option(
            "--like",
            help="Start from this scenario: a file, or a name in scenarios/ (site1 ... site6, spread_all, "
            "two_drive_idvas). Default: the default site.",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The site's name (default: from the file's name).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a commented scenario file a planner edits: the keys a site sets first, the rest listed."""
    from drive_sim.scenario import ScenarioError
    from drive_sim.scenario.starter import starter_text

    if path.suffix != ".toml":
        fail(f"{path}: give a .toml file name, e.g. our-site.toml")
    if path.exists() and not force:
        fail(f"{path}: exists; drive-sim will not overwrite it (add --force to replace it, or choose another name)")
    if path.exists() and not path.is_file():
        fail(f"{path}: is not a file")
    if not path.parent.exists():
        fail(f"{path}: the folder {path.parent} does not exist")
    source = _like_path(like) if like is not None else None
    if source is not None and not source.exists():
        fail(f"--like {like}: no such scenario file ({source}); see scenarios/ for the study's sites")
    title = name or path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Our site"
    try:
        text = starter_text(source, name=title)
    except ScenarioError as error:
        fail(str(error))
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    start = f"a copy of {source}" if source is not None else "the default site"
    console.print(printable(f"Wrote {path}: {title}, starting from {start}."), markup=False)
    console.print(
        printable(f"Edit it, then: drive-sim check {path}  and  drive-sim run {path}"),
        markup=False,
    )


def diff(
    first: Annotated[Path, typer.Argument(help="A scenario file.")],
    second: Annotated[Path, typer.Argument(help="Another scenario file.")],
) -> None:
    """The resolved values two scenario files differ in, each with its source (the file's line, or the default)."""
    from rich.table import Table

    from drive_sim.scenario import ScenarioError
    from drive_sim.scenario.diff import scenario_diff

    try:
        differences = scenario_diff(first, second)
    except ScenarioError as error:
        fail(str(error))
    if not differences:
        console.print(printable(f"{first} and {second} resolve to the same site: no value differs."), markup=False)
        return
    console.print(printable(f"{first} and {second} differ in {len(differences)} resolved value(s):"), markup=False)
    table = Table(box=None, pad_edge=False)
    for column in ("Key", first.name, second.name):
        table.add_column(printable(column), overflow="fold")
    for d in differences:
        table.add_row(
            printable(d.path),
            printable(f"{d.first} ({d.first_source})" if d.first_source else d.first),
            printable(f"{d.second} ({d.second_source})" if d.second_source else d.second),
        )
    console.print(table)


def file_settings(path: Path) -> list[str]:
    """``check``'s account of what a file sets: its keys by section, and what it leaves to the defaults."""
    import re

    from drive_sim.scenario.diff import resolved_values

    _, values = resolved_values(path)
    given: dict[str, dict[str, set[int]]] = {}
    defaults = 0
    for value in values:
        if value.source == "default":
            defaults += 1
            continue
        section, _, rest = value.path.partition(".")
        key = rest.split(".")[0]
        item = re.match(r"^(\w+)\[(\d+)\]$", key)
        name, index = (item[1], int(item[2])) if item else (key, -1)
        given.setdefault(section, {}).setdefault(name, set()).add(index)
    if not given:
        return [f"The file sets nothing: every value ({defaults}) is drive-sim's default (the default site)."]

    def words(name: str, items: set[int]) -> str:
        count = len(items - {-1})
        return f"{name} ({count} {'entry' if count == 1 else 'entries'})" if count else name

    sections = "; ".join(
        f"[{section}] {', '.join(words(name, items) for name, items in keys.items())}"
        for section, keys in given.items()
    )
    return [f"The file sets: {sections}.", f"Everything else ({defaults} values) is drive-sim's default."]


def register(app: typer.Typer) -> None:
    """Add ``init`` and ``diff`` to the app."""
    app.command(
        epilog=examples(
            "drive-sim init our-site.toml",
            "drive-sim init our-site.toml --like site5 --name 'North Shire'",
        ),
    )(init)
    app.command(
        epilog=examples(
            "drive-sim diff scenarios/site5.toml scenarios/site6.toml",
            "drive-sim diff scenarios/site1.toml scenarios/two_drive_idvas.toml",
        ),
    )(diff)
