"""The department console in headless Chromium on a phone-sized screen: live countdown, sign-for, feedback, live arrival."""

import pytest
from django.utils import timezone

from alerts import services
from alerts.models import Alert
from incidents.models import Incident

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(new_page):
    # A phone set to another zone still shows times in the configured one (Asia/Shanghai).
    return new_page(viewport={"width": 390, "height": 844}, is_mobile=True, timezone_id="UTC")


def test_liaison_signs_and_feeds_back_on_a_phone_and_sees_new_alerts_live(
    servers, browser_page, make_person, make_department, department
):
    water = make_department("水利局", parent=department)
    make_person("liaison", dept=water, username="water-liaison", password="Duty@2026x")
    incident = Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")
    first = services.dispatch_alert(incident=incident, department=water, duty="加强巡堤查险", ack_minutes=30)
    server = servers.daphne()
    page = browser_page
    page.goto(f"{server.url}/login/?next=/alerts/console/")
    page.fill("#id_username", "water-liaison")
    page.fill("#id_password", "Duty@2026x")
    page.click("button[type=submit]")
    page.wait_for_url("**/alerts/console/")
    card = page.locator(f'.alert-card[data-id="{first.pk}"]')
    card.wait_for()
    assert "加强巡堤查险" in card.inner_text()
    assert f"签收时限 {timezone.localtime(first.ack_due_at):%m-%d %H:%M}" in card.inner_text()
    countdown = card.locator(".countdown")
    assert "签收剩余" in countdown.inner_text()
    before = countdown.inner_text()
    page.wait_for_function(
        "([sel, t]) => document.querySelector(sel).textContent !== t",
        arg=[f'.alert-card[data-id="{first.pk}"] .countdown', before],
        timeout=5000,
    )  # it ticks
    page.locator("#live[data-state=open]").wait_for(timeout=10000)
    # The page fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    card.locator("button.ack").click()  # one tap to sign for
    card = page.locator(f'.alert-card[data-id="{first.pk}"][data-state="acknowledged"]')
    card.wait_for(timeout=10000)
    card.locator("textarea").fill("已派出 3 个巡查组")
    card.locator(".fb button").click()  # second tap: feedback
    page.locator(f'.alert-card[data-id="{first.pk}"][data-state="fed_back"]').wait_for(timeout=10000)
    alert = Alert.objects.get(pk=first.pk)
    assert alert.state == "fed_back" and alert.acknowledged_by.username == "water-liaison"

    second = services.dispatch_alert(incident=incident, department=water, duty="转移低洼地带群众", ack_minutes=10)
    page.locator(f'.alert-card[data-id="{second.pk}"]').wait_for(timeout=10000)  # arrives live, no reload
    assert "转移低洼地带群众" in page.locator(f'.alert-card[data-id="{second.pk}"]').inner_text()
