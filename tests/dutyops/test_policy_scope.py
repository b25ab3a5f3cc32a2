"""The scope matrix (issue 16): every object endpoint, on the objects of three units (the
water bureau, a unit below it, the fire brigade; the water bureau also alerted on the
fire brigade's incident), for each unit's three scoped roles (liaison, its room's duty
leader and duty officer), answered as dutyops.policy says.

tests/dutyops/test_policy.py walks every endpoint x role on one object (mostly the
office's), so the scoped roles are tested there mostly out of scope. Here each object
route has a row naming the policy question its view asks (the read that finds the
object, the act it takes) and the object of the world (tests/dutyops/matrix.py) it is
asked about; the expected answer is `policy.may(person, action, object)`, never a copy:
- not readable: 403 or 404 (hidden or refused), never an answer that shows the object;
- readable, the act refused: 403 (a few services refuse with 400, listed with why);
- allowed: past the access checks (not 401/403/404), whatever the service then says;
- whatever is answered carries nothing the person may not read (matrix.leaks: each
  object of the world carries a mark, and the mark's object has its row).
A route without a row or a reasoned skip fails `test_every_object_route_has_a_row_or_a_skip`.
"""

import pytest
from django.db import transaction

from dutyops import policy
from tests.dutyops.endpoints import api_operations
from tests.dutyops.matrix import MARKS, ROWS, clients_of, leaks, mark, office_people, world_once


@pytest.fixture(scope="module")
def scope_world(demo, django_db_blocker):
    return world_once(django_db_blocker)


# Object routes with no row, and why: nothing in them belongs to a department, so the
# scope relation cannot change the answer (tests/dutyops/test_policy.py's MATRIX has
# each for every role); or only the office acts, which `_OFFICE_ONLY` proves.
_REFERENCE = "jurisdiction-wide reference data (no department): any signed-in person reads, the admin writes"
SKIPPED = {
    "/api/v1/departments/{pk}/": "the organisation's tree: every signed-in person reads it, the admin writes",
    "/api/v1/duty-rules/{pk}/": _REFERENCE,
    "/api/v1/escalation-steps/{pk}/": _REFERENCE,
    "/api/v1/holidays/{pk}/": _REFERENCE,
    "/api/v1/subtypes/{pk}/": _REFERENCE,
    "/api/v1/notification-channels/{pk}/": _REFERENCE,
    "/api/v1/plans/{pk}/": "the plan library: read by every signed-in person, written by the admin",
    "/api/v1/plans/{pk}/export/": "the plan library",
    "/api/v1/plans/{pk}/versions/": "the plan library",
    "/api/v1/links/{pk}/": "installations up and down the chain: the admin's (link.manage)",
    "/api/v1/sources/{pk}/": "systems allowed in: the admin's (source.manage)",
    "/api/v1/circulars/{pk}/": "a month's published figures of every department, one per month: no department's own",
    "/api/v1/duty/ical/{token}.ics": "its own key (the feed's secret token), no role or session",
    "/api/v1/deliveries/{pk}/": "office only (deliveries.view)",
    "/api/v1/classified-deliveries/{pk}/": "office only (classified.view)",
    "/api/v1/warnings/{pk}/": "office only (warning.view)",
    "/api/v1/warnings/{pk}/incident/": "office only (warning.import)",
}
# The skips that say "office only": no scoped role may take the action anywhere.
_OFFICE_ONLY = ("deliveries.view", "classified.view", "warning.view", "warning.import", "link.manage", "source.manage")

# Refusals a service words as bad input (400) rather than 403, and why.
REFUSED_AS_400 = {
    ("POST", "/api/v1/shifts/{pk}/handover/"): "only the shift's own people write it: a field message says so",
    ("POST", "/api/v1/shifts/{pk}/handover/sign/"): "only the incoming shift's people sign: a field message says so",
    ("POST", "/api/v1/shifts/{pk}/check-in/"): "only those on the shift check in: a field message says so",
    ("POST", "/api/v1/shifts/{pk}/log/"): "only the shift's people (or leaders) write its log: a field message",
}


def test_every_object_route_has_a_row_or_a_skip():
    served = {(m, r) for m, r in api_operations() if "{" in r}
    missing = sorted(op for op in served if op not in ROWS and op[1] not in SKIPPED)
    assert not missing, f"object routes without a scope row or a reasoned skip: {missing}"
    assert not ROWS.keys() - served, "rows for routes that are not served"
    assert not SKIPPED.keys() - {r for _m, r in served}, "skips for routes that are not served"


def test_the_office_only_skips_are_office_only(scope_world):
    people, _world = scope_world
    taken = [(key, a) for key, person in people.items() for a in _OFFICE_ONLY if policy.may(person, a)]
    assert not taken, f"a scoped role holds an office-only action: {taken}"


def _body(row, world):
    return row.body(world) if callable(row.body) else row.body


def _answer(client, method, url, body, content=False):
    """The status (and with content=True the text) of one request, its writes rolled back."""
    with transaction.atomic():
        response = getattr(client, method.lower())(url, body or {}, format="json")
        transaction.set_rollback(True)
    if content:
        return response.status_code, response.content.decode("utf-8", errors="replace")
    return response.status_code


def _judge(method, route, row, person, world, code):
    """What is wrong with `code` for `person` on the world's object, as the policy says (None: nothing)."""
    readable = row.read(person, world, row.kind)
    allowed = readable and (method == "GET" or row.act(person, world, row.kind))
    if code >= 500:
        return "server error"
    if allowed:
        return "refused what the policy allows" if code in (401, 403, 404) else None
    if not readable:
        return None if code in (403, 404) else "answered out of scope (403/404 expected)"
    refusals = (403, 400) if (method, route) in REFUSED_AS_400 else (403,)
    return None if code in refusals else f"not refused with {refusals}"


def _pass(scoped_clients, scope_world, side, people=None):
    """Every row, for each scoped role of every unit (or `people`), on `side`'s objects: the problems found."""
    everyone, worlds = scope_world
    people = people or everyone
    world = worlds[side]
    problems = []
    for (method, route), row in sorted(ROWS.items()):
        url = route.replace("{pk}", str(world[row.kind].pk))
        for (role, whose), person in sorted(people.items()):
            code, text = _answer(scoped_clients[(role, whose)], method, url, _body(row, world), content=True)
            wrong = _judge(method, route, row, person, world, code)
            if not wrong and code < 300 and (shown := leaks(person, worlds, text)):
                wrong = f"shows {shown}"  # the object's answer carries what the person may not read
            if wrong:
                problems.append(
                    f"{method} {route} on the {side} side's {row.kind}, as the {whose} {role}: {code}, {wrong}"
                )
    return problems


@pytest.mark.parametrize("side", ["water", "fire", "station"])
def test_every_object_route_in_and_out_of_scope(scoped_clients, scope_world, side):
    """Each unit's objects, for its own three scoped roles and the other units'."""
    problems = _pass(scoped_clients, scope_world, side)
    assert not problems, "\n".join(problems)


def test_every_object_route_for_the_office_on_a_departments_objects(db, scope_world):
    """The office's duty officer and duty leader, the leader, the superuser and the wall
    board on the water bureau's objects: the jurisdiction's, as the policy says (a room's
    roster is its duty leader's, a department's sign-for its own, the board changes nothing)."""
    people = office_people()
    problems = _pass(clients_of(people), scope_world, "water", people)
    assert not problems, "\n".join(problems)


def test_who_may_is_answered_before_what_is_sent(scoped_clients, scope_world):
    """A write by someone the policy refuses is a 403/404 whatever its body: never a 400
    that tells an outsider the object exists and what the form wants."""
    people, worlds = scope_world
    problems = []
    for (method, route), row in sorted(ROWS.items()):
        if method == "GET" or (method, route) in REFUSED_AS_400:
            continue
        for side, world in worlds.items():
            url = route.replace("{pk}", str(world[row.kind].pk))
            for (role, whose), person in sorted(people.items()):
                if row.read(person, world, row.kind) and row.act(person, world, row.kind):
                    continue
                code = _answer(scoped_clients[(role, whose)], method, url, {"junk": "x" * 3})
                if code not in (403, 404):
                    problems.append(f"{method} {route} on the {side} {row.kind}, as the {whose} {role}: {code}")
    assert not problems, "\n".join(problems)


def test_an_incident_one_may_not_see_is_refused_whatever_its_state(scoped_clients, scope_world):
    """Every action on an incident, on each unit's incidents (held, and transferred to it),
    by whoever may not see that incident: 403/404, never a 409 telling its state."""
    people, worlds = scope_world
    routes = sorted(r for m, r in ROWS if m == "POST" and r.startswith("/api/v1/incidents/{pk}/"))
    problems = []
    for route in routes:
        for side, world in worlds.items():
            for kind in ("incident", "transferred"):
                url = route.replace("{pk}", str(world[kind].pk))
                for (role, whose), person in sorted(people.items()):
                    if policy.may(person, "incident.view", world[kind]):
                        continue
                    code = _answer(scoped_clients[(role, whose)], "POST", url, {})
                    if code not in (403, 404):
                        problems.append(f"POST {route} on the {side} {kind}, as the {whose} {role}: {code}")
    assert not problems, "\n".join(problems)


def test_each_mark_shows_in_its_objects_answer(scoped_clients, scope_world):
    """The marks `leaks` looks for are in what the API answers (else the check would find nothing):
    each, on its object's own page, as the water bureau's duty leader (who reads them all)."""
    people, worlds = scope_world
    world, leader = worlds["water"], people[("duty_leader", "water")]
    for kind, (item, on) in MARKS.items():
        assert ROWS[("GET", item)].read(leader, world, on), kind
        code, text = _answer(
            scoped_clients[("duty_leader", "water")], "GET", item.replace("{pk}", str(world[on].pk)), None, content=True
        )
        assert code == 200 and mark(world["department"], kind) in text, kind
        assert leaks(people[("liaison", "fire")], worlds, text), kind  # and an outsider's would be caught
