"""The access policy as a table: every endpoint and page x every role, every event type
x every audience relation, and the scope relations (own department / another).

The endpoints and pages are found by walking the URL resolver (tests/dutyops/endpoints.py):
a new endpoint without a row here fails `test_every_endpoint_has_a_row`. A row says
which roles get past the access checks (anything but 401/403; a 404 for an object out
of scope is checked by the scope tables below). Rules the duty office works by
(CONTRACT.md "Roles and scope", dutyops/policy.py):
- nobody anonymous gets anything but 401 (the token endpoint and iCal feeds have their own keys);
- nothing any role can send gives a 5xx;
- the wall board's account reads everything and changes nothing;
- the organisation, reference data and the plan library are the administrator's;
- only leaders write instructions and approve activations; liaisons never register,
  dispatch or steer incidents, and never see or act for another department.
"""

import re

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from dutyops import policy
from realtime import events
from realtime.selectors import visible_events
from realtime.services import emit
from tests.conftest import token_for
from tests.dutyops.endpoints import api_operations, pages

# superuser: the demo's `admin` (Django superuser); admin: the admin role alone;
# duty_officer, duty_leader: the general duty office's; room_leader: the water bureau's
# duty leader (a duty_leader of another room: its own subtree only, issue 16).
ROLES = (
    "anonymous",
    "superuser",
    "admin",
    "duty_officer",
    "duty_leader",
    "leader",
    "liaison",
    "board",
    "room_leader",
)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
WRITERS = SIGNED_IN - {"board"}  # the wall board changes nothing
NOBODY = frozenset()
ANYONE = frozenset(ROLES)
SUPER = frozenset({"superuser"})
ADMINS = frozenset({"superuser", "admin"})
STAFF = SIGNED_IN - {"liaison", "room_leader"}  # who sees the whole jurisdiction
OPERATORS = frozenset({"superuser", "admin", "duty_officer", "duty_leader"})
OFFICE = OPERATORS | {"leader"}  # alerts, supervision, circulars
LEADERS = frozenset({"superuser", "duty_leader", "leader"})  # instructions, approvals
ROSTER = frozenset({"superuser", "admin", "duty_leader"})
ROOM_ROSTER = ROSTER | {"room_leader"}  # its own room's roster (the body names the room; the first leave is none)
POST_CHECKERS = ROSTER | {"leader"}

# (method, route): the roles that get past the access checks. Object rows are about the
# first object of the collection (the duty office's), unless _chosen() picks another.
MATRIX = {
    ("POST", "/api/v1/auth/token/"): ANYONE,  # its own key: a username and password
    ("GET", "/api/v1/duty/ical/{token}.ics"): ANYONE,  # its own key: the feed's secret token
    # the organisation
    ("GET", "/api/v1/departments/"): SIGNED_IN,
    ("GET", "/api/v1/departments/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/departments/"): ADMINS,
    ("PUT", "/api/v1/departments/{pk}/"): ADMINS,
    ("PATCH", "/api/v1/departments/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/departments/{pk}/"): ADMINS,
    ("GET", "/api/v1/people/"): SIGNED_IN,
    ("GET", "/api/v1/people/{pk}/"): STAFF,
    ("POST", "/api/v1/people/"): ADMINS,
    ("PUT", "/api/v1/people/{pk}/"): ADMINS,
    ("PATCH", "/api/v1/people/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/people/{pk}/"): ADMINS,
    ("GET", "/api/v1/events/"): SIGNED_IN,
    ("GET", "/api/v1/board/snapshot/"): STAFF,
    # duty
    ("GET", "/api/v1/shifts/"): SIGNED_IN,
    ("GET", "/api/v1/shifts/{pk}/"): STAFF,
    ("POST", "/api/v1/shifts/"): ROOM_ROSTER,
    ("PUT", "/api/v1/shifts/{pk}/"): ROSTER,
    ("PATCH", "/api/v1/shifts/{pk}/"): ROSTER,
    ("DELETE", "/api/v1/shifts/{pk}/"): ROSTER,
    ("POST", "/api/v1/shifts/{pk}/check-in/"): STAFF - {"board"},  # the service: only those on the shift
    ("GET", "/api/v1/shifts/{pk}/checkins/"): STAFF,
    ("GET", "/api/v1/shifts/{pk}/handover/"): STAFF,
    ("POST", "/api/v1/shifts/{pk}/handover/"): STAFF - {"board"},  # the service: the outgoing shift (400 otherwise)
    ("POST", "/api/v1/shifts/{pk}/handover/sign/"): WRITERS,  # the service: the incoming shift
    ("GET", "/api/v1/shifts/{pk}/log/"): STAFF,
    ("POST", "/api/v1/shifts/{pk}/log/"): STAFF - {"board"},  # the service: on the shift, or leaders
    ("GET", "/api/v1/shifts/{pk}/post-checks/"): STAFF,
    ("POST", "/api/v1/shifts/{pk}/post-checks/"): POST_CHECKERS,
    ("GET", "/api/v1/duty/now/"): SIGNED_IN,
    ("GET", "/api/v1/duty/coverage/"): SIGNED_IN,
    ("GET", "/api/v1/duty/roster-export/"): STAFF,  # of the duty office: another room's for a liaison
    ("GET", "/api/v1/duty/daily-report/"): STAFF,
    ("GET", "/api/v1/rotations/"): SIGNED_IN,
    ("GET", "/api/v1/rotations/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/rotations/"): ROOM_ROSTER,
    ("PUT", "/api/v1/rotations/{pk}/"): ROSTER,
    ("PATCH", "/api/v1/rotations/{pk}/"): ROSTER,
    ("DELETE", "/api/v1/rotations/{pk}/"): ROSTER,
    ("POST", "/api/v1/rotations/{pk}/generate/"): ROSTER,
    ("GET", "/api/v1/leaves/"): SIGNED_IN,
    ("GET", "/api/v1/leaves/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/leaves/"): ROOM_ROSTER,
    ("PUT", "/api/v1/leaves/{pk}/"): ROOM_ROSTER,
    ("PATCH", "/api/v1/leaves/{pk}/"): ROOM_ROSTER,
    ("DELETE", "/api/v1/leaves/{pk}/"): ROOM_ROSTER,
    ("GET", "/api/v1/holidays/"): SIGNED_IN,
    ("GET", "/api/v1/holidays/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/holidays/"): ADMINS,
    ("PUT", "/api/v1/holidays/{pk}/"): ADMINS,
    ("PATCH", "/api/v1/holidays/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/holidays/{pk}/"): ADMINS,
    ("GET", "/api/v1/duty-rules/"): SIGNED_IN,
    ("GET", "/api/v1/duty-rules/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/duty-rules/"): ADMINS,
    ("PUT", "/api/v1/duty-rules/{pk}/"): ADMINS,
    ("PATCH", "/api/v1/duty-rules/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/duty-rules/{pk}/"): ADMINS,
    ("GET", "/api/v1/absences/"): SIGNED_IN,
    ("GET", "/api/v1/absences/{pk}/"): SIGNED_IN,
    ("GET", "/api/v1/swaps/"): SIGNED_IN,
    ("GET", "/api/v1/swaps/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/swaps/"): WRITERS,  # the service: only for one's own shift
    ("POST", "/api/v1/swaps/{pk}/accept/"): WRITERS,  # the service: the counterpart
    ("POST", "/api/v1/swaps/{pk}/decline/"): WRITERS,
    ("POST", "/api/v1/swaps/{pk}/approve/"): WRITERS,  # the service: the room's duty leader
    ("POST", "/api/v1/swaps/{pk}/reject/"): WRITERS,
    ("POST", "/api/v1/swaps/{pk}/cancel/"): WRITERS,  # the service: the requester
    ("GET", "/api/v1/calendar-feeds/"): SIGNED_IN,
    ("POST", "/api/v1/calendar-feeds/"): WRITERS,  # the service: one's own, or one's room's
    ("DELETE", "/api/v1/calendar-feeds/{pk}/"): WRITERS,  # one's own feeds only (the queryset)
    # incidents
    ("GET", "/api/v1/reports/"): SIGNED_IN,
    ("GET", "/api/v1/reports/{pk}/"): STAFF,
    ("POST", "/api/v1/reports/"): OPERATORS | {"liaison", "room_leader"},  # its own department, its room (issue 19)
    ("GET", "/api/v1/incidents/"): SIGNED_IN,
    ("GET", "/api/v1/incidents/{pk}/"): STAFF,
    ("POST", "/api/v1/incidents/{pk}/transition/"): OPERATORS,
    ("POST", "/api/v1/incidents/{pk}/merge/"): OPERATORS,
    ("POST", "/api/v1/incidents/{pk}/confirm-subtype/"): OPERATORS,
    ("POST", "/api/v1/incidents/{pk}/confirm-grade/"): OPERATORS,
    ("GET", "/api/v1/consequences/"): SIGNED_IN,  # reads only: each is answered for incidents it may see
    ("GET", "/api/v1/statistics/incidents/"): SIGNED_IN,  # each counts what they may see
    ("GET", "/api/v1/statistics/incidents/export/"): SIGNED_IN,
    ("POST", "/api/v1/incidents/{pk}/confirm-transfer/"): WRITERS,  # the service: the receiving room
    ("GET", "/api/v1/incidents/{pk}/instructions/"): STAFF,
    ("POST", "/api/v1/incidents/{pk}/instructions/"): LEADERS,
    ("GET", "/api/v1/incidents/{pk}/upward-reports/"): STAFF,
    ("POST", "/api/v1/incidents/{pk}/upward-reports/"): OPERATORS,
    # up and down the chain (chain/): upward reports, verification, links, the inbox from below
    ("GET", "/api/v1/incidents/{pk}/verifications/"): STAFF,
    ("POST", "/api/v1/incidents/{pk}/verifications/"): OPERATORS,
    ("GET", "/api/v1/upward-reports/"): SIGNED_IN,  # a liaison: those of incidents it may see
    ("GET", "/api/v1/upward-reports/{pk}/"): SIGNED_IN,
    ("GET", "/api/v1/upward-reports/{pk}/document/"): SIGNED_IN,
    ("GET", "/api/v1/reporting-line/"): SIGNED_IN,
    ("GET", "/api/v1/links/"): ADMINS,
    ("GET", "/api/v1/links/{pk}/"): ADMINS,
    ("POST", "/api/v1/links/"): ADMINS,
    ("PUT", "/api/v1/links/{pk}/"): ADMINS,
    ("PATCH", "/api/v1/links/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/links/{pk}/"): ADMINS,
    ("GET", "/api/v1/chain/inbox/"): SIGNED_IN,  # those of incidents one may see
    ("GET", "/api/v1/chain/inbox/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/chain/inbox/{pk}/sign/"): OPERATORS,
    ("POST", "/api/v1/chain/reports/"): NOBODY,  # a link's own token only (tests/chain)
    ("POST", "/api/v1/chain/receipts/"): NOBODY,
    ("GET", "/api/v1/subtypes/"): SIGNED_IN,
    ("GET", "/api/v1/subtypes/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/subtypes/"): ADMINS,
    ("PUT", "/api/v1/subtypes/{pk}/"): ADMINS,  # then 405: the taxonomy is patched, not replaced
    ("PATCH", "/api/v1/subtypes/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/subtypes/{pk}/"): ADMINS,  # then 405: subtypes are retired, not deleted
    ("GET", "/api/v1/classified-deliveries/"): OFFICE,
    ("GET", "/api/v1/classified-deliveries/{pk}/"): OFFICE,
    ("POST", "/api/v1/classified-deliveries/"): OPERATORS,
    ("GET", "/api/v1/duplicates/"): SIGNED_IN,
    ("GET", "/api/v1/geocode/"): SIGNED_IN,
    ("GET", "/api/v1/places/"): SIGNED_IN,
    ("GET", "/api/v1/report-policies/"): SIGNED_IN,
    # plans
    ("GET", "/api/v1/plans/"): SIGNED_IN,
    ("GET", "/api/v1/plans/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/plans/"): ADMINS,
    ("PUT", "/api/v1/plans/{pk}/"): ADMINS,
    ("PATCH", "/api/v1/plans/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/plans/{pk}/"): ADMINS,
    ("GET", "/api/v1/plans/{pk}/export/"): SIGNED_IN,
    ("GET", "/api/v1/plans/{pk}/versions/"): SIGNED_IN,
    ("POST", "/api/v1/plans/import/"): ADMINS,
    ("GET", "/api/v1/incidents/{pk}/plan-matches/"): STAFF,
    ("GET", "/api/v1/incidents/{pk}/activations/"): STAFF,
    ("POST", "/api/v1/incidents/{pk}/activations/"): OFFICE,
    ("GET", "/api/v1/activations/"): SIGNED_IN,
    ("GET", "/api/v1/activations/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/activations/{pk}/approve/"): LEADERS,
    ("POST", "/api/v1/activations/{pk}/reject/"): LEADERS,
    ("POST", "/api/v1/activations/{pk}/change-level/"): OFFICE,
    ("POST", "/api/v1/activations/{pk}/terminate/"): OFFICE,
    # alerts and supervision
    ("GET", "/api/v1/alerts/"): SIGNED_IN,
    ("GET", "/api/v1/alerts/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/alerts/"): OPERATORS,
    # a water bureau alert: its liaison signs and feeds back; nobody else, not even the office
    ("POST", "/api/v1/alerts/{pk}/acknowledge/"): frozenset({"liaison"}),
    ("POST", "/api/v1/alerts/{pk}/feedback/"): frozenset({"liaison"}),
    ("POST", "/api/v1/alerts/{pk}/close/"): OFFICE,
    ("POST", "/api/v1/alerts/{pk}/return/"): OFFICE,
    ("GET", "/api/v1/escalation-steps/"): SIGNED_IN,
    ("GET", "/api/v1/escalation-steps/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/escalation-steps/"): ADMINS,
    ("PUT", "/api/v1/escalation-steps/{pk}/"): ADMINS,
    ("PATCH", "/api/v1/escalation-steps/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/escalation-steps/{pk}/"): ADMINS,
    ("GET", "/api/v1/notification-channels/"): ADMINS,
    ("GET", "/api/v1/notification-channels/{pk}/"): ADMINS,
    ("POST", "/api/v1/notification-channels/"): ADMINS,
    ("PUT", "/api/v1/notification-channels/{pk}/"): ADMINS,
    ("PATCH", "/api/v1/notification-channels/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/notification-channels/{pk}/"): ADMINS,
    ("GET", "/api/v1/deliveries/"): OFFICE,
    ("GET", "/api/v1/deliveries/{pk}/"): OFFICE,
    ("GET", "/api/v1/supervision/"): SIGNED_IN,
    ("GET", "/api/v1/supervision/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/supervision/"): OFFICE,
    ("POST", "/api/v1/supervision/{pk}/assign/"): OFFICE,
    ("POST", "/api/v1/supervision/{pk}/review/"): OFFICE,
    ("POST", "/api/v1/supervision/{pk}/recheck/"): OFFICE,
    # the water bureau's case: the office, the bureau's liaison and its duty room report on it
    ("POST", "/api/v1/supervision/{pk}/progress/"): OFFICE | {"liaison", "room_leader"},
    ("POST", "/api/v1/supervision/{pk}/complete/"): OFFICE | {"liaison", "room_leader"},
    ("GET", "/api/v1/circulars/"): SIGNED_IN,
    ("GET", "/api/v1/circulars/{pk}/"): SIGNED_IN,
    ("POST", "/api/v1/circulars/"): OFFICE,
    ("GET", "/api/v1/performance/"): SIGNED_IN,
    ("GET", "/api/v1/performance/export/"): SIGNED_IN,
    # ways in (issue 19): systems with their key, CAP warnings
    ("GET", "/api/v1/sources/"): ADMINS,
    ("POST", "/api/v1/sources/"): ADMINS,
    ("GET", "/api/v1/sources/{pk}/"): ADMINS,
    ("DELETE", "/api/v1/sources/{pk}/"): ADMINS,
    ("POST", "/api/v1/inbound/"): NOBODY,  # a system's key (X-Api-Key), never a person's token
    ("POST", "/api/v1/cap/"): OPERATORS,  # or a system's key
    ("GET", "/api/v1/warnings/"): STAFF,
    ("GET", "/api/v1/warnings/{pk}/"): STAFF,
    ("POST", "/api/v1/warnings/{pk}/incident/"): OPERATORS,
    # accountability (issue 19): registers read within scope, decided by leaders and duty leaders
    ("GET", "/api/v1/findings/"): WRITERS,
    ("GET", "/api/v1/findings/{pk}/"): WRITERS,
    ("POST", "/api/v1/findings/"): ADMINS
    | LEADERS
    | {"room_leader"},  # its own subtree's (accountability.decide: ROOM)
    ("GET", "/api/v1/findings/candidates/"): ADMINS
    | LEADERS
    | {"room_leader"},  # its own subtree's (accountability.decide: ROOM)
    ("GET", "/api/v1/staff-errors/"): WRITERS,
    ("GET", "/api/v1/staff-errors/{pk}/"): WRITERS,
    ("POST", "/api/v1/staff-errors/"): ADMINS
    | LEADERS
    | {"room_leader"},  # its own subtree's (accountability.decide: ROOM)
}

# Pages: the roles that are shown the page (anything else: sent to log in, home, or refused).
PAGES = {
    "/": SIGNED_IN,
    "/board/": STAFF,
    "/board/leader/": LEADERS | {"admin"},
    "/console/": OPERATORS,
    "/incidents/": SIGNED_IN,
    "/incidents/intake/": SIGNED_IN,
    "/incidents/statistics/": SIGNED_IN,
    "/incidents/{pk}/": STAFF,  # the liaison's department has no alert on the first incident
    "/alerts/": STAFF,
    "/alerts/console/": SIGNED_IN,
    "/alerts/performance/": SIGNED_IN,
    "/alerts/supervision/": SIGNED_IN,
    "/duty/": SIGNED_IN,
    "/duty/daily/{department_id}/{day}/": STAFF,  # the duty office's report
    "/duty/shifts/{shift_id}/handover/": STAFF,  # a duty office shift
    "/duty/shifts/{shift_id}/check-in/": SIGNED_IN,  # POST; the service tells who is on it
    "/plans/": SIGNED_IN,
    "/plans/coverage/": SIGNED_IN,
    "/plans/{pk}/": SIGNED_IN,
    "/plans/{pk}/compare/": SIGNED_IN,
    "/plans/incident/{incident_id}/": STAFF,
    "/warnings/": STAFF,
    "/accountability/": WRITERS,
}


@pytest.fixture(scope="module")
def people(demo, django_db_blocker):
    from dutyops.models import Department, Person

    with django_db_blocker.unblock():
        return _people(Department, Person)


def _people(Department, Person):  # noqa: N803 - the models, imported once the apps are ready
    office = Department.objects.get(code="LJ-ZBS")
    found = {
        "superuser": Person.objects.get(username="admin"),
        "duty_officer": Person.objects.get(username="officer1"),
        "duty_leader": Person.objects.get(username="dleader"),
        "leader": Person.objects.get(username="leader"),
        "liaison": Person.objects.get(username="liaison_water"),
        "board": Person.objects.get(username="wallboard"),
        "room_leader": Person.objects.get(username="swj_lead"),
    }
    # On duty, the water bureau's duty leader answers for his bureau's alerts (alert.act:
    # PARTY), and the demo roster puts him on duty on some days: the matrix is about his
    # role, so here he is off duty whatever the date (found by a run a year back).
    from duty.models import Shift, ShiftOfficer

    Shift.objects.filter(leader=found["room_leader"]).update(leader=None)
    ShiftOfficer.objects.filter(person=found["room_leader"]).delete()
    with transaction.atomic():
        admin = Person.objects.create_user(username="admin-role", password="pw-12345678", department=office)
        admin.set_roles(["admin"])
    found["admin"] = admin
    return found


@pytest.fixture
def activation(db, people):
    """A proposed activation of a plan on a duty office incident: the activation rows act on it."""
    from incidents.models import Incident
    from plans import services as plans
    from plans.models import Plan

    incident = Incident.objects.filter(status__in=["received", "verifying", "responding"]).order_by("pk").first()
    plan = Plan.objects.filter(status="issued").order_by("pk").first()
    level = plan.levels[-1]["level"]
    return plans.propose_activation(incident, plan, level, people["duty_officer"])


@pytest.fixture
def clients(db, people):
    out = {"anonymous": APIClient()}
    for role, person in people.items():
        out[role] = APIClient()
        out[role].credentials(HTTP_AUTHORIZATION=f"Token {token_for(person)}")
    return out


def test_every_endpoint_has_a_row_and_every_row_an_endpoint():
    served = set(api_operations())
    assert served - MATRIX.keys() == set(), "endpoints without a row in MATRIX"
    assert MATRIX.keys() - served == set(), "rows for endpoints that are not served"
    assert set(pages()) == PAGES.keys()


def _chosen():
    """Objects some rows are about (the liaison's department's, where it matters)."""
    from alerts.models import Alert, SupervisionCase

    return {
        "/api/v1/alerts/": Alert.objects.filter(department__code="LJ-SWJ").order_by("pk").first(),
        "/api/v1/supervision/": SupervisionCase.objects.filter(departments__code="LJ-SWJ").order_by("pk").first(),
    }


def _concrete(route, admin):
    """The route with a real id: the first item of its collection, as the superuser lists it."""
    match = re.match(r"(/api/v1/[^{]+?/)\{", route)
    chosen = _chosen().get(match.group(1)) if match else None
    if chosen is not None:
        route = route.replace(route[route.index("{") : route.index("}") + 1], str(chosen.pk), 1)
    elif match:
        response = admin.get(match.group(1))
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else []
        items = body.get("results", body) if isinstance(body, dict) else body
        first = items[0]["id"] if isinstance(items, list) and items and "id" in items[0] else 999999
        route = route.replace(route[route.index("{") : route.index("}") + 1], str(first), 1)
    return re.sub(r"\{[^}]+\}", "x", route)


def _query(route):
    """Parameters a read needs to get past its input checks to its access checks."""
    from dutyops.models import Department

    office = Department.objects.get(code="LJ-ZBS").pk
    if route in ("/api/v1/duty/now/", "/api/v1/duty/roster-export/", "/api/v1/duty/daily-report/"):
        return {"department": office}
    return {}


def _status(client, method, route, url):
    with transaction.atomic():
        body = _query(route) if method == "GET" else {}
        code = getattr(client, method.lower())(url, body, format=None if method == "GET" else "json").status_code
        transaction.set_rollback(True)
    return code


def test_every_endpoint_for_every_role(clients, activation):
    problems = []
    for method, route in sorted(MATRIX):
        url = _concrete(route, clients["superuser"])
        codes = {role: _status(clients[role], method, route, url) for role in ROLES}
        for role, code in codes.items():
            # Refused: 401/403, or a 404 for an object the superuser finds (out of the person's scope).
            refused = code in (401, 403) or (code == 404 and codes["superuser"] != 404)
            where = f"{method} {route} as {role}: {code}"
            if code >= 500:
                problems.append(f"{where} (server error)")
            elif role == "anonymous" and route not in ("/api/v1/auth/token/", "/api/v1/duty/ical/{token}.ics"):
                if code != 401:
                    problems.append(f"{where} (anonymous must get 401)")
            elif refused == (role in MATRIX[(method, route)]):
                problems.append(f"{where} (allowed: {sorted(MATRIX[(method, route)])})")
    assert not problems, "\n".join(problems)


def _page_url(route):
    from django.utils import timezone

    from duty.models import Shift
    from dutyops.models import Department
    from incidents.models import Incident
    from plans.models import Plan

    office = Department.objects.get(code="LJ-ZBS")
    values = {
        "pk": Plan.objects.order_by("pk").first().pk if route.startswith("/plans/") else Incident.objects.first().pk,
        "incident_id": Incident.objects.exclude(alerts__department__code="LJ-SWJ").first().pk,
        "department_id": office.pk,
        "day": timezone.localdate().isoformat(),
        "shift_id": Shift.objects.filter(duty_room=office).first().pk,
    }
    if route == "/incidents/{pk}/":
        values["pk"] = values["incident_id"]
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), route)


def test_every_page_for_every_role(client, people):
    problems = []
    for route, allowed in sorted(PAGES.items()):
        url = _page_url(route)
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(people[role])
            with transaction.atomic():
                response = client.post(url) if route.endswith("/check-in/") else client.get(url)
                transaction.set_rollback(True)
            code = response.status_code
            shown = code == 200 or (code == 302 and route.endswith("/check-in/") and role != "anonymous")
            shown = shown or (route == "/" and code == 302 and role != "anonymous")  # home sends each to its place
            if code >= 500 or shown != (role in allowed):
                problems.append(f"GET {route} as {role}: {code} (shown to: {sorted(allowed)})")
    assert not problems, "\n".join(problems)


# --- scope: the same endpoint, one's own department's object and another's -----------------


def _liaison_scope(clients):
    from alerts.models import Alert, SupervisionCase
    from duty.models import Shift
    from dutyops.models import Department, Person
    from incidents.models import Incident

    water = Department.objects.get(code="LJ-SWJ")
    own_alert = Alert.objects.filter(department=water).first()
    other_alert = Alert.objects.exclude(department=water).first()
    own_case = SupervisionCase.objects.filter(departments=water).first()
    other_case = SupervisionCase.objects.exclude(departments=water).first()
    return [
        ("GET", "/api/v1/alerts/{}/", own_alert, other_alert),
        ("POST", "/api/v1/alerts/{}/acknowledge/", own_alert, other_alert),
        (
            "GET",
            "/api/v1/incidents/{}/",
            own_alert.incident,
            Incident.objects.exclude(alerts__department=water).first(),
        ),
        ("GET", "/api/v1/supervision/{}/", own_case, other_case),
        (
            "GET",
            "/api/v1/shifts/{}/",
            Shift.objects.filter(duty_room=water).first(),
            Shift.objects.exclude(duty_room=water).first(),
        ),
        (
            "GET",
            "/api/v1/people/{}/",
            Person.objects.filter(department=water).first(),
            Person.objects.exclude(department=water).first(),
        ),
    ]


def test_a_liaison_reaches_its_own_departments_objects_and_never_anothers(clients):
    problems = []
    for method, route, own, other in _liaison_scope(clients):
        for obj, expected in ((own, True), (other, False)):
            if obj is None:
                continue  # the demo has none of this kind
            with transaction.atomic():
                code = getattr(clients["liaison"], method.lower())(route.format(obj.pk), {}, format="json").status_code
                transaction.set_rollback(True)
            if (code not in (401, 403, 404)) != expected:
                problems.append(f"{method} {route.format(obj.pk)} ({'own' if expected else 'another'}): {code}")
    assert not problems, "\n".join(problems)


def test_a_liaison_exports_only_its_own_rooms_duty_records(clients):
    from dutyops.models import Department

    water, office = (Department.objects.get(code=c).pk for c in ("LJ-SWJ", "LJ-ZBS"))
    for url in ("/api/v1/duty/roster-export/", "/api/v1/duty/daily-report/"):
        assert clients["liaison"].get(url, {"department": water}).status_code == 200
        assert clients["liaison"].get(url, {"department": office}).status_code == 403


# --- a bureau's duty leader: its own room, never the office's or another room's (issue 16) -------


def _bureau_world(people):
    """An incident the water bureau holds, and one the fire brigade holds with an alert to
    the water bureau on it (the water bureau sees it, but does not hold it); a proposed
    activation of an issued plan on each."""
    from alerts import services as alerts
    from dutyops.models import Department
    from incidents.models import Incident
    from plans import services as plans
    from plans.models import Plan

    water, fire = (Department.objects.get(code=c) for c in ("LJ-SWJ", "LJ-XFJY"))
    own = Incident.objects.create(title="水利局：水库泄洪通知", category="natural_disaster", duty_room=water)
    theirs = Incident.objects.create(title="消防：仓库火情", category="accident_disaster", duty_room=fire)
    alerts.dispatch_alert(incident=theirs, department=water, duty="协助排水", ack_minutes=30, feedback_minutes=120)
    plan = Plan.objects.filter(status="issued").order_by("pk").first()
    level = plan.levels[-1]["level"]
    officer = people["duty_officer"]
    return {
        "water": water,
        "fire": fire,
        "own": own,
        "theirs": theirs,
        "own_activation": plans.propose_activation(own, plan, level, officer),
        "their_activation": plans.propose_activation(theirs, plan, level, officer),
    }


def _shift_body(room, days):
    from django.utils import timezone

    start = timezone.now().replace(microsecond=0) + timezone.timedelta(days=days)
    return {
        "duty_room": room.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + timezone.timedelta(hours=8)).isoformat(),
    }


def test_a_bureau_duty_leader_acts_for_its_own_room_and_never_office_wide(clients, people):
    from alerts.models import Alert, SupervisionCase
    from alerts.services import open_case

    world = _bureau_world(people)
    water, fire = world["water"], world["fire"]
    api = clients["room_leader"]

    def code(method, url, body=None):
        with transaction.atomic():
            response = getattr(api, method)(url, body or {}, format="json")
            transaction.set_rollback(True)
        return response.status_code

    own_alert = Alert.objects.filter(department=water).first()
    fire_alert = Alert.objects.filter(department=fire).first()
    own_case = SupervisionCase.objects.filter(departments=water).first()
    other_case = SupervisionCase.objects.exclude(departments=water).first() or open_case(
        title="消防通道整改", content="限期整改", incident=world["theirs"], departments=[fire]
    )
    allowed = [
        ("get", f"/api/v1/alerts/{own_alert.pk}/", None),
        ("get", f"/api/v1/incidents/{world['own'].pk}/", None),
        ("get", f"/api/v1/incidents/{world['theirs'].pk}/", None),  # alerted: it sees it
        ("post", "/api/v1/shifts/", _shift_body(water, 60)),
        ("post", f"/api/v1/activations/{world['own_activation'].pk}/approve/", None),
        ("get", f"/api/v1/supervision/{own_case.pk}/", None),
        ("get", f"/api/v1/duty/roster-export/?department={water.pk}", None),
    ]
    refused = [
        ("get", f"/api/v1/alerts/{fire_alert.pk}/", None),  # another department's alert
        ("post", "/api/v1/shifts/", _shift_body(fire, 61)),  # another room's roster
        ("post", f"/api/v1/activations/{world['their_activation'].pk}/approve/", None),  # not its incident
        ("post", f"/api/v1/activations/{world['their_activation'].pk}/reject/", None),
        ("post", f"/api/v1/incidents/{world['theirs'].pk}/transition/", {"to": "closed"}),
        ("post", f"/api/v1/supervision/{own_case.pk}/assign/", {"departments": [fire.pk]}),  # the office's
        ("get", f"/api/v1/supervision/{other_case.pk}/", None),
        ("post", "/api/v1/alerts/", {"incident": world["own"].pk, "department": fire.pk, "duty": "x"}),
        ("get", "/api/v1/board/snapshot/", None),
        ("get", "/api/v1/deliveries/", None),
        ("get", f"/api/v1/duty/roster-export/?department={fire.pk}", None),
    ]
    problems = [f"{m.upper()} {u}: {c} (allowed)" for m, u, b in allowed if (c := code(m, u, b)) in (401, 403, 404)]
    problems += [f"{m.upper()} {u}: {c} (refused)" for m, u, b in refused if (c := code(m, u, b)) not in (403, 404)]
    assert not problems, "\n".join(problems)
    # The office's duty leader approves either; the leader too.
    for role in ("duty_leader", "leader"):
        assert policy.may(people[role], "activation.approve", world["theirs"]), role
    # What is refused with 403 (not hidden): the writes on what it may see.
    assert code("post", "/api/v1/shifts/", _shift_body(fire, 62)) == 403
    assert code("post", f"/api/v1/activations/{world['their_activation'].pk}/approve/") == 403
    assert code("post", f"/api/v1/supervision/{own_case.pk}/assign/", {"departments": [fire.pk]}) == 403


def test_the_room_scopes_in_the_policy(people, make_person):
    """OFFICE and ROOM: the office's duty staff act for the jurisdiction, another room's for its subtree."""
    from dutyops.models import Department

    water = Department.objects.get(code="LJ-SWJ")
    office_leader, room_leader = people["duty_leader"], people["room_leader"]
    assert policy.scope(office_leader, "alert.view") is None
    assert policy.scope(room_leader, "alert.view") == frozenset(policy.subtree(water.pk))
    assert policy.stream_rooms(room_leader) == frozenset(policy.subtree(water.pk))
    assert not policy.sees_jurisdiction(room_leader) and policy.sees_jurisdiction(office_leader)
    assert not policy.may(room_leader, "alert.dispatch") and not policy.may(room_leader, "case.manage")
    assert policy.may(room_leader, "roster.write", water)
    assert policy.landing(room_leader) == "alerts-console"  # its department's desk, not the leaders' board
    assert policy.landing(office_leader) == "board-leader"
    officer = make_person("duty_officer", dept=water)
    assert policy.scope(officer, "incident.view") == frozenset(policy.subtree(water.pk))
    assert not policy.may(officer, "page.console") and policy.may(officer, "page.department_console")


def test_a_room_turned_duty_office_acts_for_the_jurisdiction_at_once(make_person, make_department):
    """Who is in the duty office is kept per process; an edit of a department applies
    to the next question, for a person read without their department too."""
    from dutyops.models import Person

    room = make_department("某区应急局", kind="district")
    pk = make_person("duty_leader", dept=room).pk
    assert policy.scope(Person.objects.get(pk=pk), "alert.view") == frozenset(policy.subtree(room.pk))
    room.kind = "duty_office"
    room.save()
    assert policy.scope(Person.objects.get(pk=pk), "alert.view") is None
    room.kind = "district"
    room.save()
    assert policy.scope(Person.objects.get(pk=pk), "alert.view") is not None


# --- events: every declared type reaches the roles that may see it ---------------------------


def _sample(type_):
    """A payload of every declared field: defaults where there are, placeholders for the required."""
    import dataclasses
    import typing

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


def test_every_event_type_reaches_its_audience_and_no_one_else(people, make_department):
    from dutyops.models import Department

    water = Department.objects.get(code="LJ-SWJ")
    fire = Department.objects.get(code="LJ-XFJY")
    with transaction.atomic():
        emitted = {t: emit(t, _sample(t), departments=[water.pk]).seq for t in events.all_types()}
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
            t: emit(t, _sample(t), incident_id=incident.pk, departments=[fire.pk]).seq for t in events.all_types()
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
                line = events.describe(type_, _sample(type_) | {"is_drill": False})
            assert line and line != type_, (type_, language)
