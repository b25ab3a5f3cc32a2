"""The plan matches page in headless Chromium, under the site's CSP (script-src 'self'):
from the incident page to its matches, a leader starts a plan with one click."""

import pytest

from dutyops.seed import seed as seed_org
from incidents.seed import seed_reference_data
from plans import seed
from plans.models import Activation
from tests.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(new_page):
    return new_page(viewport={"width": 1280, "height": 900})


def test_leader_starts_a_plan_from_the_incident_page(servers, browser_page, make_person):
    from incidents.services import intake

    seed_org()
    seed_reference_data()
    seed.seed()
    leader = make_person("leader", username="plan-leader", password="Duty@2026x")
    _, incident, _ = intake({"title": "东江溃堤", "description": "特大洪水", "category": "natural_disaster",
                             "subtype": "flood", "grade": "I", "channel": "phone", "kind": "first"}, leader)  # fmt: skip
    server = servers.daphne()
    page = browser_page
    blocked = []  # a CSP violation is reported on the console
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

    log_in(page, server, "plan-leader", f"/incidents/{incident.pk}/")
    page.click("text=预案匹配与启动")
    page.wait_for_url(f"**/plans/incident/{incident.pk}/")

    box = page.locator("[data-plan]", has_text="临江市防汛抗旱应急预案").first
    box.locator("input.reason").fill("溃堤，启动一级响应")
    box.locator("button[data-act=activate]").click()  # a leader's start applies at once, once confirmed
    page.locator("dialog.duty-confirm .confirm-yes").click()
    page.locator("[data-activation]", has_text="响应中").wait_for(timeout=10000)
    activation = Activation.objects.get(incident=incident)
    assert activation.state == "active" and activation.plan.title == "临江市防汛抗旱应急预案"
    assert blocked == []
