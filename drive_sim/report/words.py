"""The answer in words: what a commissioner reads first, with numbers and uncertainty.

Functions here turn prepared frames (:mod:`drive_sim.report.data`) into plain-English
sentences. They return plain strings; the page escapes them. "Client" is the
victim/survivor an IDVA supports; "service user" the person a Case Manager works with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from drive_sim.report.labels import label_words
from drive_sim.scenario import Scenario

__all__ = ["Answer", "choose", "compare_answer", "run_answer", "size_answer", "target_words", "years_text"]

_SMALL = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
MIN_REPLICATIONS = 10


@dataclass
class Answer:
    """A verdict (one sentence), the supporting sentences, and cautions about precision."""

    verdict: str
    points: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)


def _number(value: float, digits: int = 0) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _pct(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.0f}%"


def _range(low: float, high: float, digits: int = 0, percent: bool = False) -> str:
    if any(v is None or math.isnan(v) for v in (low, high)):
        return "interval not available"
    if percent:
        return f"95% CI {_pct(low)}–{_pct(high)}"
    return f"95% CI {_number(low, digits)}–{_number(high, digits)}"


def _count(n: int) -> str:
    return _SMALL.get(n, str(n))


def years_text(days: float) -> str:
    """'3 years', '1 year', '2.5 years'."""
    years = days / 365
    if abs(years - round(years)) < 0.05:
        return "1 year" if round(years) == 1 else f"{round(years)} years"
    return f"{years:.1f} years"


def _money(value: float) -> str:
    return "–" if math.isnan(value) else f"£{value:,.0f}"


def _row(frame: pd.DataFrame, kpi: str, scope: str) -> Mapping[str, float] | None:
    found = frame[(frame["kpi"] == kpi) & (frame["scope"] == scope)]
    return None if found.empty else found.iloc[0].to_dict()


def _mean(frame: pd.DataFrame, kpi: str, scope: str) -> float:
    row = _row(frame, kpi, scope)
    return math.nan if row is None else float(row["mean"])


def _drive_idvas(scenario: Scenario) -> tuple[int, str, str, str]:
    """How many named Drive IDVAs, and how to speak of them: (count, subject, verb, pronoun)."""
    count = sum(i.count for i in scenario.teams.idvas if i.role == "drive")
    if count == 1:
        return 1, "the named Drive IDVA", "holds", "she is"
    if count == 0:
        return 0, "IDVAs holding Drive cases", "hold", "they are"
    return count, f"the {_count(count)} Drive IDVAs", "each hold", "they are"


def _caseload_sentence(card: Mapping, summary: pd.DataFrame, scenario: Scenario) -> str:
    _, subject, verb, pronoun = _drive_idvas(scenario)
    scope = card["drive_scope"]
    mean, guidance = card["drive_mean"], card["drive_guidance"]
    ci = _range(card["drive_low"], card["drive_high"])
    if mean > guidance:
        against = f"{mean / guidance:.1f} times the SafeLives guidance-equivalent of {guidance:g} per FTE"
    else:
        against = f"within the SafeLives guidance-equivalent of {guidance:g} per FTE ({mean / guidance:.0%} of it)"
    share = _mean(summary, "weeks_above_guidance_share", scope)
    longest = _mean(summary, "longest_run_above_guidance_weeks", scope)
    peak = _mean(summary, "open_cases_per_fte_peak", scope)
    sentence = (
        f"At {scenario.referrals.annual_rate:g} Drive cases a year, {subject} {verb} on average "
        f"{_number(mean)} open cases per FTE ({ci}), {against}; {pronoun} above guidance in {_pct(share)} of weeks"
    )
    if longest >= 1:
        sentence += f", for up to {_number(longest)} weeks in a row"
    return sentence + f", with a peak of {_number(peak)} per FTE."


def _first_contact_sentence(summary: pd.DataFrame, needed: pd.DataFrame, scenario: Scenario) -> str:
    target = scenario.guidance.first_contact_days
    share_needed = _mean(needed, "needed_share", "site")
    median = _row(needed, "needed_median_days", "site")
    p90 = _mean(needed, "needed_p90_days", "site")
    within = _mean(summary, "first_contact_within_target_share", "site")
    parts = []
    if not math.isnan(share_needed) and share_needed < 1:
        parts.append(
            f"{_pct(1 - share_needed)} of clients already know an IDVA (through MARAC or existing support) "
            "and need no first contact."
        )
    if median is not None and not math.isnan(median["mean"]):
        parts.append(
            f"The rest wait a median of {_number(median['mean'])} days for first contact "
            f"({_range(median['ci_low'], median['ci_high'])}); 1 in 10 of them waits more than {_number(p90)} days."
        )
    parts.append(f"Counting every client, {_pct(within)} are contacted within the {target:g}-day target.")
    return " ".join(parts)


def _burnout_sentence(summary: pd.DataFrame, card: Mapping, scenario: Scenario, replications: int) -> str:
    horizon = years_text(scenario.site.horizon_days)
    leavers = _mean(summary, "idva_leavers", "site")
    vacancy = _mean(summary, "vacancy_days", "group:idva")
    shortfall = _mean(summary, "support_shortfall_share", "group:idva")
    return (
        f"The chance that at least one IDVA burns out over {horizon} is {_pct(card['burnout_mean'])} "
        f"({_range(card['burnout_low'], card['burnout_high'], percent=True)}, from {replications} replications). "
        f"On average {_number(leavers, 1)} IDVAs leave, IDVA posts stand vacant for {_number(vacancy)} days in all, "
        f"and {_pct(shortfall)} of the support hours clients need go undelivered."
    )


def _verdict(card: Mapping, scenario: Scenario) -> str:
    _, subject, verb, _ = _drive_idvas(scenario)
    missed, borderline = [], []
    for group, who in (("drive", f"{subject} {verb.replace('each ', '')}"), ("wider", "the wider IDVA team holds")):
        if card.get(f"{group}_status") in ("above", "borderline"):
            ratio = card[f"{group}_mean"] / card[f"{group}_guidance"]
            text = f"{who} {ratio:.1f} times the guidance caseload"
            (missed if card[f"{group}_status"] == "above" else borderline).append(text)
    if card["first_contact_status"] in ("above", "borderline"):
        text = (
            f"1 in 10 clients waits more than {_number(card['first_contact_mean'])} days for first contact "
            f"(target {card['first_contact_guidance']:g})"
        )
        (missed if card["first_contact_status"] == "above" else borderline).append(text)
    if card["cm_caseload_status"] in ("above", "borderline"):
        text = (
            f"Case Managers hold {_number(card['cm_caseload_mean'], 1)} open cases per FTE "
            f"(guidance {card['cm_caseload_guidance']:g})"
        )
        (missed if card["cm_caseload_status"] == "above" else borderline).append(text)
    if missed:
        return f"This staffing does not meet guidance: {'; '.join(missed)}."
    if borderline:
        return f"This staffing is on the edge of guidance: {'; '.join(borderline)}, within the uncertainty."
    return (
        "This staffing meets guidance: IDVA and Case Manager caseloads are within guidance and 9 in 10 clients "
        f"are contacted within the {card['first_contact_guidance']:g}-day target."
    )


def _cautions(replications: int, command: str) -> list[str]:
    if replications >= MIN_REPLICATIONS:
        return []
    rerun = re.sub(r"\s(--reps|-r)(=|\s+)\d+", "", f" {command}").strip() or "drive-sim run"
    return [
        f"Based on only {replications} replications, so the intervals are wide. Run at least {MIN_REPLICATIONS * 5} "
        f"(for example: {rerun} --reps 50) before relying on these numbers."
    ]


def run_answer(
    summary: pd.DataFrame,
    needed: pd.DataFrame,
    card: Mapping,
    scenario: Scenario,
    replications: int,
    command: str = "",
) -> Answer:
    """The answer for one scenario.

    Args:
        summary: Its KPI summary (:func:`drive_sim.analysis.stats.summarise`).
        needed: :func:`drive_sim.report.data.first_contact_summary` of its cases.
        card: Its row of :func:`drive_sim.report.data.scorecard`.
        scenario: The scenario (for the referral rate, guidance and team).
        replications: How many replications the run kept.
        command: The command that made the results, for advice on rerunning.
    """
    points = [
        _caseload_sentence(card, summary, scenario),
        _first_contact_sentence(summary, needed, scenario),
        _burnout_sentence(summary, card, scenario, replications),
    ]
    wider = card.get("wider_mean", math.nan)
    cm = (
        f"Case Managers hold {_number(card['cm_caseload_mean'], 1)} open cases per FTE on average "
        f"({_range(card['cm_caseload_low'], card['cm_caseload_high'], 1)}; guidance {card['cm_caseload_guidance']:g})"
    )
    if not math.isnan(wider):
        cm += f"; the wider IDVA team holds {_number(wider, 1)} per FTE, Drive and non-Drive cases together"
    points.append(cm + ".")
    drive_cost = _mean(summary, "drive_idva_annual_cost", "site")
    cost = f"This staffing costs {_money(card['cost'])} a year with on-costs"
    points.append(cost + _drive_cost_words(drive_cost, scenario))
    added = drive_added_sentence(drive_added_row(summary))
    verdict = _verdict(card, scenario)
    return Answer(f"{added} {verdict}" if added else verdict, points, _cautions(replications, command))


def _drive_cost_words(drive_cost: float, scenario: Scenario) -> str:
    """What the "Drive IDVA" share of the cost counts: named posts, or every IDVA post when all hold Drive cases."""
    if not drive_cost > 0:
        return "."
    idvas = scenario.teams.idvas
    if all(i.role == "drive" for i in idvas) and any(i.non_drive_referrals_per_year > 0 for i in idvas):
        return (
            f", {_money(drive_cost)} of it for the IDVA posts. Every IDVA here holds Drive cases beside "
            "business-as-usual work, so that is the cost of the whole IDVA team, not of Drive alone: "
            "the FTE Drive adds (above) is the Drive share."
        )
    return f", {_money(drive_cost)} of it for the named Drive IDVA posts."


def drive_added_row(summary: pd.DataFrame) -> dict[str, float]:
    """A run summary's Drive-added FTE and business-as-usual caseload, as :func:`drive_added_sentence` reads them."""
    added = _row(summary, "drive_added_fte", "site") or {}
    bau = _row(summary, "bau_idva_caseload_vs_guidance", "site") or {}
    return {
        "drive_added_fte": added.get("mean", math.nan),
        "drive_added_fte_low": added.get("ci_low", math.nan),
        "drive_added_fte_high": added.get("ci_high", math.nan),
        "bau_caseload_vs_guidance": bau.get("mean", math.nan),
    }


def _extremes(cards: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    valid = cards[cards[column].notna()]
    return valid.loc[valid[column].idxmin()], valid.loc[valid[column].idxmax()]


def choose(cards: pd.DataFrame) -> tuple[int | None, bool]:
    """The position of the scenario to recommend, and whether it meets every target.

    The cheapest scenario whose means meet all three targets (ties: the lower Drive IDVA
    caseload); if none does, the one meeting most targets, then the lowest caseload.
    """
    if cards.empty:
        return None, False
    full = cards[cards["targets_met"] == 3]
    if len(full):
        best = full.sort_values(["cost", "idva_caseload_mean"], kind="stable").index[0]
        return int(cards.index.get_loc(best)), True
    best = cards.sort_values(["targets_met", "idva_caseload_mean"], ascending=[False, True], kind="stable").index[0]
    return int(cards.index.get_loc(best)), False


def compare_answer(
    cards: pd.DataFrame,
    differences: pd.DataFrame | None,
    baseline: str,
    replications: int,
    horizon_days: float,
    command: str = "",
    noun: str = "scenario",
    *,
    scenario: Scenario | None = None,
) -> Answer:
    """The answer for a comparison: which scenario to choose, and how the others differ.

    A sweep point's label (``teams.idvas[0].count=2, backdating.months=3``) is said in
    words ("Drive IDVAs 2, backdated 3 months", :func:`drive_sim.report.labels.label_words`);
    a scenario's name is said as it is.

    Args:
        cards: :func:`drive_sim.report.data.scorecard` of every scenario, baseline first.
        differences: Paired differences against the baseline (``differences`` table), if kept.
        baseline: The baseline's label.
        replications: Replications per scenario.
        horizon_days: Length of each replication.
        command: The command that made the results.
        noun: What the rows are ("scenario", or "level" in a sweep).
        scenario: The scenario whose team names a sweep label's groups (default: the default site's).
    """
    names = {label: label_words(str(label), scenario) for label in cards["label"]} if len(cards) else {}
    if differences is not None and len(differences):
        differences = differences.assign(scenario=differences["scenario"].map(lambda x: names.get(x, x)))
    cards = cards.assign(label=cards["label"].map(names)) if len(cards) else cards
    baseline = label_words(baseline, scenario)
    k = len(cards)
    position, meets_all = choose(cards)
    points = [
        f"{_count(k).capitalize()} {noun}s were run on the same {replications} replications of "
        f"{years_text(horizon_days)} of simulated cases, so the differences come from the {noun}s, not from chance."
    ]
    if position is None:
        return Answer("No results to compare.", points)
    chosen = cards.iloc[position]
    detail = (
        f"its Drive IDVAs hold {_number(chosen['drive_mean'], 1)} open cases per FTE "
        f"({_range(chosen['drive_low'], chosen['drive_high'], 1)}; guidance {chosen['drive_guidance']:g})"
        + (
            f" and its wider IDVA team {_number(chosen['wider_mean'], 1)}"
            if not math.isnan(chosen["wider_mean"])
            else ""
        )
        + ", 1 in 10 clients waits more than "
        f"{_number(chosen['first_contact_mean'])} days for first contact "
        f"(target {chosen['first_contact_guidance']:g}), "
        f"and Case Managers hold {_number(chosen['cm_caseload_mean'], 1)} per FTE"
    )
    if meets_all:
        others = cards[(cards["targets_met"] == 3) & (cards["label"] != chosen["label"])]
        which = (
            f"the cheapest of the {len(others) + 1} that meet all three targets"
            if len(others)
            else "the only one that meets all three targets"
        )
        verdict = (
            f"Recommended: {chosen['label']}. Of the {k} {noun}s it is {which}, at {_money(chosen['cost'])} a year "
            f"in staff: {detail}."
        )
        if len(others):
            names = "; ".join(f"{r['label']} ({_money(r['cost'])})" for _, r in others.iterrows())
            points.append(f"Also meeting all three targets, at a higher cost: {names}.")
    else:
        met = int(chosen["targets_met"])
        tied = int((cards["targets_met"] == met).sum())
        why = (
            f"it meets the most targets ({met} of 3)"
            if tied == 1
            else f"of the {tied} {noun}s meeting {met} of 3, its Drive IDVAs hold the fewest open cases per FTE"
        )
        verdict = (
            f"No {noun} meets all three targets. Closest: {chosen['label']}, meeting "
            f"{met} of 3 at {_money(chosen['cost'])} a year: {detail}. It ranks first because {why}."
        )
    low, high = _extremes(cards, "drive_mean")
    within = int((cards["drive_mean"] <= cards["drive_guidance"]).sum())
    points.append(
        f"Drive IDVA open cases per FTE range from {_number(low['drive_mean'], 1)} ({low['label']}) to "
        f"{_number(high['drive_mean'], 1)} ({high['label']}), against guidance of "
        f"{low['drive_guidance']:g}; {within} of {k} keep them within guidance on average."
    )
    if cards["wider_mean"].notna().any():
        wide_low, wide_high = _extremes(cards, "wider_mean")
        points.append(
            f"Where Drive work moves to the wider IDVA team its caseload rises: wider-team open cases per FTE range "
            f"from {_number(wide_low['wider_mean'], 1)} ({wide_low['label']}) to {_number(wide_high['wider_mean'], 1)} "
            f"({wide_high['label']})."
        )
    fast, slow = _extremes(cards, "first_contact_mean")
    points.append(
        f"1 in 10 clients waits more than {_number(fast['first_contact_mean'])} days for first contact under "
        f"{fast['label']}, and more than {_number(slow['first_contact_mean'])} days under {slow['label']}."
    )
    calm, strained = _extremes(cards, "burnout_mean")
    points.append(
        f"The chance that at least one IDVA burns out over {years_text(horizon_days)} ranges from "
        f"{_pct(calm['burnout_mean'])} ({calm['label']}) to {_pct(strained['burnout_mean'])} ({strained['label']})."
        if calm["label"] != strained["label"] and calm["burnout_mean"] != strained["burnout_mean"]
        else f"The chance that at least one IDVA burns out over {years_text(horizon_days)} is "
        f"{_pct(calm['burnout_mean'])} under every {noun}."
    )
    if differences is not None and chosen["label"] != baseline:
        row = differences[
            (differences["scenario"] == chosen["label"])
            & (differences["kpi"] == "open_cases_per_fte_mean")
            & (differences["scope"] == chosen["drive_scope"])
        ]
        if len(row):
            d = row.iloc[0]
            clear = "a clear difference" if d["clear"] else "not a clear difference"
            points.append(
                f"Against the baseline ({baseline}), {chosen['label']} changes Drive IDVA open cases per FTE by "
                f"{d['mean_difference']:+.1f} (95% CI {d['ci_low']:+.1f} to {d['ci_high']:+.1f}): {clear}."
            )
    points.append(
        "The three targets, each within guidance on average: IDVA caseloads (the Drive IDVAs and the wider team, "
        "so that moving Drive work onto the wider team does not count as meeting guidance), 9 in 10 clients "
        "contacted within the target, and Case Manager caseloads."
    )
    return Answer(verdict, points, _cautions(replications, command))


#: How the sizing targets read in a sentence.
TARGET_WORDS = {
    "weeks_above_guidance_share": ("Drive IDVA weeks above the guidance caseload", True),
    "first_contact_delay_p90_days": ("days to first contact for 9 in 10 clients", False),
    "any_drive_idva_burnout": ("chance a Drive IDVA burns out", True),
    "any_idva_burnout": ("chance any IDVA burns out", True),
}


def target_words(kpi: str) -> tuple[str, bool]:
    """A sizing target's words, and whether its values read as percentages."""
    return TARGET_WORDS.get(kpi, (kpi.replace("_", " "), False))


def _target_value(value: float, share: bool) -> str:
    return _pct(value) if share else _number(value, 1)


def drive_added_sentence(row: Mapping, confidence_words: str = "95% CI", staffing: str | None = None) -> str | None:
    """'Drive adds X FTE of IDVA work at this site (95% CI a to b), on top of business as usual at Y% of guidance.'

    Args:
        row: A row of a sizing ``levels`` table, or any mapping with ``drive_added_fte``,
            ``drive_added_fte_low/high`` and ``bau_caseload_vs_guidance``.
        confidence_words: How the interval is named.
        staffing: Name the staffing it was measured with ('... at this site with 4 Drive IDVAs').

    Returns:
        The sentence, or ``None`` when the run has no twin without Drive to compare with.
    """
    added = row.get("drive_added_fte", math.nan)
    if added is None or math.isnan(added):
        return None
    low, high = row.get("drive_added_fte_low", math.nan), row.get("drive_added_fte_high", math.nan)
    bau = row.get("bau_caseload_vs_guidance", math.nan)
    interval = "" if math.isnan(low) else f" ({confidence_words} {low:.2f} to {high:.2f})"
    usual = "" if bau is None or math.isnan(bau) else f", on top of business as usual at {_pct(bau)} of guidance"
    where = f" with {staffing}" if staffing else ""
    return f"Drive adds {added:.2f} FTE of IDVA work at this site{where}{interval}{usual}."


def size_answer(
    levels: pd.DataFrame,
    targets: Sequence[Mapping],
    confidence: float,
    replications: int,
    horizon_days: float,
    command: str = "",
    budget: int | None = None,
    looks: Sequence[int] = (),
    window: str = "steady",
) -> Answer:
    """The answer of a sizing, the same words on the terminal and on the page.

    The first sentence is the resource Drive adds at the chosen level (or the last level
    tried), then the least staffing meeting every target, its cost, each target's verdict
    with its bounds and the launch beside it, and what the replication budget could not
    decide.

    Args:
        levels: The ``levels`` table of a sizing (:meth:`drive_sim.runs.sizing.SizingResult.table`).
        targets: The manifest's targets (``kpi``, ``scope``, ``at_most``).
        confidence: Confidence each verdict holds with.
        replications: Replications at each level's first look.
        horizon_days: Length of each replication.
        command: The command that made the results.
        budget: Most replications a level could get.
        looks: The planned looks (replication counts).
        window: The window the targets were judged on (``steady`` or ``launch``).
    """
    percent = f"{confidence:.0%}"
    levels = levels.sort_values("level", kind="stable")
    chosen = levels[levels["chosen"].astype(bool)]
    given = levels[levels["level"] == 0]
    bound_confidence = (
        float(levels["bound_confidence"].iloc[0]) if "bound_confidence" in levels and len(levels) else confidence
    )
    budget = budget or (int(levels["replications"].max()) if "replications" in levels and len(levels) else replications)
    looks_text = ", ".join(str(n) for n in looks) if looks else str(replications)
    judged = "the steady state" if window == "steady" else "the launch (first 26 weeks)"
    method = " ".join(
        [
            f"Every staffing level was run on the same replications of {years_text(horizon_days)} (replication k",
            f"is the same cases at every level), {replications} at first and more where a target was too close to",
            f"call (looks at {looks_text} replications, a budget of {budget} a level). Each target is judged on",
            f"{judged} with the bound that fits it: exact binomial (Clopper-Pearson) for a chance, a score interval",
            "kept inside 0-100% for a share, t for a number of days. It is met when the one-sided upper bound is",
            "within it, not met when the lower bound is beyond it; each bound is taken at",
            f"{bound_confidence:.2%} so that every verdict holds with {percent} confidence over all the looks.",
        ]
    )

    def at(row: Mapping) -> str:
        parts = []
        for target in targets:
            words, share = target_words(target["kpi"])
            key = f"{target['kpi']}@{target['scope']}"
            verdict = row.get(f"{key}:verdict") or ("met" if bool(row[f"{key}:met"]) else "not met")
            lower = row.get(f"{key}:lower", math.nan)
            bounds = (
                f"bounds {_target_value(lower, share)} to {_target_value(row[f'{key}:upper'], share)}"
                if lower is not None and not math.isnan(lower)
                else f"upper bound {_target_value(row[f'{key}:upper'], share)}"
            )
            launch = row.get(f"{key}:launch_mean", math.nan)
            at_launch = "" if launch is None or math.isnan(launch) else f"; launch {_target_value(launch, share)}"
            parts.append(
                f"{words} {_target_value(row[f'{key}:mean'], share)} ({bounds}; target at most "
                f"{_target_value(target['at_most'], share)}: {verdict}{at_launch})"
            )
        return "; ".join(parts)

    points = []
    reference = chosen.iloc[0] if len(chosen) else (levels.iloc[-1] if len(levels) else None)
    added = drive_added_sentence(reference.to_dict()) if reference is not None else None
    if len(chosen):
        row = chosen.iloc[0]
        extra = row["drive_idva_annual_cost"] - (given.iloc[0]["drive_idva_annual_cost"] if len(given) else math.nan)
        answer = (
            f"Answer: {row['label']} is the least Drive IDVA staffing that meets every target with {percent} "
            f"confidence, at {_money(row['drive_idva_annual_cost'])} a year for the Drive IDVAs (with on-costs)"
            + (
                f", {_money(extra)} a year more than the scenario as given ({given.iloc[0]['label']}, "
                f"{_money(given.iloc[0]['drive_idva_annual_cost'])})."
                if len(given) and extra > 0
                else "."
            )
        )
        verdict = f"{added} {answer}" if added else answer
        points.append(f"At {row['label']} ({int(row['replications'])} replications): {at(row)}.")
        points.append(f"The whole site's staff then cost {_money(row['annual_staff_cost'])} a year.")
    else:
        most = levels.iloc[-1] if len(levels) else None
        answer = (
            f"No staffing tried (up to {most['label'] if most is not None else 'none'}) meets every target with "
            f"{percent} confidence."
        )
        verdict = (
            f"{added.replace('this site', 'this site at ' + str(most['label']), 1)} {answer}"
            if added and most is not None
            else answer
        )
        if most is not None:
            points.append(f"At {most['label']} ({int(most['replications'])} replications): {at(most)}.")
    if len(given) and (not len(chosen) or given.iloc[0]["label"] != chosen.iloc[0]["label"]):
        row = given.iloc[0]
        points.append(f"As given ({row['label']}, {int(row['replications'])} replications): {at(row)}.")
    for row in levels.to_dict("records"):
        if any(row.get(f"{t['kpi']}@{t['scope']}:verdict") == "not met" for t in targets):
            continue  # decided: it fails a target, whatever the others
        open_calls = []
        for target in targets:
            key = f"{target['kpi']}@{target['scope']}"
            if row.get(f"{key}:verdict") == "undecided":
                words, share = target_words(target["kpi"])
                open_calls.append(
                    f"whether the {words} is at most {_target_value(target['at_most'], share)} (bounds "
                    f"{_target_value(row[f'{key}:lower'], share)} to {_target_value(row[f'{key}:upper'], share)})"
                )
        if open_calls:
            points.append(
                f"Undecided at {row['label']}: the budget of {int(row['replications'])} replications could not "
                f"decide {' or '.join(open_calls)}; raise --max-reps to settle it."
            )
    points.append(method)
    return Answer(verdict, points, _cautions(replications, command))
