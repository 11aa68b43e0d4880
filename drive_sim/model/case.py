"""A Drive case (one service user, one client): what is drawn at referral, and its state.

Everything random about a case is drawn when it is referred, from the case's own
generator, in a fixed order (:class:`CaseDraws`). Scenarios run with the same seed
therefore see the same cases whatever their staffing or policies (common random numbers).
The rest of :class:`Case` is what the run changes: who holds it, its CM phase, and the
outcome of the IDVA's first contact, a SimPy event the case owns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from drive_sim.model.records import CaseRecord
from drive_sim.model.streams import sample
from drive_sim.scenario import Scenario

if TYPE_CHECKING:
    import simpy

    from drive_sim.model.practitioners import CaseManagerState, IdvaState

__all__ = ["Case", "CaseDraws", "CaseStatus", "CmPhase", "FirstContactOutcome", "GateWord", "Response"]

NAN = float("nan")

#: How the client responds to the IDVA.
Response = Literal["support", "monitoring", "unreachable"]
#: What the Case Manager is doing with the case.
CmPhase = Literal["pre_contact", "direct", "disrupt", "holding", "closed"]
#: The outcome of the IDVA's first contact, the value of ``Case.outcome``.
FirstContactOutcome = Literal["contacted", "unreachable"]
#: The word the gate waits for: the IDVA's sign-off, a proxy's information, or "unreachable"
#: (every attempt failed and no proxy is coming).
GateWord = Literal["signed_off", "proxy", "other_area", "unreachable"]
#: How a case ended.
CaseStatus = Literal["closed", "deselected"]


@dataclass(frozen=True, slots=True)
class CaseDraws:
    """Everything random about one case, drawn at referral (see :meth:`draw`)."""

    already_supported: bool
    response: Response
    monitoring_interval_weeks: int
    attempts_needed: int
    already_contacted: bool
    cross_border: bool
    extended: bool
    u_engage: float
    u_deselect_unreachable: float
    u_deselect_non_engaging: float
    u_existing_idva: float
    deferrals: int  # times put back to the next meeting
    cm_days: float
    extension_days: float
    tail_days: float
    strategy_days: float
    u_former_case: float  # which of her own IDVA's business-as-usual cases is hers
    u_perpetrator_panel: float  # below referrals.perpetrator_panel.share: MARAC then panel
    panel_deferrals: int  # times put back to the next perpetrator-panel meeting
    withheld: bool  # the IDVA withholds sign-off for a while (policies.withhold_share)
    proxy: bool  # another professional can give the CM the information (policies.proxy_share)
    # Life inside the case (model/case_life.py): unit-exponential clocks, run down by hazards.
    disengage_clock: float
    reengage_clock: float
    dropout_clock: float
    u_disengage_to: float  # below case_life.disengage_to_monitoring_share: to monitoring, else closed

    @classmethod
    def draw(cls, rng: np.random.Generator, scenario: Scenario, backdated: bool) -> CaseDraws:
        """The case's draws from its own generator, in a fixed order.

        The order is part of the contract: append new draws at the end.
        """
        mix = scenario.case_mix
        durations = scenario.durations
        u = rng.random(12).tolist()  # Python floats: the same numbers, cheaper to compare
        response_shares = mix.client_response
        if backdated:
            already_supported = bool(u[0] < scenario.backdating.already_supported_share)
        else:
            already_supported = bool(u[0] < mix.already_supported_share)
        response: Response
        if already_supported:
            response = "support"  # a client already in IDVA support is reachable and engaged
        elif u[1] < response_shares.support:
            response = "support"
        elif u[1] < response_shares.support + response_shares.monitoring:
            response = "monitoring"
        else:
            response = "unreachable"
        intervals = mix.monitoring_intervals
        if u[2] < intervals.every_2_weeks:
            interval = 2
        elif u[2] < intervals.every_2_weeks + intervals.every_4_weeks:
            interval = 4
        else:
            interval = 8
        first_contact = scenario.hours.first_contact
        attempts_needed = _attempts_needed(u[3], first_contact.answer_probability, first_contact.max_attempts)
        # A client the IDVA has already met is reachable, whatever her response draw said.
        contacted_at_marac = bool(u[4] < mix.already_contacted_share) and response != "unreachable"
        extended = bool(u[6] < durations.extension_probability)
        deferral = scenario.referrals.deferral_probability
        # Times put back to the next meeting: geometric, by inversion of one uniform.
        deferrals = int(math.log1p(-u[11]) // math.log(deferral)) if deferral > 0 else 0
        cm_days = sample(durations.cm_intervention_days, rng)
        extension_days = sample(durations.extension_days, rng) if extended else 0.0
        tail_days = sample(durations.idva_tail_days, rng)
        strategy_days = sample(durations.contact_strategy_days, rng)
        # One call for several draws gives the same numbers as one call each, in order: the
        # former case; the two perpetrator-panel draws (drawn whether or not the site has a
        # perpetrator panel, so the case is the same either way); withheld and proxy.
        u_former_case, u_panel_share, u_panel_deferrals, u_withheld, u_proxy = rng.random(5).tolist()
        u_panel = (u_panel_share, u_panel_deferrals)
        # Life inside the case: three unit-exponential clocks, then where a disengagement goes.
        disengage_clock, reengage_clock, dropout_clock = rng.standard_exponential(3).tolist()
        u_disengage_to = float(rng.random())
        panel = scenario.referrals.perpetrator_panel
        panel_deferral = panel.deferral_probability if panel is not None else 0.0
        panel_deferrals = int(math.log1p(-u_panel[1]) // math.log(panel_deferral)) if panel_deferral > 0 else 0
        return cls(
            already_supported=already_supported,
            response=response,
            monitoring_interval_weeks=interval,
            attempts_needed=attempts_needed,
            already_contacted=contacted_at_marac or already_supported,
            cross_border=bool(u[5] < mix.cross_border_share),
            extended=extended,
            u_engage=float(u[7]),
            u_deselect_unreachable=float(u[8]),
            u_deselect_non_engaging=float(u[9]),
            u_existing_idva=float(u[10]),
            deferrals=deferrals,
            cm_days=cm_days,
            extension_days=extension_days,
            tail_days=tail_days,
            strategy_days=strategy_days,
            u_former_case=u_former_case,
            u_perpetrator_panel=float(u_panel[0]),
            panel_deferrals=panel_deferrals,
            withheld=u_withheld < scenario.policies.withhold_share,
            proxy=u_proxy < scenario.policies.proxy_share,
            disengage_clock=disengage_clock,
            reengage_clock=reengage_clock,
            dropout_clock=dropout_clock,
            u_disengage_to=u_disengage_to,
        )


def _attempts_needed(u: float, p: float, max_attempts: int) -> int:
    """Attempts until a reachable client answers: geometric(p) conditioned on <= max_attempts."""
    if p >= 1:
        return 1
    top = 1 - (1 - p) ** max_attempts
    return max(1, min(max_attempts, math.ceil(math.log1p(-u * top) / math.log1p(-p))))


class Case:
    """Runtime state of one case; ``record`` is what the run reports about it."""

    __slots__ = (
        "attempts",
        "attempts_due",
        "backdated",
        "case_id",
        "cm",
        "cm_open",
        "cm_phase",
        "contact_day",
        "disengage_run",
        "draws",
        "dropout_run",
        "idva",
        "idva_open",
        "last_review",
        "needs_panel",
        "not_before",
        "outcome",
        "record",
        "reengage_run",
        "reengaged",
        "relay",
        "response",
        "side_closed",
        "strategy_end",
        "waiting",
        "word",
    )

    def __init__(self, case_id: int, listed_day: float, backdated: bool, draws: CaseDraws):
        self.case_id = case_id
        self.backdated = backdated
        self.draws = draws
        # who holds it
        self.cm: CaseManagerState | None = None
        self.idva: IdvaState | None = None
        self.relay: IdvaState | None = None
        self.idva_open = False
        self.cm_open = False
        self.waiting = False
        # where it is
        self.cm_phase: CmPhase = "pre_contact"
        self.contact_day = NAN
        self.strategy_end = NAN
        self.attempts = 0
        self.attempts_due = 0  # attempts whose hours were counted as asked (in the week each fell due)
        self.not_before = 0.0
        self.last_review = NAN
        self.outcome: simpy.Event | None = None  # the IDVA's first contact, a FirstContactOutcome
        self.word: simpy.Event | None = None  # the word that opens the gate, a GateWord
        self.side_closed: simpy.Event | None = None  # fired when the IDVA closes her side, if anyone waits on it
        # life inside the case: her response now, and the hazard run so far on each clock
        self.response: Response = draws.response
        self.disengage_run = self.reengage_run = self.dropout_run = 0.0
        self.reengaged = False
        self.needs_panel = False  # MARAC then panel: accepted only at the perpetrator panel's decision
        self.record = CaseRecord(
            case_id=case_id,
            backdated=backdated,
            listed_day=listed_day,
            accepted_day=NAN,
            deferrals=draws.deferrals,
            response=draws.response,
            already_supported=draws.already_supported,
            already_contacted=draws.already_contacted,
            cross_border=draws.cross_border,
            extended=draws.extended,
        )

    def __repr__(self) -> str:
        return f"Case({self.case_id}, {self.draws.response})"

    # ---- the first-contact outcome ----------------------------------------------------

    def await_outcome(self, env: simpy.Environment) -> simpy.Event:
        """The event the IDVA's first contact will fire (made when the case is accepted)."""
        self.outcome = env.event()
        return self.outcome

    def contacted(self, now: float) -> None:
        """The IDVA has met the client: fire the outcome ``"contacted"``."""
        self.contact_day = now
        self.record.first_contact_day = now
        self._fire("contacted")

    def unreachable(self, now: float) -> None:
        """Every attempt failed: fire the outcome ``"unreachable"``."""
        self.record.unreachable_day = now
        self._fire("unreachable")

    def await_word(self, env: simpy.Environment) -> simpy.Event:
        """The event the word that opens the gate will fire (IDVA sign-off, proxy, or unreachable)."""
        self.word = env.event()
        return self.word

    def give_word(self, now: float, word: GateWord) -> None:
        """The gate's word arrives (the first one counts): ``signed_off``, ``proxy``, ``other_area`` or ``unreachable``.

        ``other_area``: a re-routed cross-border case's IDVA in the other area (``routing.cross_border``).
        """
        if self.word is None or self.word.triggered:
            return
        if word != "unreachable":
            self.record.gate_open_day = now
            self.record.gate_word = word
        self.word.succeed(word)

    def _fire(self, outcome: FirstContactOutcome) -> None:
        assert self.outcome is not None
        self.outcome.succeed(outcome)
