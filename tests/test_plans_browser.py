"""The plan matches page in headless Chromium, under the site's CSP (script-src 'self'):
from the incident page to its matches, a leader starts a plan with one click."""

import os

import pytest

from dutyops.seed import seed as seed_org
from incidents.seed import seed_reference_data
from plans import seed
from plans.models import Activation

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("DUTYOPS_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM) and os.environ.get("CI", "").lower() != "true":
        pytest.skip("chromium not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        yield context.new_page()
        browser.close()


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

    page.goto(f"{server.url}/login/?next=/incidents/{incident.pk}/")
    page.fill("#id_username", "plan-leader")
    page.fill("#id_password", "Duty@2026x")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    page.click("text=预案匹配与启动")
    page.wait_for_url(f"**/plans/incident/{incident.pk}/")

    box = page.locator("[data-plan]", has_text="临江市防汛抗旱应急预案").first
    box.locator("input.reason").fill("溃堤，启动一级响应")
    box.locator("button[data-act=activate]").click()  # a leader's start applies at once
    page.locator("[data-activation]", has_text="响应中").wait_for(timeout=10000)
    activation = Activation.objects.get(incident=incident)
    assert activation.state == "active" and activation.plan.title == "临江市防汛抗旱应急预案"
    assert blocked == []
