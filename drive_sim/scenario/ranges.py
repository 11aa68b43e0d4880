"""Ranges of assumed values: the ``Range`` model, the ``[uncertainty]`` section, and drive-sim's defaults.

The defaults are drive-sim's documented range for each value the schema calls an assumption.

The default site's answer to "how wrong might this be?": every entry cites the study
(``seed-extract.md`` as "extract", with line numbers), ``figures.md`` ("figures"), or
says why the range was chosen. ``drive-sim check`` lists the ranges a scenario uses;
:mod:`drive_sim.scenario.uncertainty` explains when a default range applies.

Every key of the default site whose description says "assumption" is either here or in
:data:`NOT_VARIED` with the reason (``tests/unit/test_ranges.py`` checks it). Entries
follow the schema's order, one block per section. Where nothing bounds a value, the
source says so ("No figure") and why the ends were chosen. Shares that sum to one are
given ranges for some members only; the others are rescaled in proportion
(:data:`~drive_sim.scenario.uncertainty.SHARE_GROUPS`). A count, or a value whose default
is a whole number, is rounded after drawing, so its range is at least 1 wide.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from drive_sim.scenario.distributions import Frozen

__all__ = ["DEFAULT_RANGES", "NOT_VARIED", "Range", "Uncertainty"]


class Range(Frozen):
    """How far an assumed value might be from the one used: a distribution over plausible values.

    ``uniform`` (every value in [low, high] equally plausible), ``triangular`` (``mode``
    the most plausible) or ``loguniform`` (each order of magnitude equally plausible; low
    > 0). A whole-number setting (a count) is rounded after drawing.
    """

    kind: Literal["uniform", "triangular", "loguniform"] = Field(
        "uniform", description="The shape: uniform, triangular (needs mode) or loguniform (low > 0)."
    )
    low: float = Field(description="The lowest plausible value.")
    high: float = Field(description="The highest plausible value.")
    mode: float | None = Field(None, description="A triangular range's most plausible value.")
    source: str = Field(
        "", description="Why this range: a citation of the study or figures.md, or the reason it was chosen."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.kind == "triangular":
            if self.mode is None or not self.low <= self.mode <= self.high:
                raise ValueError("a triangular range needs a mode between low and high")
        elif self.mode is not None:
            raise ValueError(f"mode is only for a triangular range, not {self.kind}")
        if self.kind == "loguniform" and self.low <= 0:
            raise ValueError("a loguniform range needs low > 0")
        return self

    def value_at(self, u: float) -> float:
        """The value at quantile ``u`` in [0, 1] (how a space-filling design's point becomes a value)."""
        if self.kind == "uniform":
            return self.low + u * (self.high - self.low)
        if self.kind == "loguniform":
            return math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        assert self.mode is not None
        width, left = self.high - self.low, self.mode - self.low
        if u < left / width:
            return self.low + math.sqrt(u * width * left)
        return self.high - math.sqrt((1 - u) * width * (self.high - self.mode))

    @property
    def middle(self) -> float:
        """The median: the value a one-at-a-time analysis holds it at."""
        return self.value_at(0.5)


class Uncertainty(Frozen):
    """Ranges for assumed values (see :mod:`drive_sim.scenario.uncertainty`)."""

    ranges: dict[str, Range] = Field(
        default_factory=dict,
        description="Dotted path -> range. Written directly under [uncertainty]: "
        '"case_mix.client_response.support" = {kind = "uniform", low = 0.39, high = 0.90, source = "..."}.',
    )
    use_default_ranges: bool = Field(
        True, description="Also use drive-sim's documented range for every assumed value the file leaves as it is."
    )

    @model_validator(mode="before")
    @classmethod
    def _paths_at_the_top(cls, data: Any) -> Any:
        """``[uncertainty]`` holds the paths themselves, beside ``use_default_ranges``."""
        if isinstance(data, Mapping) and "ranges" not in data:
            ranges = {key: value for key, value in data.items() if key != "use_default_ranges"}
            rest = {key: value for key, value in data.items() if key == "use_default_ranges"}
            return {**rest, "ranges": ranges}
        return data


DEFAULT_RANGES: dict[str, Range] = {
    # ---------------------------------------------------------------- referrals
    "referrals.dispersion": Range(
        low=0.0,
        high=0.25,
        source="No figure in the study: 'The amount and type ... of Drive cases IDVAs hold fluctuates over time', "
        "with times of 'an influx of cases' (extract §2.8, L213). From Poisson (0) to k = 0.25, at which a "
        "meeting's ~8 cases have a standard deviation about 1.7x Poisson's.",
    ),
    "referrals.ramp_up.start_share": Range(
        low=0.25,
        high=1.0,
        source="No figure: embedding takes 'a few years' (extract §1c, L279). From a quarter of the full rate at "
        "launch to no ramp-up at all (1.0).",
    ),
    "referrals.ramp_up.days": Range(
        low=90,
        high=365,
        source="No figure: the launch overload lasted 'the first six months' (extract Q17, L257); relationships "
        "took from not long to 'over the course of a year' (extract §1c, L1001). Three months to a year.",
    ),
    "referrals.deferral_probability": Range(
        low=0.0,
        high=0.3,
        source="No rate: cases 'keep on being brought back that are listed for next month' (extract Q14, L865); "
        "some sites refer back 'regularly' (extract §2.12, L291). From none to nearly a third of listings.",
    ),
    # --------------------------------------------------------------- backdating
    "backdating.arrival_spread_days": Range(
        low=7,
        high=28,
        source="No figure: backlog cases 'came straight over to the Drive IDVA' (extract §2.3, L293). One to four "
        "weeks from launch.",
    ),
    "backdating.already_supported_share": Range(
        low=0.5,
        high=0.9,
        source="'many clients had already been contacted ... they came straight over' (extract §2.3, L293): "
        "no share given; 'many' read as half to nine in ten.",
    ),
    # ----------------------------------------------------------------- case_mix
    # client_response sums to one: support and unreachable are drawn, monitoring is rescaled.
    "case_mix.client_response.support": Range(
        low=0.20,
        high=0.60,
        source="Engaged clients were 39% in one site's data and '~90%' by its own account (extract Q7, L169); "
        "support is the intensive part of engagement, the rest being monitoring (extract Q8, L785).",
    ),
    "case_mix.client_response.unreachable": Range(
        low=0.10,
        high=0.61,
        source="Engaged clients (support + monitoring) were 39% in one site's data and '~90%' by its own account "
        "(extract Q7, L169): unreachable from 10% to 61% spans both.",
    ),
    # monitoring_intervals sums to one: 2- and 8-weekly are drawn, 4-weekly is rescaled.
    "case_mix.monitoring_intervals.every_2_weeks": Range(
        low=0.10,
        high=0.40,
        source="Check-ins 'at two-weekly, one-monthly, or two-monthly intervals' with no shares (extract Q8, L785); "
        "'I'll give you a call in a month or two' (L789) puts the weight on the longer intervals.",
    ),
    "case_mix.monitoring_intervals.every_8_weeks": Range(
        low=0.10,
        high=0.50,
        source="No shares given (extract Q8, L785); 'a month or two' (L789) and 'infrequent catch-ups' when a client "
        "has not heard from the service user in a long time (L785): from a tenth to a half.",
    ),
    "case_mix.already_supported_share": Range(
        low=0.05,
        high=0.40,
        source="Clients already with another IDVA exist at Sites 5 and 6 (extract §2.19, L180-181) with no number "
        "(extract §6c): from 5% to 40%.",
    ),
    "case_mix.already_contacted_share": Range(
        low=0.10,
        high=0.60,
        source="At well-aligned sites 'the IDVA generally has already met with the victim' at allocation, elsewhere "
        "contact 'drags on' (extract §2.4, L304-309); no share given: a tenth to over half.",
    ),
    "case_mix.cross_border_share": Range(
        low=0.0,
        high=0.15,
        source="Cross-border cases occur 'regularly' for some neighbouring sites (extract §2.20, L857; §6c); "
        "no share given: none to 15%.",
    ),
    # ---------------------------------------------------------------- durations
    "durations.cm_intervention_days.mode": Range(
        low=120,
        high=330,
        source="The 3-12 month range is the report's (extract Q4, L213) and kept; its most likely length is not: "
        "4 to 11 months, the planned Drive intervention being 10 months (figures §2a) and CM caseloads of "
        "'about 25' fitting long cases (extract Q6, L211; §1f).",
    ),
    "durations.extension_probability": Range(
        low=0.0,
        high=0.3,
        source="'scope for additional extension' with no rate (extract Q4, L213; §2.14): none to 30%.",
    ),
    "durations.extension_days.value": Range(
        low=30,
        high=180,
        source="No length given (extract §2.14, L213); a 2017 advert describes 'a further 6 months of less "
        "concentrated support' (figures §2a): one to six months.",
    ),
    "durations.idva_tail_days.value": Range(
        low=0,
        high=84,
        source="IDVA support 'for a short period after Case Manager closure' (extract §5, L93; §2.16, L367-369); "
        "no length: 0 to 12 weeks, the extract's suggested sweep (extract §6c).",
    ),
    "durations.non_drive_case_days.mean": Range(
        kind="triangular",
        low=60,
        mode=73,
        high=120,
        source="2.4 months is the study's SafeLives basis (extract Q2, L213) but unverified; Little's law on "
        "SafeLives' caseload figures gives 3-5 months (figures §1, §6 item 3). Two to four months, most likely "
        "the study's value. The exponential shape is not varied.",
    ),
    # -------------------------------------------------------------------- teams
    "teams.case_managers[1].caseload_share": Range(
        low=0.25,
        high=0.75,
        source="The Team Leader 'also held cases' (extract §1b, L165) with no share given (extract §6c suggests "
        "0.5): a quarter to three quarters of a caseload.",
    ),
    # ------------------------------------------------------------------ routing
    "routing.liaison_delay_days": Range(
        low=0.5,
        high=7.0,
        source="No figure: the face-to-face working practitioners wanted ranged 'from once a fortnight to three "
        "times per week' (extract Q19, L1003); a shared office shortens it (Site 4, extract §1b, L171-181). "
        "Half a day to a week.",
    ),
    "routing.relay_delay_days": Range(
        low=2.0,
        high=10.0,
        source="No figure: relayed information 'wouldn't be flowing as freely' (extract §2.18, L237-239; Site 6, "
        "L180-181). Two days to two working weeks.",
    ),
    # ----------------------------------------------------------------- policies
    "policies.cautious_after_days": Range(
        low=14,
        high=56,
        source="No figure: some sites proceed 'cautiously without any form of contact with clients' (extract §2.6, "
        "L817). Two to eight weeks.",
    ),
    "policies.unreachable_deselect_probability": Range(
        low=0.4,
        high=0.9,
        source="Non-engaging cases 'were usually the ones that went back to [panel] and were deselected' (extract "
        "§2.13, L813); deselection rates not found (figures §2b). 'Usually' read as 40% to 90%.",
    ),
    "policies.withhold_share": Range(
        low=0.01,
        high=0.15,
        source="No share: an IDVA 'reluctant to sign off ... concerned about being liable' (extract §2.6, L628); "
        "overrides in 'a very small number of cases' (L815). 1% to 15%.",
    ),
    "policies.withhold_days": Range(
        low=14,
        high=56,
        source="No figure: the assumed four weeks halved and doubled.",
    ),
    "policies.proxy_share": Range(
        low=0.02,
        high=0.25,
        source="Proxies (police, social worker, housing officer ...) are used and 'seen as less good' (extract §2.9, "
        "L795-799); no share given: 2% to a quarter.",
    ),
    "policies.proxy_days": Range(
        low=21,
        high=84,
        source="The case may go back to panel to find a proxy (extract §2.9, L795), panels being monthly (extract "
        "Q14, L865): three weeks to three panel cycles.",
    ),
    "policies.engagement.base_probability": Range(
        low=0.5,
        high=0.9,
        source="No rate in the report (extract §2.11); service-user engagement rates not found (figures §2b). "
        "Half to nine in ten.",
    ),
    "policies.engagement.half_life_days": Range(
        kind="loguniform",
        low=30,
        high=180,
        source="No figure: 'you've almost missed your window of opportunity' (extract §2.4, L309). A month to six "
        "months, each order of magnitude equally plausible.",
    ),
    "policies.engagement.cm_shortfall_elasticity": Range(
        low=0.0,
        high=1.0,
        source="No figure: CM capacity problems exist but are 'much more notable for IDVAs' (extract §4.9, L207). "
        "From no effect (0) to engagement falling in proportion to the work done (1).",
    ),
    "policies.engagement.deselect_non_engaging_probability": Range(
        low=0.2,
        high=0.8,
        source="Non-engaging service users are deselected at panel (extract §2.13, L813); deselection rates not "
        "found (figures §2b). 20% to 80%, about the assumed even chance.",
    ),
    # -------------------------------------------------------------------- hours
    "hours.productive_share": Range(
        kind="triangular",
        low=0.6,
        mode=0.7,
        high=0.8,
        source="A police demand model used 70% (figures §4); ±10 points for sites' differing admin and travel.",
    ),
    "hours.idva.support_intensive_hours_per_week": Range(
        low=1.0,
        high=3.0,
        source="No figure: a first visit takes about 2 hours (figures §1) and early support is the most intensive "
        "(extract §2.4, L311). ±50% of the assumed 2 hours a week.",
    ),
    "hours.idva.intensive_weeks": Range(
        low=3,
        high=10,
        source="No figure: Drive 'often requires a quick response from the IDVA, especially initially' (extract "
        "§2.4, L311). Half to nearly double the assumed six weeks.",
    ),
    "hours.idva.support_hours_per_week": Range(
        low=0.6,
        high=1.5,
        source="~70 minutes per client a week at 30 cases (figures §1, Refuge Workers United); 26 productive hours "
        "over the guidance's 20 open cases (extract §1f) is 1.3 hours. 0.6 to 1.5 hours.",
    ),
    "hours.idva.monitoring_call_hours": Range(
        low=0.25,
        high=1.0,
        source="'very brief conversations' (extract Q8, L785), results to be fed back to Case Managers (L791): "
        "15 minutes to an hour with the note and the feedback.",
    ),
    "hours.idva.non_drive_hours_per_week": Range(
        low=0.6,
        high=1.2,
        source="From 0.6 (12 of 26 productive hours at the guidance caseload of 20, extract §1f) to 1.2 (~70 minutes "
        "per client a week at 30 cases, figures §1).",
    ),
    "hours.idva.reserved_first_contact_hours_per_week": Range(
        low=4.0,
        high=10.0,
        source="UAVA triaged referrals within 48 hours and made 3 attempts within a week (figures §1), a first "
        "visit taking about 2 hours (figures §1): two to five attempts' hours a week.",
    ),
    "hours.idva.cross_border_hours_per_week": Range(
        low=0.1,
        high=0.5,
        source="No figure: an initial call then 'regularly scheduled catch-ups' (extract §2.20, L857). "
        "6 to 30 minutes a week.",
    ),
    "hours.idva.relayed_liaison_hours_per_week": Range(
        low=0.1,
        high=0.5,
        source="No figure: 'relay load and delay' on the named Drive IDVA (Site 6, extract §3a S6; §2.18, L237-239). "
        "6 to 30 minutes a case a week.",
    ),
    "hours.idva.panel_hours": Range(
        low=2.0,
        high=5.0,
        source="No figure for a meeting's length; MARACs hear about 16 cases a meeting (figures §1). Two to five "
        "hours with preparation.",
    ),
    "hours.idva.sign_off_hours": Range(
        low=0.25,
        high=1.0,
        source="No figure: the gate 'hinges on the IDVA's say so' (extract §2.6, L588). 15 minutes to an hour.",
    ),
    "hours.idva.allocation_hours": Range(
        low=0.25,
        high=1.0,
        source="No figure: Site 2's lead Drive IDVA allocated cases (extract §1b, L177; §3a S2). 15 minutes to an "
        "hour a case.",
    ),
    "hours.idva.transfer_intake_hours": Range(
        low=0.5,
        high=2.0,
        source="No figure: handover means the client must rebuild trust (extract §2.18, L231-235). Half an hour to "
        "two hours, about a first visit (figures §1).",
    ),
    "hours.first_contact.max_attempts": Range(
        low=2,
        high=5,
        source="UAVA made 3 proactive attempts within a week (figures §1); IDVAs try every route, panel included "
        "(extract §2.4, L742). Two to five attempts.",
    ),
    "hours.first_contact.retry_days": Range(
        low=1,
        high=4,
        source="3 attempts within a week (figures §1) puts them 2-3 days apart; one to four days.",
    ),
    "hours.first_contact.answer_probability": Range(
        low=0.4,
        high=0.8,
        source="No figure: 'there will always be a proportion of clients IDVAs are unable to engage' (extract "
        "§2.9, L795). 40% to 80% an attempt.",
    ),
    "hours.cm.contact_strategy_hours_per_week": Range(
        low=0.75,
        high=2.25,
        source="No figure: CMs 'rely quite heavily on the IDVAs for information' for the strategy (extract §2.5, "
        "L549). ±50% of the assumed 1.5 hours.",
    ),
    "hours.cm.awaiting_gate_hours_per_week": Range(
        low=0.1,
        high=0.5,
        source="No figure: a case 'on hold' (extract §2.7, L632). 6 to 30 minutes a week.",
    ),
    "hours.cm.direct_hours_per_week": Range(
        kind="triangular",
        low=0.6,
        mode=1.25,
        high=2.25,
        source="UK700 (a mental-health trial): 48 contacts a month per FTE case manager, range 35-60 (figures §5); at "
        "12-15 cases (figures §5) and one to two hours a contact that is about 0.5-2.3 hours a case a week.",
    ),
    "hours.cm.disrupt_hours_per_week": Range(
        low=0.25,
        high=1.0,
        source="No figure: disrupt work such as police markers or CCTV (extract §2.7, L891). ±50% and up to an hour.",
    ),
    "hours.cm.holding_hours_per_week": Range(
        low=0.1,
        high=0.5,
        source="No figure: CM resources are 'not ... used effectively' holding cases open (extract §2.16, L375). "
        "6 to 30 minutes a week.",
    ),
    "hours.reviews.interval_weeks": Range(
        low=1,
        high=6,
        source="'Intervals between case reviews ranged from weekly to 6-weekly' (extract Q9, L670).",
    ),
    "hours.reviews.skip_above_workload": Range(
        low=1.1,
        high=1.5,
        source="No threshold: an IDVA 'struggling to even meet with her clients, let alone us' (extract §3b, L223). "
        "From the probation excessive-workload line of 110% (figures §5) to 150%.",
    ),
    # ---------------------------------------------------------------- case_life
    "case_life.client_disengage_per_year": Range(
        kind="loguniform",
        low=0.2,
        high=1.0,
        source="No rate: 'client engagement dropped off after they had already started meeting a service user' "
        "(extract §2.10, L829-831). 0.2-1.0 a year: about 10% to 45% of clients over a 7-month case.",
    ),
    "case_life.disengage_to_monitoring_share": Range(
        low=0.3,
        high=0.9,
        source="No share: 'sometimes sporadic engagement ... is enough' (extract §2.8, L779). 30% to 90%.",
    ),
    "case_life.client_reengage_per_year": Range(
        kind="loguniform",
        low=0.3,
        high=3.0,
        source="No rate: engagement 'up and down' (extract §2.8, L779). 0.3-3 a year: on average within four months "
        "to three years.",
    ),
    "case_life.service_user_dropout_per_year": Range(
        kind="loguniform",
        low=0.15,
        high=1.0,
        source="No rate for service-user engagement (extract §2.11; §2.10, L658). 0.15-1.0 a year: about 8% to 45% "
        "over a 7-month case.",
    ),
    "case_life.shortfall_multiplier": Range(
        low=1.0,
        high=5.0,
        source="No figure: overload means the IDVA 'can't see them as often as she'd like' (extract §4.4, L221). "
        "From no effect (1) to five times the hazard at a total shortfall.",
    ),
    # ---------------------------------------------------------------- workforce
    "workforce.burnout.caseload_multiple": Range(
        low=1.0,
        high=2.0,
        source="extract §6c suggests 1.0-1.5x the guidance; an IDVA with about 45 cases called it 'twice as many as "
        "recommended' (figures §1). 1.0 to 2.0.",
    ),
    "workforce.burnout.recovery_weeks": Range(
        low=2,
        high=8,
        source="No figure: the probation rule counts 4 consecutive weeks to flag excessive workload (figures §5); "
        "two to eight weeks to recover.",
    ),
    "workforce.idva_attrition.annual_turnover": Range(
        low=0.07,
        high=0.25,
        source="Comparators 7-16% a year (probation officers to children's social workers, figures §5); IDVAs are "
        "plausibly higher: more than half of support workers considering leaving (figures §3), US child-welfare "
        "22% (figures §5).",
    ),
    "workforce.idva_attrition.vacancy_days.value": Range(
        low=30,
        high=180,
        source="No figure (extract §4): 80% of services struggle to recruit (figures §3). One to six months.",
    ),
    "workforce.idva_attrition.induction_days": Range(
        low=30,
        high=180,
        source="No figure: a CM-delivered induction for each new IDVA (extract §4.8, L361). One to six months.",
    ),
    "workforce.idva_attrition.induction_capacity_share": Range(
        low=0.3,
        high=0.8,
        source="No figure (extract §4.8, L361): ±0.2-0.3 around the assumed half capacity.",
    ),
    "workforce.cm_attrition.annual_turnover": Range(
        low=0.05,
        high=0.12,
        source="Probation officers 5.1-8.3% a year, probation services officers 11.8% (figures §5).",
    ),
    "workforce.cm_attrition.vacancy_days.value": Range(
        low=30,
        high=180,
        source="No figure for Case Manager recruitment; as for IDVAs, one to six months.",
    ),
    "workforce.cm_attrition.induction_days": Range(
        low=30,
        high=180,
        source="No figure for a new Case Manager's induction; as for IDVAs, one to six months.",
    ),
    "workforce.cm_attrition.induction_capacity_share": Range(
        low=0.3,
        high=0.8,
        source="No figure; as for IDVAs, ±0.2-0.3 around the assumed half capacity.",
    ),
    # -------------------------------------------------------------------- costs
    "costs.on_cost_multiplier": Range(
        low=1.2,
        high=1.45,
        source="No figure in the study or figures.md: employer NI and pension add roughly 15-20% on these salaries "
        "(general knowledge, not from a cited source) and overheads vary by provider. 1.2 to 1.45.",
    ),
}

_SWITCH = "a switch that turns a mechanism on or off: not a number, so it takes no range"
_LEVER = (
    "one of the study's launch levers (issue 19), off by default: a decision a site compares (compare, sweep), "
    "not an uncertain fact; a default range would switch it on in every world"
)
_NO_PERPETRATOR_PANEL = (
    "the default site has no perpetrator panel (referrals.perpetrator_panel is absent), so a default range could "
    "never apply; a site file that adds one gives this value a range in its own [uncertainty] section"
)

#: Assumptions deliberately given no range, each with the reason.
NOT_VARIED: dict[str, str] = {
    # site
    "site.horizon_days": "the length of a run is a choice of the analysis, not a fact about the world",
    # referrals
    "referrals.perpetrator_panel.first_day": "which day the first meeting falls on is the site's calendar; "
    + _NO_PERPETRATOR_PANEL,
    "referrals.perpetrator_panel.deferral_probability": _NO_PERPETRATOR_PANEL
    + " (referrals.deferral_probability's range is the one to copy)",
    "referrals.perpetrator_panel.share": "how cases reach Drive is the site's structure; " + _NO_PERPETRATOR_PANEL,
    "referrals.perpetrator_panel.idva_attends": _SWITCH + "; " + _NO_PERPETRATOR_PANEL,
    # case_mix: the members of a share group not drawn are rescaled so that the group sums to one
    "case_mix.client_response.monitoring": "rescaled with the draws of support and unreachable so that the three sum "
    "to one (uncertainty.SHARE_GROUPS): monitoring is what is left of engaged clients",
    "case_mix.monitoring_intervals.every_4_weeks": "rescaled with the draws of every_2_weeks and every_8_weeks so "
    "that the three sum to one (uncertainty.SHARE_GROUPS)",
    # durations
    "durations.cm_intervention_days.low": "the 3-month lower end is the report's (extract Q4, L213); the "
    "uncertain mode is varied",
    "durations.cm_intervention_days.high": "the 12-month upper end is the report's (extract Q4, L213); longer cases "
    "are extensions (durations.extension_*)",
    "durations.step_down_days": _LEVER,
    # teams
    "teams.case_managers[0].caseload_share": "a Case Manager holds a full caseload by definition; only the Team "
    "Leader's share (teams.case_managers[1]) is assumed and varied",
    "teams.idvas": "the team is the site's own structure and the decision being sized (drive-sim size, sweeps over "
    "team size): varying it as uncertainty would blur the answer; a site sets its own wider team",
    # routing
    "routing.intake": "who makes first contact is the site's routing policy (a choice of group, not a number)",
    "routing.pick": "how an IDVA is picked is the site's allocation policy (a choice of rule, not a number)",
    "routing.cm_caseload_cap": "a CM caseload cap is the site's policy; the study names none, so the default has "
    "no number to vary",
    "routing.cross_border": _LEVER,
    "routing.reroute_word_days": _LEVER + " (read only under reroute)",
    "routing.co_location_days_per_week": _LEVER,
    # policies
    "policies.engagement.window_effect": _SWITCH + "; the effect's strength is varied through half_life_days",
    # hours
    "hours.idva.query_hours_per_case_per_week": _LEVER,
    "hours.cm.step_down_hours_per_week": _LEVER,
    "hours.cm.induction_hours_per_idva": _LEVER,
    "hours.cm.induction_for": _LEVER + " (read only with induction hours)",
    # case_life
    "case_life.shortfall_raises_disengagement": _SWITCH + "; the effect's strength is varied through "
    "shortfall_multiplier",
    # launch
    "launch.idva_buy_in_days": _LEVER,
    "launch.first_contact_share_before_buy_in": _LEVER + " (read only before buy-in)",
    "launch.panel_attendance_before_buy_in": _LEVER + " (read only before buy-in)",
    # guidance
    "guidance.first_contact_days": "a guidance target that outputs are judged against, not a fact about the world",
}
