"""The scope matrix (issue 16): every object endpoint, on an object inside the water
bureau's subtree, for each scoped role of the water bureau (in scope) and of the fire
brigade (out of scope), answered as dutyops.policy says.

tests/dutyops/test_policy.py walks every endpoint x role on one object (mostly the
office's), so the scoped roles are tested there mostly out of scope. Here each object
route has a row naming the policy question its view asks (the read that finds the
object, the act it takes) and the object of the world (tests/dutyops/matrix.py) it is
asked about; the expected answer is `policy.may(person, action, object)`, never a copy:
- not readable: 403 or 404 (hidden or refused), never an answer that shows the object;
- readable, the act refused: 403 (a few services refuse with 400, listed with why);
- allowed: past the access checks (not 401/403/404), whatever the service then says.
A route without a row or a reasoned skip fails `test_every_object_route_has_a_row_or_a_skip`.
"""

from collections import namedtuple

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from dutyops import policy
from tests.conftest import token_for
from tests.dutyops.endpoints import api_operations
from tests.dutyops.matrix import build_world, scoped_people

SCOPED = ("liaison", "duty_leader", "duty_officer")


@pytest.fixture(scope="module")
def scope_world(demo, django_db_blocker):
    """The scoped people and the world, built once for the module (rolled back with the demo)."""
    with django_db_blocker.unblock():
        people = scoped_people()
        return people, build_world(people)


@pytest.fixture
def scoped_clients(db, scope_world):
    people, _world = scope_world
    out = {}
    for key, person in people.items():
        out[key] = APIClient(raise_request_exception=False)  # a 500 is a finding in the table
        out[key].credentials(HTTP_AUTHORIZATION=f"Token {token_for(person)}")
    return out


# --- the questions a row asks: each answers (person, world) from the policy ---------------


def may(action, on=None):
    """policy.may(person, action, the world's `on` object (the row's own kind by default))."""
    return lambda person, world, kind: policy.may(person, action, world[on or kind])


def party(on=None):
    """The person is a party to the object (on the shift, the swap's requester), as its domain tells the policy."""
    return lambda person, world, kind: policy.relations.is_party(world[on or kind], person)


def one_of(*questions):
    return lambda person, world, kind: any(q(person, world, kind) for q in questions)


def named(field):
    """The person the object names in `field` (the swap's counterpart, the feed's owner)."""
    return lambda person, world, kind: getattr(world[kind], f"{field}_id") == person.pk


def _other_level(world):
    levels = [level["level"] for level in world["plan"].levels]
    return next((lv for lv in levels if lv != world["activation"].level), levels[0])


Row = namedtuple("Row", "kind read act body", defaults=(None, None))
INCIDENT = may("incident.view")
SHIFT = one_of(may("duty.view"), party())
PAST_SHIFT = one_of(may("duty.view"), party())
ROSTER = may("roster.write")
OPERATE = may("incident.operate")

# (method, route): the kind of object (a key of the world), what reading it asks, what
# acting on it asks, the body a write sends (a dict, or a function of the world).
ROWS = {
    ("GET", "/api/v1/absences/{pk}/"): Row("absence", one_of(may("duty.view", "past_shift"), named("person"))),
    ("GET", "/api/v1/activations/{pk}/"): Row("activation", INCIDENT),
    ("POST", "/api/v1/activations/{pk}/approve/"): Row("activation", INCIDENT, may("activation.approve"), {}),
    ("POST", "/api/v1/activations/{pk}/reject/"): Row("activation", INCIDENT, may("activation.approve"), {}),
    ("POST", "/api/v1/activations/{pk}/change-level/"): Row(
        "activation", INCIDENT, may("activation.propose"), lambda w: {"level": _other_level(w)}
    ),
    ("POST", "/api/v1/activations/{pk}/terminate/"): Row(
        "activation", INCIDENT, may("activation.propose"), {"reason": "险情解除"}
    ),
    ("GET", "/api/v1/alerts/{pk}/"): Row("alert", may("alert.view")),
    ("POST", "/api/v1/alerts/{pk}/acknowledge/"): Row("alert", may("alert.view"), may("alert.act"), {}),
    ("POST", "/api/v1/alerts/{pk}/feedback/"): Row("alert", may("alert.view"), may("alert.act"), {"text": "已处置"}),
    ("POST", "/api/v1/alerts/{pk}/close/"): Row("alert", may("alert.view"), may("alert.manage"), {}),
    ("POST", "/api/v1/alerts/{pk}/return/"): Row("alert", may("alert.view"), may("alert.manage"), {"reason": "补充"}),
    ("GET", "/api/v1/chain/inbox/{pk}/"): Row("inbound", may("incident.view", "incident")),
    ("POST", "/api/v1/chain/inbox/{pk}/sign/"): Row(
        "inbound", may("incident.view", "incident"), may("inbound.sign", "incident"), {}
    ),
    ("GET", "/api/v1/findings/{pk}/"): Row("finding", may("accountability.view")),
    ("GET", "/api/v1/staff-errors/{pk}/"): Row("staff_error", may("accountability.view")),
    ("GET", "/api/v1/incidents/{pk}/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/activations/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/instructions/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/plan-matches/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/upward-reports/"): Row("incident", INCIDENT),
    ("GET", "/api/v1/incidents/{pk}/verifications/"): Row("incident", INCIDENT),
    ("POST", "/api/v1/incidents/{pk}/activations/"): Row(
        "incident", INCIDENT, may("activation.propose"), lambda w: {"plan": w["plan"].pk, "level": _other_level(w)}
    ),
    ("POST", "/api/v1/incidents/{pk}/confirm-grade/"): Row("incident", INCIDENT, OPERATE, {"grade": "IV"}),
    ("POST", "/api/v1/incidents/{pk}/confirm-subtype/"): Row("incident", INCIDENT, OPERATE, {"subtype": "flood"}),
    ("POST", "/api/v1/incidents/{pk}/merge/"): Row(
        "incident", INCIDENT, OPERATE, lambda w: {"into": w["transferred"].pk}
    ),
    ("POST", "/api/v1/incidents/{pk}/transition/"): Row("incident", INCIDENT, OPERATE, {"to": "verifying"}),
    ("POST", "/api/v1/incidents/{pk}/instructions/"): Row(
        "incident", INCIDENT, may("incident.instruct"), {"text": "全力处置"}
    ),
    ("POST", "/api/v1/incidents/{pk}/upward-reports/"): Row(
        "incident",
        INCIDENT,
        may("upward.report"),
        {"kind": "follow_up", "text": "续报", "unverified_reason": "情况紧急"},
    ),
    ("POST", "/api/v1/incidents/{pk}/verifications/"): Row(
        "incident", INCIDENT, may("upward.report"), {"facts": "已核实", "method": "phone"}
    ),
    # a transfer from the office to the department: its own rooms confirm it
    ("POST", "/api/v1/incidents/{pk}/confirm-transfer/"): Row(
        "transferred", INCIDENT, may("incident.confirm_transfer", "department"), {}
    ),
    ("GET", "/api/v1/leaves/{pk}/"): Row("leave", one_of(named("person"), ROSTER)),
    ("PUT", "/api/v1/leaves/{pk}/"): Row("leave", one_of(named("person"), ROSTER), ROSTER, {}),
    ("PATCH", "/api/v1/leaves/{pk}/"): Row("leave", one_of(named("person"), ROSTER), ROSTER, {"reason": "年休"}),
    ("DELETE", "/api/v1/leaves/{pk}/"): Row("leave", one_of(named("person"), ROSTER), ROSTER),
    ("GET", "/api/v1/people/{pk}/"): Row("person", may("people.view")),
    ("PUT", "/api/v1/people/{pk}/"): Row("person", may("people.view"), may("org.write"), {}),
    ("PATCH", "/api/v1/people/{pk}/"): Row("person", may("people.view"), may("org.write"), {"phone": "110"}),
    ("DELETE", "/api/v1/people/{pk}/"): Row("person", may("people.view"), may("org.write")),
    ("GET", "/api/v1/reports/{pk}/"): Row("report", may("incident.view", "incident")),
    ("GET", "/api/v1/rotations/{pk}/"): Row("rotation", may("duty.view")),
    ("PUT", "/api/v1/rotations/{pk}/"): Row("rotation", may("duty.view"), ROSTER, {}),
    ("PATCH", "/api/v1/rotations/{pk}/"): Row("rotation", may("duty.view"), ROSTER, {"name": "新轮班"}),
    ("DELETE", "/api/v1/rotations/{pk}/"): Row("rotation", may("duty.view"), ROSTER),
    ("POST", "/api/v1/rotations/{pk}/generate/"): Row("rotation", may("duty.view"), ROSTER, {}),
    ("GET", "/api/v1/shifts/{pk}/"): Row("shift", SHIFT),
    ("GET", "/api/v1/shifts/{pk}/checkins/"): Row("shift", SHIFT),
    ("GET", "/api/v1/shifts/{pk}/handover/"): Row("shift", SHIFT),
    ("GET", "/api/v1/shifts/{pk}/log/"): Row("shift", SHIFT),
    ("GET", "/api/v1/shifts/{pk}/post-checks/"): Row("shift", SHIFT),
    ("PUT", "/api/v1/shifts/{pk}/"): Row("shift", SHIFT, ROSTER, {}),
    ("PATCH", "/api/v1/shifts/{pk}/"): Row("shift", SHIFT, ROSTER, {"officers": []}),
    ("DELETE", "/api/v1/shifts/{pk}/"): Row("shift", SHIFT, ROSTER),
    ("POST", "/api/v1/shifts/{pk}/check-in/"): Row("shift", SHIFT, party(), {}),
    ("POST", "/api/v1/shifts/{pk}/handover/"): Row("shift", SHIFT, may("handover.write"), {"note": "交班：无遗留"}),
    ("POST", "/api/v1/shifts/{pk}/log/"): Row("shift", SHIFT, may("dutylog.write"), {"kind": "note", "text": "来电"}),
    ("POST", "/api/v1/shifts/{pk}/post-checks/"): Row(
        "shift", SHIFT, may("post_check.write"), lambda w: {"person": w["person"].pk, "answered": True}
    ),
    # the ended shift's handover, signed by the incoming (current) shift
    ("POST", "/api/v1/shifts/{pk}/handover/sign/"): Row(
        "past_shift", PAST_SHIFT, may("handover.write", "shift"), {"note": "已接班"}
    ),
    ("GET", "/api/v1/supervision/{pk}/"): Row("case", may("case.view")),
    ("POST", "/api/v1/supervision/{pk}/assign/"): Row(
        "case", may("case.view"), may("case.manage"), lambda w: {"departments": [w["department"].pk]}
    ),
    ("POST", "/api/v1/supervision/{pk}/review/"): Row("case", may("case.view"), may("case.manage"), {"text": "通过"}),
    ("POST", "/api/v1/supervision/{pk}/recheck/"): Row("case", may("case.view"), may("case.manage"), {"text": "复查"}),
    ("POST", "/api/v1/supervision/{pk}/progress/"): Row("case", may("case.view"), may("case.act"), {"text": "进展"}),
    ("POST", "/api/v1/supervision/{pk}/complete/"): Row("case", may("case.view"), may("case.act"), {"text": "办结"}),
    ("GET", "/api/v1/swaps/{pk}/"): Row("swap", may("swap.view")),
    ("POST", "/api/v1/swaps/{pk}/accept/"): Row("swap", may("swap.view"), named("counterpart"), {}),
    ("POST", "/api/v1/swaps/{pk}/decline/"): Row("swap", may("swap.view"), named("counterpart"), {}),
    ("POST", "/api/v1/swaps/{pk}/approve/"): Row("swap", may("swap.view"), may("swap.approve", "department"), {}),
    ("POST", "/api/v1/swaps/{pk}/reject/"): Row("swap", may("swap.view"), may("swap.approve", "department"), {}),
    ("POST", "/api/v1/swaps/{pk}/cancel/"): Row("swap", may("swap.view"), named("requester"), {}),
    ("GET", "/api/v1/upward-reports/{pk}/"): Row("upward", may("incident.view", "incident")),
    ("GET", "/api/v1/upward-reports/{pk}/document/"): Row("upward", may("incident.view", "incident")),
    # one's own feeds only (the queryset): the owner is the room's duty officer
    ("DELETE", "/api/v1/calendar-feeds/{pk}/"): Row("feed", named("owner"), named("owner")),
}

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


def _answer(client, method, url, body):
    with transaction.atomic():
        response = getattr(client, method.lower())(url, body or {}, format="json")
        transaction.set_rollback(True)
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


def _pass(scoped_clients, scope_world, side):
    """Every row, for each scoped role of both sides, on `side`'s objects: the problems found."""
    people, worlds = scope_world
    world = worlds[side]
    problems = []
    for (method, route), row in sorted(ROWS.items()):
        url = route.replace("{pk}", str(world[row.kind].pk))
        for (role, whose), person in sorted(people.items()):
            code = _answer(scoped_clients[(role, whose)], method, url, _body(row, world))
            wrong = _judge(method, route, row, person, world, code)
            if wrong:
                problems.append(
                    f"{method} {route} on the {side} side's {row.kind}, as the {whose} {role}: {code}, {wrong}"
                )
    return problems


@pytest.mark.parametrize("side", ["water", "fire"])
def test_every_object_route_in_and_out_of_scope(scoped_clients, scope_world, side):
    """Each department's objects, for its own three scoped roles and the other's."""
    problems = _pass(scoped_clients, scope_world, side)
    assert not problems, "\n".join(problems)
