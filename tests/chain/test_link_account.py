"""The account standing for the higher installation (chain_link up --issue) only
posts its sign-for: its token is accepted on chain/receipts/ and refused (403)
on the sender's ordinary endpoints (it had been a duty officer of the office)."""

import pytest
from rest_framework.test import APIClient

from chain.models import Delivery, Link
from chain.seed import seed as seed_line
from dutyops.models import ApiToken
from dutyops.models.tokens import digest_of
from incidents.seed import seed_reference_data
from tests.chain.links import CITY_TOKEN, link_up


@pytest.fixture
def city(db):
    seed_reference_data()
    seed_line()
    link_up()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {CITY_TOKEN}")
    return client


def test_the_higher_installation_may_sign_for_our_report_and_nothing_else(city, officer, client_for):
    county = client_for(officer)
    body = {"kind": "first", "channel": "phone", "title": "芙蓉路化工仓库火灾", "category": "accident_disaster"}
    incident = county.post("/api/v1/reports/", body, format="json").data["incident"]
    sent = county.post(
        f"/api/v1/incidents/{incident}/upward-reports/", {"kind": "first", "unverified_reason": "紧急"}, format="json"
    )
    assert sent.status_code == 201, sent.data

    for path in (
        "/api/v1/incidents/",
        f"/api/v1/incidents/{incident}/",
        "/api/v1/reports/",
        "/api/v1/upward-reports/",
        "/api/v1/chain/inbox/",
        "/api/v1/alerts/",
        "/api/v1/people/",
    ):
        assert city.get(path).status_code == 403, path
    refused = [
        city.post("/api/v1/reports/", body, format="json"),
        city.post(f"/api/v1/incidents/{incident}/upward-reports/", {"kind": "final", "unverified_reason": "x"}),
        city.post(f"/api/v1/incidents/{incident}/verifications/", {"facts": "x", "method": "y"}, format="json"),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert city.post("/api/v1/chain/reports/", {}, format="json").status_code == 401  # not a link from below

    signed = city.post("/api/v1/chain/receipts/", {"report": sent.data["uuid"], "signed_by": "市值班员"}, format="json")
    assert signed.status_code == 200, signed.data
    delivery = Delivery.objects.get(link__direction="up")
    assert delivery.state == "acknowledged" and delivery.acknowledged_by == "市值班员"


def test_linking_again_takes_the_duty_officer_role_from_an_account_linked_before(city):
    account = Link.objects.get(direction="up").account
    account.set_roles(["duty_officer"])  # what chain_link up gave before (revoking the token)
    ApiToken.objects.create(user=account, digest=digest_of(CITY_TOKEN), prefix=CITY_TOKEN[:6])
    assert city.get("/api/v1/incidents/").status_code == 200
    link_up()
    account.refresh_from_db()
    assert not account.groups.exists()
    assert city.get("/api/v1/incidents/").status_code == 403
