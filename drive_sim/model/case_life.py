"""Life inside a case after first contact (scenario ``[case_life]``).

A client in support may disengage (to monitoring check-ins, or the IDVA closes her
side) and a client who disengaged to monitoring may come back into support, once; an
engaged service user may stop engaging, and the CM goes on with disrupt work. Each is a
hazard run down at the weekly tick against a unit-exponential clock drawn with the case
(:class:`~drive_sim.model.case.CaseDraws`), so scenarios keep common random numbers
and a hazard can change week by week: a client whose IDVA fell short of the support
hours asked is more likely to disengage (``shortfall_raises_disengagement``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drive_sim.model.case import Case
    from drive_sim.model.team import Team
    from drive_sim.scenario import CaseLife

__all__ = ["week_of_case_life"]

DAYS_PER_YEAR = 365.0


def week_of_case_life(team: Team, life: CaseLife, now: float, days: float = 7.0) -> None:
    """Run one week of every live case's hazards; change the cases whose clock runs out."""
    years = days / DAYS_PER_YEAR
    disengage = life.client_disengage_per_year * years
    reengage = life.client_reengage_per_year * years
    dropout = life.service_user_dropout_per_year * years
    if disengage > 0 or reengage > 0:
        for idva in team.idvas:
            if not idva.cases:
                continue
            weight = 1.0
            if life.shortfall_raises_disengagement:
                weight += (life.shortfall_multiplier - 1.0) * idva.last_shortfall_share
            step = disengage * weight
            for case in list(idva.cases.values()):
                # Only once she is contacted and the gate is open (the word given, or no gate)
                # can she disengage; both days are nan until then.
                contact, gate_open = case.contact_day, case.record.gate_open_day
                if contact != contact or gate_open != gate_open:
                    continue
                response = case.response
                if response == "support":
                    if disengage > 0:
                        case.disengage_run += step
                        if case.disengage_run >= case.draws.disengage_clock:
                            _disengage(team, case, life, now)
                elif response == "monitoring" and reengage > 0 and _disengaged_to_monitoring(case):
                    case.reengage_run += reengage
                    if case.reengage_run >= case.draws.reengage_clock:
                        case.response = "support"
                        case.reengaged = True
                        case.record.client_reengaged_day = now
    if dropout > 0:
        for cm in team.cms:
            for case in cm.cases.values():
                if case.cm_phase == "direct":
                    case.dropout_run += dropout
                    if case.dropout_run >= case.draws.dropout_clock:
                        case.cm_phase = "disrupt"
                        case.record.service_user_dropout_day = now


def _disengaged_to_monitoring(case: Case) -> bool:
    """A client in monitoring because she disengaged (not one who chose monitoring at first), not yet back."""
    disengaged = case.record.client_disengaged_day
    return case.response == "monitoring" and disengaged == disengaged and not case.reengaged


def _disengage(team: Team, case: Case, life: CaseLife, now: float) -> None:
    """She leaves support: to monitoring check-ins, or (the rest, and a second time) the IDVA closes her side."""
    if not case.reengaged:
        case.record.client_disengaged_day = now  # the first time (a second time closes her side)
    if case.reengaged or case.draws.u_disengage_to >= life.disengage_to_monitoring_share:
        team.close_idva(case)
    else:
        case.response = "monitoring"
