"""Every event type x (in scope, alerted, out of scope), for each unit's three scoped roles
and the office's people (issue 16), on the live socket's path and on replay alike.

tests/dutyops/test_policy.py sends every type named for the water bureau (no incident),
and every type on an incident the fire brigade holds with the water bureau alerted,
to the office's roles, the liaisons and the water bureau's duty leader, read back
through `visible_events` (replay, `events/?after=`). What it leaves out, added here:
- a bureau room's duty officer (the role the CONTRACT scopes to its room's subtree) and
  the fire brigade's own duty leader;
- an incident the department's own room holds: every type on it reaches all three of its
  scoped roles (and the room above), an alerted department's only as incident news, and
  none of the others';
- the live path: whether a socket hears an event is the hub's decision (the socket's rooms
  from the consumer, the event's stored audience), checked against replay for every type.
"""

import pytest
from django.db import transaction

from dutyops import policy
from realtime import events
from realtime.hub import STAFF, _Staged
from realtime.selectors import visible_events
from realtime.services import emit
from realtime.wire import message_of
from tests.dutyops.payloads import sample


def _emit_every_type(incident, department):
    """Every declared type on `incident`, named for `department`: {seq: type}."""
    with transaction.atomic():
        return {
            emit(t, sample(t), incident_id=incident.pk, departments=[department.pk]).seq: t for t in events.all_types()
        }


def _heard(person, emitted):
    """(types replayed, types a live socket hears) of the `emitted` events, for `person`."""
    after = min(emitted) - 1
    replayed = {e.type for e in visible_events(person, after, 10_000) if e.seq in emitted}
    rooms = policy.stream_rooms(person)
    rooms = (STAFF,) if rooms is None else tuple(sorted(rooms))  # as the consumer joins the hub
    live = set()
    for event in events_of(emitted):
        if _Staged(message_of(event, [a.department_id for a in event.audience.all()])).reaches(rooms):
            live.add(event.type)
    return replayed, live


def events_of(emitted):
    from realtime.models import Event

    return Event.objects.filter(seq__in=emitted).prefetch_related("audience")


def _expected(person, world, every):
    """CONTRACT "Roles and scope": every type for a unit the person's role reads for; an
    incident's own facts (the incident-level types) for one that follows the incident
    (alerted on it); nothing otherwise."""
    if policy.may(person, "event.view", world["department"]):
        return every
    if policy.may(person, "incident.view", world["incident"]):
        return {t for t in every if policy.reaches_incident(t)}
    return set()


@pytest.mark.django_db
def test_every_event_type_reaches_the_units_scoped_roles_and_an_alerted_one_only_as_incident_news(scope_world):
    """Every type on each unit's own incident, named for the unit: its three scoped roles
    (and the water bureau's room for its station) hear all of it; the water bureau's three,
    alerted on the fire brigade's incident, hear only its incident-level types; the others
    nothing; live and on replay alike."""
    people, worlds = scope_world
    problems, seen = [], set()
    for side, world in worlds.items():
        emitted = _emit_every_type(world["incident"], world["department"])
        every = set(emitted.values())
        for (role, whose), person in sorted(people.items()):
            expected = _expected(person, world, every)
            seen.add(frozenset(expected))
            for where, heard in zip(("replay", "live"), _heard(person, emitted), strict=True):
                if heard != expected:
                    got = f"gets {sorted(heard - expected)}, misses {sorted(expected - heard)}"
                    problems.append(f"the {whose} {role} on the {side} incident, {where}: {got}")
    assert not problems, "\n".join(problems)
    assert len(seen) == 3  # everything, the incident's news only, and nothing: each was asked
