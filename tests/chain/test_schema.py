"""The chain's answers are what /api/schema/ declares: a real report from below,
a real sign-for from above, an upward report and a sign-for at the receiver, each
validated against the served schema (its components resolved, OpenAPI's
`nullable` read as JSON Schema's null), and each body's keys exactly the declared
properties (a generated client reads what is declared, no more, no less)."""

import uuid

import jsonschema
import pytest

from chain.models import Link, Recipient
from chain.seed import seed as seed_line
from incidents.seed import seed_reference_data
from tests.openapi import declared, properties


def conforms(spec, path, method, status, answer):
    assert answer.status_code == status, answer.content
    schema = declared(spec, path, method, status)
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(answer.json())
    assert set(answer.json()) == properties(spec, schema), path


@pytest.fixture
def spec(admin_user, client_for):
    response = client_for(admin_user).get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def setup(db, make_person, make_department, client_for, officer):
    seed_reference_data()
    seed_line()
    district = make_department("芙蓉区值班室", kind="district")
    county_account = make_person("duty_officer", dept=district)
    down = Link.objects.create(name="芙蓉区", direction="down", url="http://county.invalid", account=county_account)
    city_account = make_person()
    up = Link.objects.create(name="市总值班室", direction="up", url="http://city.invalid", account=city_account)
    Recipient.objects.create(name="市总值班室", kind="duty_office", required=True, link=up)
    return {
        "officer": client_for(officer),
        "from_below": client_for(county_account),
        "from_above": client_for(city_account),
        "down": down,
    }


def test_the_chain_answers_match_the_served_schema(spec, setup):
    officer = setup["officer"]
    body = {"kind": "first", "channel": "phone", "title": "芙蓉路化工仓库火灾", "category": "accident_disaster"}
    incident = officer.post("/api/v1/reports/", body, format="json").data["incident"]
    sent = officer.post(
        f"/api/v1/incidents/{incident}/upward-reports/", {"kind": "first", "unverified_reason": "紧急"}, format="json"
    )
    conforms(spec, "/api/v1/incidents/{id}/upward-reports/", "post", 201, sent)

    # The higher installation's sign-for of it arrives here.
    receipt = {"protocol": "dutyops-chain/1", "report": sent.data["uuid"], "signed_by": "城市值班员"}
    signed = setup["from_above"].post("/api/v1/chain/receipts/", receipt, format="json")
    conforms(spec, "/api/v1/chain/receipts/", "post", 200, signed)
    assert signed.json()["state"] == "acknowledged"

    # A lower installation's report arrives here, and our officer signs for it.
    report = {
        "protocol": "dutyops-chain/1",
        "id": str(uuid.uuid4()),
        "incident_ref": "41",
        "kind": "first",
        "sender": {"unit": "芙蓉区人民政府总值班室", "signer": "区值班员", "contact": "0731-12346000"},
        "verified": False,
        "unverified_reason": "紧急",
        "incident": {"title": "河堤管涌", "category": "natural_disaster", "deaths": 0},
    }
    arrived = setup["from_below"].post("/api/v1/chain/reports/", report, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    conforms(spec, "/api/v1/chain/reports/", "post", 201, arrived)
    signed_here = officer.post(f"/api/v1/chain/inbox/{arrived.json()['id']}/sign/")
    conforms(spec, "/api/v1/chain/inbox/{id}/sign/", "post", 200, signed_here)


def test_the_link_answers_are_declared_not_left_open(spec):
    # Neither an empty body (the receipt's answer had been declared as none) nor the inbox row.
    expected = {
        ("/api/v1/chain/reports/", 201): {"id", "report", "incident", "received_at"},
        ("/api/v1/chain/receipts/", 200): {"delivery", "state"},
    }
    for (path, status), keys in expected.items():
        assert properties(spec, declared(spec, path, "post", status)) == keys
