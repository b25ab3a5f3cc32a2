"""Every event type x (in scope, out of scope), for each department's three scoped roles
(issue 16), on the live socket's path and on replay alike.

tests/dutyops/test_policy.py sends every type named for the water bureau (no incident),
and every type on an incident the fire brigade holds with the water bureau alerted,
to the office's roles, the liaisons and the water bureau's duty leader, read back
through `visible_events` (replay, `events/?after=`). What it leaves out, added here:
- a bureau room's duty officer (the role the CONTRACT scopes to its room's subtree) and
  the fire brigade's own duty leader;
- an incident the department's own room holds: every type on it reaches all three of its
  scoped roles, and none of the other department's;
- the live path: whether a socket hears an event is the hub's decision (the socket's rooms
  from the consumer, the event's stored audience), checked against replay for every type.
"""

import dataclasses
import typing

import pytest
from django.db import transaction

from dutyops import policy
from realtime import events
from realtime.hub import STAFF, _Staged
from realtime.selectors import visible_events
from realtime.services import emit
from realtime.wire import message_of
from tests.dutyops.matrix import world_once


@pytest.fixture(scope="module")
def scope_world(demo, django_db_blocker):
    return world_once(django_db_blocker)


def _sample(type_):
    """A payload of every declared field: defaults where there are, placeholders for the required."""
    placeholders = {int: 1, str: "x", bool: False, list: [], float: 0.0}
    data = {}
    for f in dataclasses.fields(events.declared(type_).payload):
        if f.default is not dataclasses.MISSING:
            value = f.default
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
        else:
            kinds = [k for k in typing.get_args(f.type) or (f.type,) if k is not type(None)]
            value = placeholders.get(kinds[0]) if kinds else None
        data[f.metadata.get("key", f.name)] = value
    return data


def _emit_every_type(incident, department):
    """Every declared type on `incident`, named for `department`: {seq: type}."""
    with transaction.atomic():
        return {
            emit(t, _sample(t), incident_id=incident.pk, departments=[department.pk]).seq: t for t in events.all_types()
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


@pytest.mark.django_db
def test_every_event_type_on_a_departments_own_incident_reaches_its_scoped_roles_only(scope_world):
    people, worlds = scope_world
    problems = []
    for side, world in worlds.items():
        emitted = _emit_every_type(world["incident"], world["department"])
        every = set(emitted.values())
        for (role, whose), person in sorted(people.items()):
            # in scope: the unit is one the person's role reads for (the water bureau's room reads its station's)
            expected = every if policy.may(person, "event.view", world["department"]) else set()
            for where, heard in zip(("replay", "live"), _heard(person, emitted), strict=True):
                if heard != expected:
                    got = f"gets {sorted(heard - expected)}, misses {sorted(expected - heard)}"
                    problems.append(f"the {whose} {role} on the {side} incident, {where}: {got}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_event_type_on_the_other_departments_incident_reaches_an_alerted_room_only_as_incident_news(
    scope_world,
):
    """The fire brigade's incident with the water bureau alerted on it: every type named for
    the fire brigade reaches its three scoped roles whole; the water bureau's three (its room
    duty officer too) hear only the incident-level types, live and on replay."""
    from alerts import services as alerts

    people, worlds = scope_world
    fire = worlds["fire"]
    with transaction.atomic():
        alerts.dispatch_alert(
            incident=fire["incident"], department=worlds["water"]["department"], duty="协助排水", ack_minutes=30
        )
        emitted = _emit_every_type(fire["incident"], fire["department"])
        every = set(emitted.values())
        incident_level = {t for t in every if policy.reaches_incident(t)}
        assert incident_level and every - incident_level
        problems = []
        for (role, whose), person in sorted(people.items()):
            if policy.may(person, "event.view", fire["department"]):
                expected = every
            elif policy.may(person, "event.view", worlds["water"]["department"]):
                expected = incident_level  # the water bureau follows the incident: its news only
            else:
                expected = set()  # the station below the water bureau: not alerted, nothing
            for where, heard in zip(("replay", "live"), _heard(person, emitted), strict=True):
                if heard != expected:
                    got = f"gets {sorted(heard - expected)}, misses {sorted(expected - heard)}"
                    problems.append(f"the {whose} {role}, {where}: {got}")
        transaction.set_rollback(True)
    assert not problems, "\n".join(problems)
