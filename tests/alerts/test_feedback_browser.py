"""Feedback, seen by both sides: once sent it shows on the department's card and in the
office's alert table; the box clears and the button resets; a return shows why; what
is typed survives a reload (a draft per alert)."""

import pytest
from playwright.sync_api import expect

from alerts import services
from alerts.models import Feedback
from incidents.models import Incident
from tests.conftest import log_in

pytestmark = pytest.mark.browser


def test_feedback_shows_on_the_card_and_in_the_office_and_a_return_says_why(
    servers, new_page, make_person, make_department, department
):
    water = make_department("水利局", parent=department)
    make_person("liaison", dept=water, username="fb-liaison", password="Duty@2026x")
    make_person("duty_officer", username="fb-officer", password="Duty@2026x")
    incident = Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")
    alert = services.dispatch_alert(incident=incident, department=water, duty="加强巡堤查险", ack_minutes=30)
    server = servers.daphne()

    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    log_in(phone, server, "fb-liaison", "/alerts/console/")
    card = phone.locator(f'.alert-card[data-id="{alert.pk}"]')
    card.locator("button.ack").click()
    box = phone.locator(f'.alert-card[data-id="{alert.pk}"][data-state="acknowledged"] textarea')
    box.fill("已派出 3 个巡查组，")
    phone.wait_for_timeout(500)
    phone.reload()  # the draft survives
    box = phone.locator(f'.alert-card[data-id="{alert.pk}"] textarea')
    expect(box).to_have_value("已派出 3 个巡查组，")
    box.type("沿堤巡查无险情")
    phone.locator(f'.alert-card[data-id="{alert.pk}"] .fb button[type=submit]').click()

    card = phone.locator(f'.alert-card[data-id="{alert.pk}"][data-state="fed_back"]')
    expect(card.locator(".fb-list")).to_contain_text("已派出 3 个巡查组，沿堤巡查无险情", timeout=10000)
    expect(card.locator(".sent-ok")).to_be_visible()
    expect(card.locator("textarea")).to_have_value("")  # the box clears
    expect(card.locator(".fb button[type=submit]")).to_be_enabled()  # and the button resets
    assert Feedback.objects.filter(alert=alert).count() == 1
    phone.reload()
    expect(phone.locator(f'.alert-card[data-id="{alert.pk}"] textarea')).to_have_value("")  # draft gone once sent
    expect(phone.locator(f'.alert-card[data-id="{alert.pk}"] .fb-list')).to_contain_text("沿堤巡查无险情")

    office = new_page(viewport={"width": 1440, "height": 900})
    log_in(office, server, "fb-officer", "/alerts/")
    row = office.locator(f'#office-rows tr[data-id="{alert.pk}"]')
    expect(row.locator("td.fb")).to_contain_text("已派出 3 个巡查组，沿堤巡查无险情")
    row.locator("button", has_text="退回补充").click()  # the shared dialog asks for the reason
    dialog = office.locator("dialog.duty-confirm")
    dialog.locator("textarea.confirm-field").fill("请补充转移人数")
    dialog.locator(".confirm-yes").click()
    expect(row.locator("td.fb .why")).to_contain_text("请补充转移人数")

    # The department sees why, live.
    card = phone.locator(f'.alert-card[data-id="{alert.pk}"][data-state="acknowledged"]')
    expect(card.locator(".returned")).to_contain_text("请补充转移人数", timeout=10000)
    # A new feedback from the office's page view arrives in its table live too.
    card.locator("textarea").fill("已转移 120 人")
    card.locator(".fb button[type=submit]").click()
    expect(row.locator("td.fb")).to_contain_text("已转移 120 人", timeout=10000)
    assert Feedback.objects.filter(alert=alert).count() == 2
    assert not phone.problems and not office.problems
