"""The duty log and check-in from the officer's console, in headless Chromium on a real daphne
(issue 17, item 4): Alt+L opens the entry box, Enter saves; the console, the handover page
and the daily report read the same log; check-in is offered only to who is on the shift and
has not checked in; the handover form only to the outgoing shift. Instants are relative to now."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duty import services
from duty.models import CheckIn, DutyLogEntry
from incidents.services import intake
from tests.conftest import BROWSER_PASSWORD, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(department, make_person):
    now = timezone.now()
    on = make_person("duty_officer", username="on-shift", password=BROWSER_PASSWORD, full_name="张明")
    off = make_person("duty_officer", username="off-shift", password=BROWSER_PASSWORD, full_name="李华")
    shift = services.create_shift(
        duty_room=department,
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now + datetime.timedelta(hours=22),
        leader=make_person("duty_leader", full_name="陈带班"),
        officers=[on],
    )
    return {"on": on, "off": off, "shift": shift}


def log_lines(page):
    return [t.strip() for t in page.locator("#duty-log li").all_inner_texts()]


def test_a_log_entry_in_two_keystrokes_appears_on_the_handover_and_daily_report(servers, new_page, desk, department):
    shift, on = desk["shift"], desk["on"]
    services.add_log_entry(shift, on, text="市水文站通报水位上涨", kind="note")
    server = servers.daphne()
    page = new_page()
    log_in(page, server, "on-shift", "/console/")
    page.locator("#live[data-state=open]").wait_for()
    assert any("市水文站通报水位上涨" in line for line in log_lines(page))

    page.locator("#f-title").focus()  # the officer is typing an intake: the shortcut works from anywhere
    page.keyboard.press("Alt+KeyL")
    assert page.locator("#log-form").is_visible()
    assert page.evaluate("document.activeElement.id") == "log-text"
    page.fill("input[name=caller]", "岳麓区值班室")
    page.fill("input[name=answer_seconds]", "12")
    page.locator("#log-text").fill("来电报告橘子洲大桥交通事故，已转交警")
    page.locator("#log-text").press("Enter")
    page.wait_for_function(
        "() => document.getElementById('duty-log').textContent.includes('橘子洲大桥交通事故')", timeout=10000
    )
    assert page.locator("#log-form").is_hidden()
    entry = DutyLogEntry.objects.get(text="来电报告橘子洲大桥交通事故，已转交警")
    assert (entry.kind, entry.caller, entry.author_id) == ("call", "岳麓区值班室", on.pk)
    assert round((entry.answered_at - entry.received_at).total_seconds()) == 12
    console = log_lines(page)

    # The same lines on the handover page and the daily report.
    page.goto(f"{server.url}/duty/shifts/{shift.pk}/handover/")
    handover = page.locator("table.log tbody tr").all_inner_texts()
    assert len(handover) == len(console) == 2
    assert any("橘子洲大桥交通事故" in row and "12 秒" in row for row in handover)
    assert any("市水文站通报水位上涨" in row for row in handover)
    day = timezone.localtime(shift.starts_at).date()
    page.goto(f"{server.url}/duty/daily/{department.pk}/{day:%Y-%m-%d}/")
    assert "橘子洲大桥交通事故" in page.content()
    assert [p for p in page.problems if not p.endswith("/favicon.ico")] == []


def test_console_log_shows_report_intakes_like_the_handover(servers, new_page, desk):
    """The console used to read only the shift's own entries ("本班暂无日志记录") while the
    handover listed every report taken in: both now read duty.selectors.duty_log."""
    intake({"kind": "first", "title": "开福区化工园区储罐起火", "category": "accident_disaster"}, desk["on"])
    server = servers.daphne()
    page = new_page()
    log_in(page, server, "on-shift", "/console/")
    lines = log_lines(page)
    assert len(lines) == 1 and "开福区化工园区储罐起火" in lines[0] and "本班暂无日志记录" not in lines[0]


def test_check_in_only_for_who_is_on_the_shift_and_has_not(servers, new_page, desk):
    server = servers.daphne()
    page = new_page()
    log_in(page, server, "off-shift", "/console/")
    assert page.locator("button.checkin").count() == 0
    assert page.locator("a", has_text="交接班").count() == 0  # handover: the outgoing shift's
    assert page.locator("#log-open").count() == 0  # not on the shift: no log entry either

    page = new_page()
    log_in(page, server, "on-shift", "/console/")
    page.locator("button.checkin", has_text="到岗签到").click()
    page.wait_for_url("**/console/")
    assert CheckIn.objects.filter(shift=desk["shift"], person=desk["on"]).exists()
    assert page.locator("button.checkin").count() == 0
    assert "到岗" in page.locator("#checked-in").inner_text()
    assert "已到岗签到" in page.locator(".messages").inner_text()


def test_handover_form_only_for_the_outgoing_shift(servers, new_page, desk):
    server = servers.daphne()
    page = new_page()
    log_in(page, server, "off-shift", f"/duty/shifts/{desk['shift'].pk}/handover/")
    assert page.locator("textarea#note").count() == 0
    assert "您不在该班次上" in page.locator("#handover-not-yours").inner_text()
    page = new_page()
    log_in(page, server, "on-shift", f"/duty/shifts/{desk['shift'].pk}/handover/")
    assert page.locator("textarea#note").is_visible()


def test_the_handover_note_survives_a_reload_and_ctrl_enter_submits_it(servers, new_page, desk):
    """What the outgoing officer typed is kept across a reload (a draft per shift); the form
    shows the shared key hint, Ctrl+Enter submits it as on every form, and the draft goes
    once it is in."""
    from duty.models import Handover

    shift = desk["shift"]
    server = servers.daphne()
    page = new_page()
    url = f"/duty/shifts/{shift.pk}/handover/"
    log_in(page, server, "on-shift", url)
    note = page.locator("textarea#note")
    expect(page.locator("#handover-form .keys-hint")).to_have_text("回车：下一项 · Ctrl+回车：提交")
    note.fill("湘江水位仍在上涨，")
    page.wait_for_timeout(500)
    page.reload()
    expect(note).to_have_value("湘江水位仍在上涨，")
    expect(page.locator("#handover-form .draft-note")).to_be_visible()
    note.press("End")
    note.type("请接班后每小时联系水文站。")
    note.press("Control+Enter")
    page.wait_for_url(f"**{url}")
    expect(page.locator("textarea#note")).to_have_count(0)
    saved = Handover.objects.get(from_shift=shift)
    assert saved.note == "湘江水位仍在上涨，请接班后每小时联系水文站。"
    assert "请接班后每小时联系水文站" in page.content()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('dutyops.draft:handover'))") == []
