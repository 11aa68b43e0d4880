"""``drive-sim fit`` and ``drive-sim synth``: a scenario from a site's case export, and back.

``fit`` calibrates a scenario to a site's anonymised case export; ``synth`` writes that
export's format from the model, so the fit can be tested round trip.

Both commands check everything before writing anything, and write each output atomically
(a temporary file in the same folder, then ``os.replace``), so bad input leaves no file.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from drive_sim.calibration.fit import SiteFit

__all__ = ["fit", "register", "synth", "write_atomically"]


def register(app: typer.Typer) -> None:
    """Add the ``fit`` and ``synth`` commands to the ``drive-sim`` app."""
    from drive_sim.cli.common import examples

    app.command(
        "fit",
        epilog=examples(
            "drive-sim fit scenarios/examples/sample_cases.csv --out our-site.toml",
            "drive-sim fit scenarios/examples/sample_cases.csv --out our-site.toml --base scenarios/site5.toml --force",
            "drive-sim check our-site.toml",
        ),
    )(fit)
    app.command(
        "synth",
        epilog=examples(
            "drive-sim synth --out cases.csv",
            "drive-sim synth scenarios/site6.toml --out cases.csv --replication 2 --force",
            "drive-sim fit cases.csv --out fitted.toml",
        ),
    )(synth)


def _fail(*messages: str) -> NoReturn:
    from drive_sim.cli.terminal import printable

    for message in messages:
        typer.echo(printable(message), err=True)
    raise typer.Exit(code=2)


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _check_outputs(paths: list[Path], inputs: list[Path | None], force: bool = False) -> None:
    """Refuse outputs that cannot be written, that repeat, that are inputs, or that exist (unless ``force``)."""
    problems = [f"{path}: the folder {path.parent} does not exist" for path in paths if not path.parent.is_dir()]
    problems += [f"{path}: is a folder, not a file" for path in paths if path.is_dir()]
    existing = [path for path in paths if path.is_file() and not any(s and _same_file(path, s) for s in inputs)]
    if not force:
        problems += [
            f"{path}: already exists; drive-sim replaces a file only when asked: give another name, "
            "or add --force to replace it"
            for path in existing
        ]
    problems += [
        f"{path}: is also an input ({source}); an output may never be an input, so give another file to write"
        for path in paths
        for source in inputs
        if source is not None and _same_file(path, source)
    ]
    if any(_same_file(a, b) for k, a in enumerate(paths) for b in paths[k + 1 :]):
        problems.append(f"the outputs must be different files: {', '.join(map(str, paths))}")
    if problems:
        _fail(*problems)


def write_atomically(outputs: list[tuple[Path, str]]) -> None:
    """Write every text to a temporary file beside its target, then move each into place."""
    from drive_sim.runs.store import shareable_mode

    temporary: list[tuple[str, Path]] = []
    try:
        for path, text in outputs:
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temporary.append((name, path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                file.write(text)
            os.chmod(name, shareable_mode())
        for name, path in temporary:
            os.replace(name, path)
    finally:
        for name, _ in temporary:
            if os.path.exists(name):
                os.remove(name)


def _write(outputs: list[tuple[Path, str]]) -> None:
    try:
        write_atomically(outputs)
    except OSError as error:
        typer.echo(f"{error.filename or 'output'}: cannot write ({error.strerror})", err=True)
        raise typer.Exit(code=1) from None


def _as_of(value: str | None) -> dt.date | None:
    from drive_sim.calibration.casefile import EARLIEST_DATE, LATEST_DATE

    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of {value!r}: not a date in YYYY-MM-DD form")
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        _fail(f"--as-of {value}: outside the range of dates read ({EARLIEST_DATE} to {LATEST_DATE})")
    return day


def fit(
    cases: Annotated[
        Path, typer.Argument(help="The site's anonymised case export (CSV; see the README for its columns).")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Scenario file to write (TOML).")],
    report: Annotated[
        Path | None, typer.Option("--report", help="HTML fit report to write (default: --out with .html).")
    ] = None,
    non_drive: Annotated[
        Path | None,
        typer.Option("--non-drive", help="Non-Drive referrals per IDVA and month (CSV: month, idva_id, referrals)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Date open cases are censored at, YYYY-MM-DD (default: the latest date in the file)."
        ),
    ] = None,
    base: Annotated[
        Path | None,
        typer.Option(
            "--base",
            help="Scenario the fitted values go into (default: the default site). Its gate policy, contact "
            "strategy and already-supported share say how the data are read.",
        ),
    ] = None,
    drive_idva: Annotated[
        list[str] | None,
        typer.Option("--drive-idva", help="With --non-drive: an IDVA id that is a named Drive IDVA (repeatable)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the bootstrap intervals.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace output files that already exist.")] = False,
) -> None:
    """Fit a scenario to a site's anonymised case export; write it with an HTML fit report."""
    from drive_sim.calibration.casefile import CaseFileError, read_cases, read_non_drive
    from drive_sim.calibration.fit import fit_site
    from drive_sim.calibration.fit_report import build_report, scenario_toml
    from drive_sim.scenario import ScenarioError, read_scenario_data, scenario_from_dict

    report = report or out.with_suffix(".html")
    _check_outputs([out, report], [cases, non_drive, base], force)
    cutoff = _as_of(as_of)
    problems: list[str] = []
    base_data, base_source, scenario = {}, "the default site", None
    try:
        base_data, base_source = read_scenario_data(base)
        base_source = base_source if base else "the default site"
        scenario = scenario_from_dict(base_data, base_source)
    except ScenarioError as error:
        problems.append(str(error))
    export = nd = None
    try:
        export = read_cases(cases, cutoff)
    except CaseFileError as error:
        problems.append(str(error))
    if non_drive is not None:
        try:
            nd = read_non_drive(non_drive)
        except CaseFileError as error:
            problems.append(str(error))
    if problems or export is None:
        _fail(*problems)
    result = fit_site(export, nd, scenario, seed)
    try:
        text = scenario_toml(result, base_data, base_source, drive_idva or ())
    except ScenarioError as error:
        _fail(str(error))
    _write([(out, text), (report, build_report(result))])
    typer.echo(f"Wrote the fitted scenario to {out} and the fit report to {report}.")
    for line in _summary(result):
        typer.echo(line)


def _summary(result: SiteFit) -> list[str]:
    from drive_sim.calibration.fit import count_text

    lines = [f"{result.source}: {count_text(result.cases)} cases as of {result.as_of}."]
    if result.referrals is not None:
        r = result.referrals.per_year
        lines.append(f"Referral rate: {r.value:.1f} cases a year (95% CI {r.low:.1f} to {r.high:.1f}).")
    if result.cm_duration is not None:
        d = result.cm_duration
        lines.append(
            f"CM intervention: {d.family}, mean {d.mean.value:.0f} days (95% CI {d.mean.low:.0f} to {d.mean.high:.0f})."
        )
    lines += [f"Not fitted: {note}." for note in result.notes]
    return lines


def synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Case export to write (CSV).")],
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario file (TOML). Leave out for the default site.", show_default=False)
    ] = None,
    replication: Annotated[int, typer.Option("--replication", min=0, help="Which replication to export.")] = 0,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Master seed (default: run.seed).")] = None,
    non_drive_out: Annotated[
        Path | None, typer.Option("--non-drive-out", help="Also write non-Drive referrals per IDVA and month (CSV).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace output files that already exist.")] = False,
) -> None:
    """Write the case export a site running this scenario would produce, for testing `fit`."""
    from drive_sim.calibration.casefile import cases_from_output, format_cases, format_non_drive, non_drive_from_output
    from drive_sim.model import simulate
    from drive_sim.scenario import ScenarioError, load_scenario

    _check_outputs([out, *([non_drive_out] if non_drive_out else [])], [scenario], force)
    try:
        resolved = load_scenario(scenario, {"run.seed": seed} if seed is not None else None)
    except ScenarioError as error:
        _fail(str(error))
    output = simulate(resolved, replication)
    start = resolved.site.start_date
    rows = cases_from_output(output, start)
    outputs = [(out, format_cases(rows))]
    if non_drive_out is not None:
        outputs.append((non_drive_out, format_non_drive(non_drive_from_output(output, start))))
    _write(outputs)
    end = start + dt.timedelta(days=int(resolved.site.horizon_days))
    typer.echo(
        f"Wrote {len(rows)} cases of {resolved.site.name} (replication {replication}, "
        f"seed {resolved.run.seed}) to {out}"
        + (f" and non-Drive referrals to {non_drive_out}" if non_drive_out else "")
        + f". The run ends on {end}: fit with --as-of {end}."
    )
