"""The access policy for the event stream: every declared event type reaches the roles
that may see it and no one else, and reads as a line in both languages."""

from django.db import transaction

from dutyops import policy
from realtime import events
from realtime.selectors import visible_events
from realtime.services import emit
from tests.dutyops.payloads import sample
from tests.dutyops.roles import (
    STAFF,
)

# --- events: every declared type reaches the roles that may see it ---------------------------


def test_every_event_type_reaches_its_audience_and_no_one_else(people, make_department):
    from dutyops.models import Department

    water = Department.objects.get(code="LJ-SWJ")
    fire = Department.objects.get(code="LJ-XFJY")
    with transaction.atomic():
        emitted = {t: emit(t, sample(t), departments=[water.pk]).seq for t in events.all_types()}
    after = min(emitted.values()) - 1
    seen = {role: {e.type for e in visible_events(person, after, 10_000)} for role, person in people.items()}
    types = set(emitted)
    for role in STAFF:
        assert seen[role] >= types, role  # the jurisdiction-wide roles see every type
    assert seen["liaison"] >= types  # the water bureau is in each event's audience
    assert seen["room_leader"] >= types  # and so is its duty room
    fire_liaison = people["liaison"].__class__.objects.filter(department=fire, groups__name="liaison").first()
    assert not {e.type for e in visible_events(fire_liaison, after, 10_000)} & types
    assert policy.stream_rooms(people["liaison"]) == {water.pk}
    assert policy.stream_rooms(people["board"]) is None


def test_every_event_type_on_a_shared_incident_reaches_only_whom_it_concerns(people):
    """Two departments with alerts on one incident the fire brigade holds: each event type
    named for the fire brigade (its alert, its feedback, its case, its room's log) reaches
    the office and the fire brigade; the water bureau, alerted on the same incident, gets
    only the incident-level types (the incident's own facts), never the others; a
    department with nothing to do with it gets none (issue 16, CONTRACT "Roles and scope")."""
    from alerts import services as alerts
    from dutyops.models import Department, Person
    from incidents.models import Incident

    water, fire, health = (Department.objects.get(code=c) for c in ("LJ-SWJ", "LJ-XFJY", "LJ-WJW"))
    incident = Incident.objects.create(title="仓库火情", category="accident_disaster", duty_room=fire)
    for department in (water, fire):
        alerts.dispatch_alert(incident=incident, department=department, duty="处置", ack_minutes=30)
    with transaction.atomic():
        emitted = {
            t: emit(t, sample(t), incident_id=incident.pk, departments=[fire.pk]).seq for t in events.all_types()
        }
    after = min(emitted.values()) - 1
    types = set(emitted)
    incident_level = {t for t in types if policy.reaches_incident(t)}
    assert {"incident.updated", "report.created", "plan.activated"} <= incident_level
    assert not {t for t in incident_level if t.startswith(("alert.", "supervision.", "dutylog.", "classified."))}

    def seen(person):
        return {e.type for e in visible_events(person, after, 10_000)}

    liaison = {d: Person.objects.filter(department=d, groups__name="liaison").first() for d in (water, fire, health)}
    problems = []
    for role in STAFF:
        if seen(people[role]) != types:
            problems.append(f"{role} misses {sorted(types - seen(people[role]))}")
    if seen(liaison[fire]) != types:
        problems.append(f"the fire liaison misses {sorted(types - seen(liaison[fire]))}")
    for who, person in (
        ("the water liaison", liaison[water]),
        ("the water bureau's duty leader", people["room_leader"]),
    ):
        if seen(person) != incident_level:
            problems.append(
                f"{who}: gets {sorted(seen(person) - incident_level)}, misses {sorted(incident_level - seen(person))}"
            )
    if seen(liaison[health]):
        problems.append(f"the health liaison gets {sorted(seen(liaison[health]))}")
    assert not problems, "\n".join(problems)


def test_every_event_type_reads_as_a_line_in_both_languages():
    """Every declared type has its summary renderer (a type without one reads as its name)."""
    from django.utils import translation

    for type_ in events.all_types():
        if type_.startswith("test."):
            continue
        for language in ("zh-hans", "en"):
            with translation.override(language):
                line = events.describe(type_, sample(type_) | {"is_drill": False})
            assert line and line != type_, (type_, language)
