"""The permission matrix: every API operation in /api/schema/ for every role.

Rules the duty office works by (CONTRACT.md, BRIEF.md):
- nobody anonymous gets anything but 401 (the token endpoint and iCal feeds have their own keys);
- nothing any role can send gives a 5xx;
- the wall board's account reads everything and changes nothing;
- the organisation, policies and the plan library are the administrator's;
- only leaders write instructions; liaisons never register, dispatch or steer incidents,
  and never see or act for another department.
The WebSocket side (4401 without credentials, liaisons' isolation, the board's kiosk token)
is in tests/test_event_stream.py and tests/browser/.
"""

import re

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.conftest import token_for

ROLES = ["anonymous", "admin", "duty_officer", "duty_leader", "leader", "liaison", "board"]
DENIED = {401, 403}

ADMIN_ONLY_WRITES = [
    "/api/v1/departments/",
    "/api/v1/people/",
    "/api/v1/duty-rules/",
    "/api/v1/holidays/",
    "/api/v1/escalation-steps/",
    "/api/v1/notification-channels/",
    "/api/v1/plans/",
    "/api/v1/subtypes/",
]
# (method, path) -> roles allowed past the permission check
EXPLICIT = {
    ("POST", "/api/v1/incidents/{id}/instructions/"): {"admin", "duty_leader", "leader"},
    ("POST", "/api/v1/reports/"): {"admin", "duty_officer", "duty_leader"},
    ("POST", "/api/v1/alerts/"): {"admin", "duty_officer", "duty_leader"},
    ("POST", "/api/v1/incidents/{id}/transition/"): {"admin", "duty_officer", "duty_leader"},
    ("POST", "/api/v1/incidents/{id}/merge/"): {"admin", "duty_officer", "duty_leader"},
}


@pytest.fixture(scope="module")
def operations(demo):
    schema = SchemaGenerator().get_schema(public=True)
    return [
        (method.upper(), path)
        for path, ops in sorted(schema["paths"].items())
        if path.startswith("/api/v1/")
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    ]


@pytest.fixture
def clients(db, demo):
    from dutyops.models import Department, Person

    people = {
        "admin": "admin",
        "duty_officer": "officer1",
        "duty_leader": "dleader",
        "leader": "leader",
        "liaison": "liaison_water",
    }
    out = {"anonymous": APIClient()}
    for role, username in people.items():
        out[role] = APIClient()
        out[role].credentials(HTTP_AUTHORIZATION=f"Token {token_for(Person.objects.get(username=username))}")
    board = Person.objects.create_user(
        username="wall-board", password="pw-12345678", department=Department.objects.get(code="LJ-ZBS")
    )
    board.set_roles(["board"])
    out["board"] = APIClient()
    out["board"].credentials(HTTP_AUTHORIZATION=f"Token {token_for(board)}")
    return out


def _concrete(path, admin):
    """The path with real ids from the demo data (the first item of its collection)."""
    match = re.match(r"(/api/v1/[^{]+?/)\{", path)
    if match:
        response = admin.get(match.group(1))
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else []
        items = body.get("results", body) if isinstance(body, dict) else body
        first = items[0]["id"] if isinstance(items, list) and items and "id" in items[0] else 999999
        path = re.sub(r"\{[^}]+\}", str(first), path, count=1)
    return re.sub(r"\{[^}]+\}", "x", path)


def test_every_operation_for_every_role(operations, clients):
    problems = []
    for method, path in operations:
        if method == "DELETE":
            continue  # deletes are covered per resource; here they would remove the demo data
        url = _concrete(path, clients["admin"])
        for role in ROLES:
            with transaction.atomic():
                status = getattr(clients[role], method.lower())(url, {}, format="json").status_code
                transaction.set_rollback(True)
            allowed = status not in DENIED
            where = f"{method} {path} as {role}: {status}"
            if status >= 500:
                problems.append(f"{where} (server error)")
            elif role == "anonymous":
                if path != "/api/v1/auth/token/" and "/ical/" not in path and status != 401:
                    problems.append(f"{where} (anonymous must get 401)")
            elif role == "board" and method != "GET" and path != "/api/v1/auth/token/" and allowed:
                problems.append(f"{where} (the wall board must not change anything)")
            elif (
                method != "GET"
                and any(path.startswith(p) for p in ADMIN_ONLY_WRITES)
                and role != "admin"
                and allowed
                and not path.startswith("/api/v1/plans/{id}/export")
            ):
                problems.append(f"{where} (administrator only)")
            elif (method, path) in EXPLICIT and allowed != (role in EXPLICIT[(method, path)]):
                problems.append(f"{where} (allowed: {sorted(EXPLICIT[(method, path)])})")
    assert not problems, "\n".join(problems)


def test_liaison_cannot_see_or_act_for_another_department(clients):
    from alerts.models import Alert
    from incidents.models import Incident

    liaison = clients["liaison"]
    foreign = Alert.objects.exclude(department__code="LJ-SWJ").first()
    own_ids = {a["id"] for a in liaison.get("/api/v1/alerts/?page_size=500").json()["results"]}
    assert foreign.pk not in own_ids
    assert liaison.post(f"/api/v1/alerts/{foreign.pk}/acknowledge/").status_code in (403, 404)
    assert liaison.post(f"/api/v1/alerts/{foreign.pk}/feedback/", {"text": "代签"}, format="json").status_code in (
        403,
        404,
    )
    unrelated = Incident.objects.exclude(alerts__department__code="LJ-SWJ").first()
    assert liaison.get(f"/api/v1/incidents/{unrelated.pk}/").status_code == 404
    listed = {i["id"] for i in liaison.get("/api/v1/incidents/?page_size=500").json()["results"]}
    assert unrelated.pk not in listed
