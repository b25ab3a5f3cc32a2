"""The department console in headless Chromium on a phone-sized screen: live countdown, sign-for, feedback, live arrival."""

import pytest
from django.utils import timezone

from alerts import services
from alerts.models import Alert
from dutyops.times import when
from incidents.models import Incident
from tests.conftest import log_in

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
    log_in(page, server, "water-liaison", "/alerts/console/")
    card = page.locator(f'.alert-card[data-id="{first.pk}"]')
    card.wait_for()
    assert "加强巡堤查险" in card.inner_text()
    assert f"签收时限 {when(first.ack_due_at)}" in card.inner_text()
    countdown = card.locator(".countdown")
    assert "签收剩 " in countdown.inner_text()
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


def _take_step(page, case, step, text=None, state=None):
    """Open a step's form on the case's row, fill it in and submit; wait for the reloaded row."""
    row = page.locator(f'tr[data-id="{case.pk}"]')
    form = row.locator(f'form[data-step="{step}"]')
    details = row.locator(f'details:has(form[data-step="{step}"])')
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    if text is not None:
        form.locator("textarea").fill(text)
    form.locator("button[type=submit]").click()
    if state:
        page.locator(f'tr[data-id="{case.pk}"][data-state="{state}"]').wait_for(timeout=10000)


def test_a_case_goes_through_the_ledger_page_from_assignment_to_recheck(
    servers, new_page, make_person, make_department, department
):
    from datetime import timedelta

    from alerts.models import SupervisionCase

    water = make_department("水利局", parent=department)
    make_person("duty_officer", username="ledger-officer", password="Duty@2026x")
    make_person("liaison", dept=water, username="ledger-water", password="Duty@2026x")
    case = services.open_case(
        title="排查临江河堤防隐患", content="三日内完成排查", deadline=timezone.now() + timedelta(days=3)
    )
    server = servers.daphne()
    office = new_page()
    log_in(office, server, "ledger-officer", "/alerts/supervision/")
    row = office.locator(f'tr[data-id="{case.pk}"][data-state="registered"]')
    assert row.locator('form[data-step="complete"]').count() == 0  # nothing to complete before it is assigned
    row.locator("summary", has_text="交办").click()
    row.locator('form[data-step="assign"] select').select_option(label="水利局")
    _take_step(office, case, "assign", state="assigned")

    liaison = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    log_in(liaison, server, "ledger-water", "/alerts/supervision/")
    assert liaison.locator('form[data-step="assign"], form[data-step="review"]').count() == 0  # office steps
    _take_step(liaison, case, "progress", "已排查 12 公里，发现 2 处渗水", state="in_progress")
    _take_step(liaison, case, "complete", "全段排查完毕，渗水点已处置", state="completed")

    office.reload()
    row = office.locator(f'tr[data-id="{case.pk}"]')
    row.locator("summary", has_text="复核").click()
    row.locator('input[name="accepted"][value="false"]').check()
    _take_step(office, case, "review")  # sent back without a reason: the API's message, nothing changes
    row.locator(".case-error", has_text="请说明退回原因").wait_for(timeout=10000)
    assert SupervisionCase.objects.get(pk=case.pk).state == "completed"
    row.locator('input[name="accepted"][value="true"]').check()
    row.locator('input[name="recheck_at"]').fill((timezone.localdate() + timedelta(days=30)).isoformat())
    _take_step(office, case, "review", "排查到位", state="reviewed")
    _take_step(office, case, "recheck", "汛后复查，无新增隐患")
    # The state stays "reviewed": the reloaded ledger shows the re-check as its last entry.
    office.locator(f'tr[data-id="{case.pk}"] li', has_text="汛后复查").wait_for(state="attached", timeout=10000)

    case.refresh_from_db()
    assert case.recheck_at is not None and timezone.localtime(case.recheck_at).hour == 9
    steps = list(case.entries.order_by("id").values_list("kind", "author__username"))
    assert [k for k, _ in steps][-5:] == ["assigned", "progress", "completed", "reviewed", "rechecked"]
    assert dict(steps)["progress"] == "ledger-water" and dict(steps)["rechecked"] == "ledger-officer"
    ledger = office.locator(f'tr[data-id="{case.pk}"] details').first
    ledger.locator("summary").click()
    assert "汛后复查，无新增隐患" in ledger.inner_text()
    # The one console error is the refused send-back (a 400 the page showed).
    assert [p for p in office.problems if "400" not in p or "/review/" not in p] == [] and not liaison.problems
