"""A Drive case (one service user, one client): what is drawn at referral, and its state.

Everything random about a case is drawn when it is referred, from its row of uniforms
(:class:`CaseRows`: the case's row of its stream's block, one column a draw, in a fixed
order; :class:`CaseDraws`). Scenarios run with the same seed therefore see the same
cases whatever their staffing or policies (common random numbers).
The rest of :class:`Case` is what the run changes: who holds it, its CM phase, and the
outcome of the IDVA's first contact, a SimPy event the case owns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from drive_sim.model.records import CaseRecord
from drive_sim.model.streams import ITEM_BLOCK, Streams, exponential_quantile, quantile
from drive_sim.scenario import Scenario

if TYPE_CHECKING:
    import simpy

    from drive_sim.model.practitioners import CaseManagerState, IdvaState

__all__ = [
    "CASE_COLUMNS",
    "Case",
    "CaseDraws",
    "CaseRows",
    "CaseStatus",
    "CmPhase",
    "FirstContactOutcome",
    "GateWord",
    "Response",
]

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


@dataclass(init=False, slots=True)
class CaseDraws:
    """Everything random about one case, drawn at referral (:meth:`CaseRows.draws`); never changed after."""

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

    def __init__(
        self,
        already_supported: bool,
        response: Response,
        monitoring_interval_weeks: int,
        attempts_needed: int,
        already_contacted: bool,
        cross_border: bool,
        extended: bool,
        u_engage: float,
        u_deselect_unreachable: float,
        u_deselect_non_engaging: float,
        u_existing_idva: float,
        deferrals: int,
        cm_days: float,
        extension_days: float,
        tail_days: float,
        strategy_days: float,
        u_former_case: float,
        u_perpetrator_panel: float,
        panel_deferrals: int,
        withheld: bool,
        proxy: bool,
        disengage_clock: float,
        reengage_clock: float,
        dropout_clock: float,
        u_disengage_to: float,
    ) -> None:
        # Written out: dataclass's generated __init__ would run as Python, this one is compiled.
        self.already_supported = already_supported
        self.response = response
        self.monitoring_interval_weeks = monitoring_interval_weeks
        self.attempts_needed = attempts_needed
        self.already_contacted = already_contacted
        self.cross_border = cross_border
        self.extended = extended
        self.u_engage = u_engage
        self.u_deselect_unreachable = u_deselect_unreachable
        self.u_deselect_non_engaging = u_deselect_non_engaging
        self.u_existing_idva = u_existing_idva
        self.deferrals = deferrals
        self.cm_days = cm_days
        self.extension_days = extension_days
        self.tail_days = tail_days
        self.strategy_days = strategy_days
        self.u_former_case = u_former_case
        self.u_perpetrator_panel = u_perpetrator_panel
        self.panel_deferrals = panel_deferrals
        self.withheld = withheld
        self.proxy = proxy
        self.disengage_clock = disengage_clock
        self.reengage_clock = reengage_clock
        self.dropout_clock = dropout_clock
        self.u_disengage_to = u_disengage_to


#: A case's row: what each column is, in order (the order is part of the contract:
#: append new columns at the end). Columns 12-15 are durations (by their distributions'
#: quantile functions), 21-23 unit-exponential clocks, the rest uniforms in [0, 1).
CASE_COLUMNS: tuple[str, ...] = (
    "already_supported",
    "response",
    "monitoring_interval",
    "attempts_needed",
    "already_contacted",
    "cross_border",
    "extended",
    "u_engage",
    "u_deselect_unreachable",
    "u_deselect_non_engaging",
    "u_existing_idva",
    "deferrals",
    "cm_days",
    "extension_days",
    "tail_days",
    "strategy_days",
    "u_former_case",
    "u_perpetrator_panel",
    "panel_deferrals",
    "withheld",
    "proxy",
    "disengage_clock",
    "reengage_clock",
    "dropout_clock",
    "u_disengage_to",
)
_DURATIONS = tuple(CASE_COLUMNS.index(name) for name in ("cm_days", "extension_days", "tail_days", "strategy_days"))
_CLOCKS = slice(CASE_COLUMNS.index("disengage_clock"), CASE_COLUMNS.index("dropout_clock") + 1)


class CaseRows:
    """The cases of one case stream (``cases``, or ``backlog_cases`` with ``backdated``), a block at a time.

    Row ``k`` is case ``k``'s: :data:`CASE_COLUMNS` uniforms from block ``k // ITEM_BLOCK``
    of the stream (:meth:`Streams.items`), its duration columns turned into days by the
    scenario's distributions and its clock columns into unit-exponential draws, each
    from its own column's uniform. A row depends only on the seed, the replication, the
    stream and ``k``; :meth:`draws` reads the case's draws from it with the scenario's
    shares, worked out once here.
    """

    def __init__(self, streams: Streams, name: str, scenario: Scenario, backdated: bool = False):
        mix, durations, policies = scenario.case_mix, scenario.durations, scenario.policies
        self._streams = streams
        self._name = name
        self._backdated = backdated
        self._quantiles = [
            quantile(durations.cm_intervention_days),
            quantile(durations.extension_days),
            quantile(durations.idva_tail_days),
            quantile(durations.contact_strategy_days),
        ]
        self._block = -1
        self._rows: list[list[float]] = []
        self._supported = scenario.backdating.already_supported_share if backdated else mix.already_supported_share
        self._support = mix.client_response.support
        self._support_or_monitoring = mix.client_response.support + mix.client_response.monitoring
        self._every_2 = mix.monitoring_intervals.every_2_weeks
        self._every_2_or_4 = mix.monitoring_intervals.every_2_weeks + mix.monitoring_intervals.every_4_weeks
        first_contact = scenario.hours.first_contact
        self._answer_probability = first_contact.answer_probability
        self._max_attempts = first_contact.max_attempts
        self._contacted = mix.already_contacted_share
        self._cross_border = mix.cross_border_share
        self._extension = durations.extension_probability
        # Deferrals are geometric, by inversion of one uniform: log1p(-u) // log(p).
        deferral = scenario.referrals.deferral_probability
        self._log_deferral = math.log(deferral) if deferral > 0 else 0.0
        panel = scenario.referrals.perpetrator_panel
        panel_deferral = panel.deferral_probability if panel is not None else 0.0
        self._log_panel_deferral = math.log(panel_deferral) if panel_deferral > 0 else 0.0
        self._withhold = policies.withhold_share
        self._proxy = policies.proxy_share

    def row(self, index: int) -> list[float]:
        """Case ``index``'s row (Python floats)."""
        block, position = divmod(index, ITEM_BLOCK)
        if block != self._block:
            u = self._streams.items(self._name, block, (ITEM_BLOCK, len(CASE_COLUMNS)))
            for column, days_at in zip(_DURATIONS, self._quantiles, strict=True):
                u[:, column] = days_at(u[:, column])
            u[:, _CLOCKS] = exponential_quantile(1.0, u[:, _CLOCKS])
            self._rows = u.tolist()
            self._block = block
        return self._rows[position]

    def draws(self, index: int) -> CaseDraws:
        """Case ``index``'s draws, from its row (columns in :data:`CASE_COLUMNS` order).

        A backdated case's deferral draw is not used: the backlog is accepted as one block.
        """
        row = self.row(index)
        already_supported = row[0] < self._supported
        response: Response
        if already_supported:
            response = "support"  # a client already in IDVA support is reachable and engaged
        elif row[1] < self._support:
            response = "support"
        elif row[1] < self._support_or_monitoring:
            response = "monitoring"
        else:
            response = "unreachable"
        if row[2] < self._every_2:
            interval = 2
        elif row[2] < self._every_2_or_4:
            interval = 4
        else:
            interval = 8
        # A client the IDVA has already met is reachable, whatever her response draw said.
        contacted_at_marac = row[4] < self._contacted and response != "unreachable"
        extended = row[6] < self._extension
        deferrals = 0
        if self._log_deferral != 0.0 and not self._backdated:
            deferrals = int(math.log1p(-row[11]) // self._log_deferral)
        panel_deferrals = 0
        if self._log_panel_deferral != 0.0:
            panel_deferrals = int(math.log1p(-row[18]) // self._log_panel_deferral)
        return CaseDraws(
            already_supported,
            response,
            interval,
            _attempts_needed(row[3], self._answer_probability, self._max_attempts),
            contacted_at_marac or already_supported,  # already_contacted
            row[5] < self._cross_border,
            extended,
            row[7],  # u_engage
            row[8],  # u_deselect_unreachable
            row[9],  # u_deselect_non_engaging
            row[10],  # u_existing_idva
            deferrals,
            row[12],  # cm_days
            row[13] if extended else 0.0,  # extension_days
            row[14],  # tail_days
            row[15],  # strategy_days
            row[16],  # u_former_case
            # The two perpetrator-panel columns are drawn whether or not the site has a
            # perpetrator panel, so the case is the same either way.
            row[17],  # u_perpetrator_panel
            panel_deferrals,
            row[19] < self._withhold,  # withheld
            row[20] < self._proxy,  # proxy
            row[21],  # disengage_clock
            row[22],  # reengage_clock
            row[23],  # dropout_clock
            row[24],  # u_disengage_to
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
