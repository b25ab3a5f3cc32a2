"""The incident page's chain parts (issue 19): the general duty office's officer
records what was verified and downloads each upward report's 信息专报; a report
from below shows with its sign-for (签收) button, then who signed and when; a
room that may not report up or sign sees neither form nor button."""

import uuid

import pytest
from django.test import Client

from chain.models import Link
from chain.seed import seed as seed_line
from incidents.seed import seed_reference_data


@pytest.fixture
def office(officer, client_for, db):
    seed_reference_data()
    seed_line()
    return client_for(officer)


def page_of(person, incident):
    client = Client()
    client.force_login(person)
    response = client.get(f"/incidents/{incident}/")
    assert response.status_code == 200
    return client, response.content.decode()


def test_verification_and_the_written_report_on_the_incident_page(office, officer):
    body = {"kind": "first", "channel": "phone", "title": "芙蓉路化工仓库火灾", "category": "accident_disaster"}
    incident = office.post("/api/v1/reports/", body, format="json").data["incident"]
    _client, html = page_of(officer, incident)
    assert 'id="f-verify"' in html and "尚无核实记录" in html
    office.post(
        f"/api/v1/incidents/{incident}/verifications/",
        {"facts": "起火位置、受伤3人", "method": "电话向现场指挥部核实"},
        format="json",
    )
    sent = office.post(
        f"/api/v1/incidents/{incident}/upward-reports/", {"kind": "first", "verified": True}, format="json"
    ).data
    client, html = page_of(officer, incident)
    assert "起火位置、受伤3人" in html and "电话向现场指挥部核实" in html
    link = f'href="/api/v1/upward-reports/{sent["id"]}/document/"'
    assert link in html and "信息专报（DOCX）" in html
    document = client.get(f"/api/v1/upward-reports/{sent['id']}/document/")  # the page's session downloads it
    assert document.status_code == 200 and document["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_report_from_below_is_signed_for_on_the_incident_page(
    office, officer, make_person, make_department, client_for
):
    district = make_department("芙蓉区值班室", kind="district")
    county = make_person("duty_officer", dept=district)
    Link.objects.create(name="芙蓉区", direction="down", url="http://county.invalid", account=county)
    arrived = client_for(county).post(
        "/api/v1/chain/reports/",
        {
            "id": str(uuid.uuid4()),
            "incident_ref": "7",
            "kind": "first",
            "sender": {"unit": "芙蓉区人民政府总值班室", "signer": "区值班员"},
            "verified": False,
            "unverified_reason": "紧急",
            "incident": {"title": "河堤管涌", "category": "natural_disaster"},
        },
        format="json",
    )
    assert arrived.status_code == 201, arrived.data
    incident, inbound = arrived.data["incident"], arrived.data["id"]
    _client, html = page_of(officer, incident)
    assert 'id="chain-inbound"' in html and "芙蓉区人民政府总值班室" in html and "未经核实，先行报告" in html
    assert f'data-inbound="{inbound}"' in html
    # The district room sees the report, neither the sign-for button nor the forms to report up.
    _client, theirs = page_of(county, incident)
    assert 'id="chain-inbound"' in theirs and "data-inbound" not in theirs and "待签收" in theirs
    assert 'id="f-verify"' not in theirs and 'id="f-upward"' not in theirs
    assert office.post(f"/api/v1/chain/inbox/{inbound}/sign/").status_code == 200
    _client, html = page_of(officer, incident)
    assert "data-inbound" not in html and "已签收" in html and str(officer) in html
