"""The officer's intake form in headless Chromium: keyboard only, while the caller talks."""

import os

import pytest

from incidents.models import Incident, Report
from incidents.seed import seed_reference_data
from tests.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(new_page):
    return new_page(viewport={"width": 1280, "height": 900})


def test_officer_logs_a_call_with_the_keyboard_and_sees_the_duplicate(servers, browser_page, make_person):
    seed_reference_data()
    make_person("duty_officer", username="kb-officer", password="Duty@2026x")
    server = servers.daphne()
    page = browser_page
    log_in(page, server, "kb-officer", "/incidents/intake/")

    def log_call(title, lat, lon):
        # Channel has the focus; Enter moves on field by field, Ctrl+Enter submits.
        assert page.evaluate("document.activeElement.name") == "channel"
        page.keyboard.press("Enter")  # kind: first report (default)
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.name") == "category"  # the hidden incident field is skipped
        page.select_option("select[name=category]", "natural_disaster")  # a select: keyboard users type to pick
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.name") == "title"
        page.keyboard.type(title)
        page.keyboard.press("Enter")
        page.keyboard.type("橘子洲东侧堤防")
        page.fill("input[name=latitude]", str(lat))
        page.fill("input[name=longitude]", str(lon))
        page.focus("input[name=injuries]")
        page.keyboard.type("2")
        page.keyboard.press("Control+Enter")
        page.locator("#intake-result .inc-ok").wait_for(timeout=10000)

    log_call("橘子洲堤防管涌", 28.2000, 112.9600)
    first = Incident.objects.get()
    report = first.reports.get()
    assert report.answered_at is not None and report.answered_at >= report.received_at  # time to answer
    assert first.injuries == 2

    page.keyboard.press("Alt+n")  # next call: a fresh form
    assert page.input_value("input[name=title]") == ""
    log_call("橘子洲东堤管涌险情", 28.2020, 112.9622)  # ~300 m away
    dup = page.locator("#intake-dups button", has_text="合并到此事件")
    dup.wait_for(timeout=10000)
    dup.click()
    page.locator("dialog.duty-confirm .confirm-yes").click()  # after seeing both incidents
    page.locator("#intake-result .inc-ok", has_text="已合并").wait_for(timeout=10000)
    assert Report.objects.filter(incident__in=[first.pk]).count() == 1
    second = Incident.objects.exclude(pk=first.pk).get()
    assert second.status == "merged" and second.merged_into_id == first.pk

    page.goto(f"{server.url}/incidents/{first.pk}/")
    body = page.inner_text("main")
    if os.environ.get("DUTYOPS_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['DUTYOPS_SCREENSHOTS']}/incident-detail.png", full_page=True)
        page.goto(f"{server.url}/incidents/intake/")
        page.screenshot(path=f"{os.environ['DUTYOPS_SCREENSHOTS']}/incident-intake.png", full_page=True)
        page.goto(f"{server.url}/incidents/?all=1")
        page.screenshot(path=f"{os.environ['DUTYOPS_SCREENSHOTS']}/incident-list.png", full_page=True)
    assert "时间线" in body and "合并" in body and body.count("首报") >= 2


def test_intake_shows_field_errors_in_place(servers, browser_page, make_person):
    seed_reference_data()
    make_person("duty_officer", username="kb-officer2", password="Duty@2026x")
    server = servers.daphne()
    page = browser_page
    log_in(page, server, "kb-officer2", "/incidents/intake/")
    page.keyboard.press("Control+Enter")  # nothing filled in
    page.locator('[data-err="category"]', has_text="首报必须选择事件分类").wait_for(timeout=10000)
    assert "首报必须填写标题" in page.inner_text('[data-err="title"]')
    assert Incident.objects.count() == 0
