"""The incident page's chain parts in headless Chromium: the office's officer
records a verification, reports up as verified, downloads the 信息专报 from the
page, and signs for a report that came from a lower installation."""

import uuid

import pytest

from chain import documents
from chain.models import Inbound, Link, UpwardReport, Verification
from chain.seed import seed as seed_line
from incidents.seed import seed_reference_data
from tests.conftest import BROWSER_PASSWORD, log_in

pytestmark = pytest.mark.browser


def test_verify_report_up_download_and_sign_for_on_the_incident_page(
    servers, new_page, make_person, make_department, client_for
):
    seed_reference_data()
    seed_line()
    officer = make_person("duty_officer", username="chain-officer", password=BROWSER_PASSWORD, full_name="张明")
    office = client_for(officer)
    body = {"kind": "first", "channel": "phone", "title": "芙蓉路化工仓库火灾", "category": "accident_disaster"}
    incident = office.post("/api/v1/reports/", body, format="json").data["incident"]
    county = make_person("duty_officer", dept=make_department("芙蓉区值班室", kind="district"))
    Link.objects.create(name="芙蓉区", direction="down", url="http://county.invalid", account=county)
    arrived = (
        client_for(county)
        .post(
            "/api/v1/chain/reports/",
            {
                "id": str(uuid.uuid4()),
                "incident_ref": "7",
                "kind": "first",
                "sender": {"unit": "芙蓉区人民政府总值班室", "signer": "区值班员"},
                "incident": {"title": "河堤管涌", "category": "natural_disaster"},
            },
            format="json",
        )
        .data
    )
    server = servers.daphne()
    page = new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    log_in(page, server, "chain-officer", f"/incidents/{incident}/")

    page.fill("#f-verify [name=facts]", "起火位置、受伤3人")
    page.fill("#f-verify [name=method]", "电话向消防现场指挥部核实")
    page.click("#f-verify button[type=submit]")
    page.locator("#verifications li", has_text="起火位置、受伤3人").wait_for(timeout=10000)
    assert Verification.objects.get().verified_by == officer

    page.check("#f-upward [name=verified]")
    page.fill("#f-upward [name=measures]", "消防出动8车40人")
    page.click("#f-upward button[type=submit]")
    link = page.locator("#upward-reports a[download]")
    link.wait_for(timeout=10000)
    upward = UpwardReport.objects.get()
    assert upward.verified and upward.kind == "first"
    with page.expect_download() as caught:
        link.click()
    text = documents.read_back(open(caught.value.path(), "rb").read())  # noqa: SIM115
    assert "芙蓉路化工仓库火灾" in text and "消防出动8车40人" in text

    page.goto(f"{server.url}/incidents/{arrived['incident']}/")
    page.click(f"button.sign-inbound[data-inbound='{arrived['id']}']")
    page.locator("#chain-inbound .tag", has_text="已签收").wait_for(timeout=10000)
    assert page.locator("button.sign-inbound").count() == 0
    inbound = Inbound.objects.get()
    assert inbound.signed_by == officer and inbound.signed_at is not None
    assert not page.problems, page.problems
