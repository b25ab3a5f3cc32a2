"""Creating something that names a unit's object in its body (a shift in a room, a leave
of a person, a follow-up report on an incident, a finding on a department), for each
unit's three scoped roles and the office's people (issue 16): done exactly when dutyops.policy says, about the
object the body names. The URL has no object here; the body does, so
tests/dutyops/test_policy_scope.py's rows cannot see it. A create route with neither a
row nor a reasoned skip fails `test_every_create_route_has_a_row_or_a_skip`.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from dutyops import policy
from tests.dutyops.endpoints import api_operations


def _may(action, on):
    return lambda person, world: policy.may(person, action, world[on])


def _party(on):
    return lambda person, world: policy.relations.is_party(world[on], person)


def _later(days, hours=0):
    return (timezone.now().replace(microsecond=0) + datetime.timedelta(days=days, hours=hours)).isoformat()


def _report(world, **more):
    body = {"title": "续报：水位回落", "category": "natural_disaster", "channel": "phone", "kind": "follow_up"}
    return body | more


# create route: (the body, naming the world's objects; what it asks of which object).
# The people a body names (a leave's, an error's) are the unit's room duty officer.
CREATES = {
    "/api/v1/shifts/": (
        lambda w: {"duty_room": w["department"].pk, "starts_at": _later(90), "ends_at": _later(90, 8)},
        _may("roster.write", "department"),
    ),
    "/api/v1/rotations/": (
        lambda w: {"duty_room": w["department"].pk, "name": "新轮班", "pattern": "daily", "officers": [w["person"].pk]},
        _may("roster.write", "department"),
    ),
    "/api/v1/leaves/": (
        lambda w: {"person": w["person"].pk, "starts_on": _later(120)[:10], "ends_on": _later(121)[:10]},
        _may("roster.write", "person"),
    ),
    "/api/v1/calendar-feeds/": (lambda w: {"duty_room": w["department"].pk}, _may("duty.view", "department")),
    "/api/v1/findings/": (
        lambda w: {"kind": "late", "department": w["department"].pk, "finding": "迟报 30 分钟"},
        _may("accountability.decide", "department"),
    ),
    "/api/v1/staff-errors/": (
        lambda w: {"kind": "record", "person": w["person"].pk, "description": "登记差错", "occurred_at": _later(-1)},
        _may("accountability.decide", "department"),
    ),
    # a follow-up on the unit's incident
    "/api/v1/reports/": (lambda w: _report(w, incident=w["incident"].pk), _may("report.file", "incident")),
    # a substitute for the unit's current shift: only one on it asks
    "/api/v1/swaps/": (
        lambda w: {"shift": w["shift"].pk, "counterpart": w["swap"].counterpart_id, "kind": "substitute"},
        _party("shift"),
    ),
    # the office's alone: no scoped role may, whatever the body names
    "/api/v1/alerts/": (
        lambda w: {"incident": w["incident"].pk, "department": w["department"].pk, "duty": "补充排查"},
        _may("alert.dispatch", "incident"),
    ),
    "/api/v1/supervision/": (
        lambda w: {"title": "督办", "content": "限期", "departments": [w["department"].pk]},
        _may("case.manage", "department"),
    ),
    "/api/v1/classified-deliveries/": (lambda w: {"incident": w["incident"].pk}, _may("classified.write", "incident")),
}
# The same report, filed in the unit's name (a new incident, its source the unit).
SOURCED = {"/api/v1/reports/": (lambda w: _report(w, kind="first", source_department=w["department"].pk), "department")}
SKIPPED = {
    "/api/v1/auth/token/": "its own key: a username and password",
    "/api/v1/inbound/": "a system's own key (X-Api-Key)",
    "/api/v1/cap/": "a CAP document, by the office (warning.import) or a system's key",
    "/api/v1/chain/reports/": "a link's own token",
    "/api/v1/chain/receipts/": "a link's own token",
    "/api/v1/circulars/": "a month's circular of every department: the office's (alert.manage)",
    "/api/v1/departments/": "the organisation: the admin's",
    "/api/v1/people/": "the organisation: the admin's",
    "/api/v1/duty-rules/": "reference data: the admin's",
    "/api/v1/escalation-steps/": "reference data: the admin's",
    "/api/v1/holidays/": "reference data: the admin's",
    "/api/v1/notification-channels/": "reference data: the admin's",
    "/api/v1/subtypes/": "reference data: the admin's",
    "/api/v1/links/": "the chain's installations: the admin's",
    "/api/v1/sources/": "systems allowed in: the admin's",
    "/api/v1/plans/": "the plan library: the admin's",
    "/api/v1/plans/import/": "the plan library: the admin's",
}


def test_every_create_route_has_a_row_or_a_skip():
    served = {r for m, r in api_operations() if m == "POST" and "{" not in r}
    assert served - CREATES.keys() - SKIPPED.keys() == set()
    assert (CREATES.keys() | SKIPPED.keys()) - served == set()


def _post(client, route, body):
    with transaction.atomic():
        code = client.post(route, body, format="json").status_code
        transaction.set_rollback(True)
    return code


def test_every_create_naming_a_units_object_is_done_as_the_policy_says(scoped_clients, scope_world):
    """Allowed: past the access checks (created, or a 409 when the swap is already asked).
    Refused: 403 or 404; a swap's a field message (only the shift's people ask)."""
    people, worlds = scope_world
    rows = [(route, body, asks) for route, (body, asks) in CREATES.items()]
    rows += [(route, body, _may("report.file", on)) for route, (body, on) in SOURCED.items()]
    problems, answers = [], set()
    for route, body, asks in rows:
        for side, world in worlds.items():
            for (role, whose), person in sorted(people.items()):
                allowed = asks(person, world) and not policy.read_only(person)  # the board changes nothing
                answers.add(allowed)
                code = _post(scoped_clients[(role, whose)], route, body(world))
                refusals = (400, 403) if route == "/api/v1/swaps/" else (403, 404)
                if code >= 500 or (allowed and code in (401, 403, 404)) or (not allowed and code not in refusals):
                    problems.append(f"POST {route} on the {side} side, as the {whose} {role}: {code} ({allowed=})")
    assert not problems, "\n".join(problems)
    assert answers == {True, False}
