"""Reads of accountability: the registers, the candidates for a late/omitted finding,
and the per-person duty discipline figures (考核, monthly circular)."""

from django.db.models import Q
from django.utils import timezone

from duty.models import Absence, DutyLogEntry
from dutyops import policy
from dutyops.models import Person
from dutyops.providers import Providers
from incidents.models import IncidentClock, Report

from .models import DisciplineRule, ReportingFinding, StaffError

DEFAULT_RINGS, DEFAULT_SECONDS_PER_RING = 3, 5

# Candidates for a late/omitted finding beyond the statutory clocks that ran out: an
# app holding upward reports up the chain (issue 19, chain/) registers
# fn(start, end) -> [{"kind", "department", "incident", "due_at", "reported_at", "why"}].
late_report_candidates = Providers("late report candidates", tolerant=True)


def findings_for(user):
    qs = ReportingFinding.objects.select_related("department", "person", "incident", "decided_by", "corrects")
    return policy.visible(user, "accountability.view", qs)


def errors_for(user):
    qs = StaffError.objects.select_related("department", "person", "incident", "recorded_by", "corrects")
    return policy.visible(user, "accountability.view", qs)


def _standing(model):
    """The records that stand: not corrected by a later record, and not themselves a withdrawal."""
    corrected = model.objects.filter(corrects__isnull=False).values("corrects_id")
    return model.objects.exclude(pk__in=corrected).filter(withdrawn=False)


def late_candidates(start, end, now=None):
    """Statutory clocks that ran out in [start, end) on real incidents, with no finding on
    the incident yet: what the office reviews for 迟报/漏报 (plus what providers add)."""
    now = now or timezone.now()
    found_on = ReportingFinding.objects.filter(incident__isnull=False).values("incident_id")
    clocks = (
        IncidentClock.objects.filter(overdue_at__gte=start, overdue_at__lt=min(end, now), incident__is_drill=False)
        .exclude(incident_id__in=found_on)
        .select_related("incident", "incident__duty_room")
        .order_by("due_at")[:200]
    )
    rows = [
        {
            "kind": "late" if clock.satisfied_at else "omitted",
            "department": clock.incident.duty_room_id,
            "department_name": clock.incident.duty_room.name if clock.incident.duty_room_id else "",
            "incident": clock.incident_id,
            "title": clock.incident.title,
            "clock": clock.kind,
            "due_at": clock.due_at,
            "reported_at": clock.satisfied_at,
        }
        for clock in clocks
    ]
    for extra in late_report_candidates.collect(start, end):
        rows.extend(extra or [])
    return rows


# --- duty discipline per person ---------------------------------------------------------


def answer_limits():
    """{duty room id or None: seconds}: each room's limit, None the default."""
    limits = {None: DEFAULT_RINGS * DEFAULT_SECONDS_PER_RING}
    for rule in DisciplineRule.objects.all():
        limits[rule.duty_room_id] = rule.answer_limit_seconds
    return limits


def discipline(start, end, department_ids=None):
    """Per person, in [start, end): calls and reports answered and how many took longer
    than the policy's rings or seconds (their room's rule, else the default), absences
    from post, staff errors and reporting findings that stand. Drills excluded."""
    limits = answer_limits()
    rows = {}

    def row(person_id):
        return rows.setdefault(person_id, {"answered": 0, "slow": 0, "absences": 0, "errors": 0, "findings": 0})

    people_filter = Q() if department_ids is None else Q(department_id__in=department_ids)
    people = {
        p.pk: p
        for p in Person.objects.filter(people_filter)
        .select_related("department")
        .only("pk", "username", "full_name", "department_id", "department__name")
    }
    answers = list(
        Report.objects.filter(
            received_at__gte=start, received_at__lt=end, is_drill=False, answered_at__isnull=False
        ).values_list("created_by_id", "received_at", "answered_at")
    )
    answers += list(
        DutyLogEntry.objects.filter(
            kind=DutyLogEntry.Kind.CALL, at__gte=start, at__lt=end, received_at__isnull=False, answered_at__isnull=False
        ).values_list("author_id", "received_at", "answered_at")
    )
    for person_id, received, answered in answers:
        person = people.get(person_id)
        if person is None:
            continue
        limit = limits.get(person.department_id, limits[None])
        r = row(person_id)
        r["answered"] += 1
        if (answered - received).total_seconds() > limit:
            r["slow"] += 1
    for person_id in Absence.objects.filter(detected_at__gte=start, detected_at__lt=end).values_list(
        "person_id", flat=True
    ):
        if person_id in people:
            row(person_id)["absences"] += 1
    for person_id in (
        _standing(StaffError).filter(occurred_at__gte=start, occurred_at__lt=end).values_list("person_id", flat=True)
    ):
        if person_id in people:
            row(person_id)["errors"] += 1
    for person_id in (
        _standing(ReportingFinding)
        .filter(decided_at__gte=start, decided_at__lt=end, person__isnull=False)
        .values_list("person_id", flat=True)
    ):
        if person_id in people:
            row(person_id)["findings"] += 1
    out = []
    for person_id, r in rows.items():
        person = people[person_id]
        out.append(
            {
                "person": person_id,
                "person_name": str(person),
                "department": person.department_id,
                "department_name": person.department.name if person.department_id else "",
                "answer_limit_seconds": limits.get(person.department_id, limits[None]),
                "answered": r["answered"],
                "answered_over_limit": r["slow"],
                "absences": r["absences"],
                "errors": r["errors"],
                "reporting_findings": r["findings"],
            }
        )
    out.sort(key=lambda x: (x["department_name"], x["person_name"]))
    return out


def discipline_lines(rows):
    """The circular's lines on duty discipline: those with anything against them."""
    lines = []
    for r in rows:
        if r["answered_over_limit"] or r["absences"] or r["errors"] or r["reporting_findings"]:
            lines.append(
                f"- {r['department_name']} {r['person_name']}：接听超时 {r['answered_over_limit']}/{r['answered']} 次，"
                f"脱岗漏岗 {r['absences']} 次，差错 {r['errors']} 次，迟报漏报瞒报谎报 {r['reporting_findings']} 次。"
            )
    return lines
