"""The access policy as a table: every endpoint and page x every role (here), every event
type x every audience relation (test_policy_events.py), and the scope relations, own
department / another (test_policy_own_and_other.py), and the scope matrix, every object
route for each unit's scoped roles in and out of scope (test_policy_scope*.py). The roles: roles.py; fixtures: conftest.py.

The endpoints and pages are found by walking the URL resolver (tests/dutyops/endpoints.py):
a new endpoint without a row here fails `test_every_endpoint_has_a_row`. A row says
which roles get past the access checks (anything but 401/403; a 404 for an object out
of scope is checked by test_policy_own_and_other.py and the scope matrix). Rules the duty office works by
(CONTRACT.md "Roles and scope", dutyops/policy.py):
- nobody anonymous gets anything but 401 (the token endpoint and iCal feeds have their own keys);
- nothing any role can send gives a 5xx;
- the wall board's account reads everything and changes nothing;
- the organisation, reference data and the plan library are the administrator's;
- only leaders write instructions and approve activations; liaisons never register,
  dispatch or steer incidents, and never see or act for another department.
"""

import re

from django.db import transaction

from tests.dutyops.endpoints import api_operations, pages
from tests.dutyops.roles import (
    ADMINS,
    ANYONE,
    LEADERS,
    NOBODY,
    OFFICE,
    OPERATORS,
    POST_CHECKERS,
    ROLES,
    ROOM_ROSTER,
    ROSTER,
    SIGNED_IN,
    STAFF,
    SUPER,
    WRITERS,
)

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
    ("GET", "/api/v1/duty/now/"): STAFF,  # the duty office's roster: a room's people read their own
    ("GET", "/api/v1/duty/coverage/"): SIGNED_IN,
    ("GET", "/api/v1/duty/roster-export/"): STAFF,  # of the duty office: another room's for a liaison
    ("GET", "/api/v1/duty/daily-report/"): STAFF,
    ("GET", "/api/v1/rotations/"): SIGNED_IN,
    ("GET", "/api/v1/rotations/{pk}/"): STAFF,  # the office's rotation: out of the others' rooms
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
    ("POST", "/api/v1/incidents/{pk}/confirm-transfer/"): WRITERS
    - {"liaison", "room_leader"},  # 404 unseen; then the service
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


# Django's admin site ("page.admin_site"): the roles it lets in, and to whom the menus
# (the launcher's tile, the plan list's and a plan's links into it) offer it.
ADMIN_SITE = SUPER  # the demo's superuser is the one staff account; the admin role alone is not


def test_the_admin_site_and_its_menu_entries_for_every_role(client, people):
    from plans.models import Plan

    plan = Plan.objects.order_by("pk").first()
    links = {"/?stay=1": 'href="/admin/"', "/plans/": "/admin/plans/plan/add/", f"/plans/{plan.pk}/": "/change/"}
    problems = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(people[role])
        admitted = client.get("/admin/").status_code == 200
        offered = {url: link in client.get(url).content.decode() for url, link in links.items()}
        if admitted != (role in ADMIN_SITE) or any(shown != admitted for shown in offered.values()):
            problems.append(f"{role}: admin site {admitted}, offered {offered} (should be: {role in ADMIN_SITE})")
    assert not problems, "\n".join(problems)
