"""Duty pages in headless Chromium under the real Content-Security-Policy
(script-src 'self'): their scripts run, nothing is refused, and the controls work."""

import datetime

import pytest
from django.utils import timezone

from duty import services
from tests.conftest import BROWSER_PASSWORD, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(new_page):
    return new_page()


def problems(page):
    # The site has no favicon (not the duty pages' business).
    return [p for p in page.problems if not p.endswith("/favicon.ico")]


def test_roster_page_script_runs_switches_rooms_and_refreshes_live(
    servers, browser_page, make_person, make_department, department
):
    other = make_department("水利局值班室")
    officer = make_person("duty_officer", username="duty-zhang", password=BROWSER_PASSWORD, full_name="张值班")
    now = timezone.now()
    shift = services.create_shift(
        duty_room=department,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=23),
        leader=make_person("duty_leader", full_name="陈带班"),
        officers=[officer],
    )
    server = servers.daphne()
    page = browser_page
    log_in(page, server, "duty-zhang", f"/duty/?department={department.pk}")
    assert "陈带班" in page.locator("#now-card").inner_text()
    page.locator("#roster-page[data-live=open]").wait_for(timeout=10000)  # roster.js ran and connected

    # A roster change in this room re-renders "on duty now" without a reload.
    services.update_shift(shift, {"leader": make_person("duty_leader", full_name="刘带班")})
    page.wait_for_function("() => document.getElementById('now-card').textContent.includes('刘带班')", timeout=10000)

    # Choosing another room in the select loads that room (no inline onchange any more).
    page.select_option("#dept", str(other.pk))
    page.wait_for_url(f"**department={other.pk}**")
    assert "水利局值班室" in page.locator("#now-h").inner_text()
    assert problems(page) == []


def test_daily_report_print_button(servers, browser_page, make_person, department):
    make_person("duty_officer", username="duty-li", password=BROWSER_PASSWORD)
    server = servers.daphne()
    page = browser_page
    page.add_init_script("window.print = function () { window.printed = (window.printed || 0) + 1; };")
    day = timezone.localdate()
    url = f"/duty/daily/{department.pk}/{day:%Y-%m-%d}/"
    log_in(page, server, "duty-li", url)
    page.click("#print-report")
    assert page.evaluate("window.printed") == 1
    assert problems(page) == []
