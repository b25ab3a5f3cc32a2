"""docs/api-versioning.md: the error answers it documents are the ones given."""

import json
import re

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from tests.conftest import ROOT

DOC = ROOT / "docs" / "api-versioning.md"
ERROR_STATUSES = {"400", "401", "403", "404", "409", "429", "503"}


def documented_answers():
    text = DOC.read_text(encoding="utf-8")
    return {m[1]: json.loads(m[2]) for m in re.finditer(r"<!-- answer: ([\w-]+) -->\n```json\n(.*?)\n```", text, re.S)}


REPORT = {"kind": "first", "channel": "phone", "title": "五一广场人员聚集", "category": "social_security"}


@pytest.fixture
def office(officer, client_for):
    from incidents.seed import seed_reference_data

    seed_reference_data()
    return client_for(officer)


def test_the_documented_field_errors_are_the_answers_given(office, admin_user, client_for, water):
    answers = documented_answers()
    assert set(answers) == {"report-with-unknown-category", "plan-task-without-department"}
    response = office.post("/api/v1/reports/", {**REPORT, "category": "weather"}, format="json")
    assert response.status_code == 400 and response.json() == answers["report-with-unknown-category"]
    task = {"duty": "巡堤查险", "ack_minutes": 30, "feedback_minutes": 120}
    plan = {
        "code": "T-FX",
        "title": "防汛应急预案",
        "kind": "specific",
        "status": "draft",
        "category": "natural_disaster",
        "levels": [
            {"level": "IV", "criteria": {}, "tasks": [{**task, "department": water.pk}]},
            {"level": "III", "criteria": {}, "tasks": [task]},
        ],
    }
    response = client_for(admin_user).post("/api/v1/plans/", plan, format="json")
    assert response.status_code == 400 and response.json() == answers["plan-task-without-department"]


def test_every_error_in_the_table_has_its_documented_shape(office, make_person, client_for, monkeypatch):
    def detail(response, status):
        assert response.status_code == status, response.content
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert isinstance(body["detail"], str) and body["detail"], body
        return response

    incident = office.post("/api/v1/reports/", REPORT, format="json").json()["incident"]
    # 400: field errors, a body that is no JSON object, a malformed key
    assert office.post("/api/v1/reports/", {**REPORT, "kind": "?"}, format="json").json() == {
        "kind": ["“?” 不是合法选项。"]
    }
    detail(office.generic("POST", "/api/v1/reports/", "[1, 2]", content_type="application/json"), 400)
    bad_key = office.post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="键")
    assert bad_key.status_code == 400 and list(bad_key.json()) == ["Idempotency-Key"]
    # 401 with its challenge, 403, 404, 409, 415, 422
    assert detail(APIClient().get("/api/v1/incidents/"), 401)["WWW-Authenticate"] == "Token"
    detail(client_for(make_person("leader")).post("/api/v1/reports/", REPORT, format="json"), 403)
    detail(office.get("/api/v1/incidents/999999/"), 404)
    detail(office.get("/api/v1/no-such-thing/"), 404)
    detail(office.post(f"/api/v1/incidents/{incident}/transition/", {"to": "stabilised"}, format="json"), 409)
    detail(
        office.generic("POST", "/api/v1/reports/", "kind=first", content_type="application/x-www-form-urlencoded"), 415
    )
    office.post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="k")
    detail(office.post("/api/v1/reports/", {**REPORT, "title": "另一起"}, format="json", HTTP_IDEMPOTENCY_KEY="k"), 422)
    # 503 when the database goes away, with Retry-After, with and without a key
    from incidents import views

    def lost(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(views.services, "intake", lost)
    assert detail(office.post("/api/v1/reports/", REPORT, format="json"), 503)["Retry-After"] == "5"
    keyed = office.post("/api/v1/reports/", REPORT, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert detail(keyed, 503)["Retry-After"] == "5"


def test_the_schema_declares_the_error_components_on_every_operation(admin_user, client_for):
    schema = client_for(admin_user).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = {code for code in operation["responses"] if code in ERROR_STATUSES}
            assert declared == ERROR_STATUSES, (method, path)
            for code in declared:
                ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ValidationError" if code == "400" else "/Error"), (method, path, code)
            if method in ("post", "put", "patch"):
                assert "415" in operation["responses"], (method, path)
            if operation.get("requestBody"):  # one type per body: JSON (or a document type, never a form)
                types = list(operation["requestBody"]["content"])
                assert len(types) == 1 and "form" not in types[0], (method, path, types)
