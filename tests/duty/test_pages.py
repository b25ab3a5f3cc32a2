"""Duty pages: roster month view with on-duty-now and check-in, handover form, daily report print view."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from duty import services
from duty.models import CheckIn, Handover, Holiday


@pytest.fixture
def live_shift(department, make_person):
    leader = make_person("duty_leader", full_name="陈带班")
    a = make_person("duty_officer", full_name="张值班")
    b = make_person("duty_officer", full_name="李值班")
    now = timezone.now()
    shift = services.create_shift(
        duty_room=department,
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now + datetime.timedelta(hours=22),
        leader=leader,
        officers=[a, b],
    )
    nxt = services.create_shift(
        duty_room=department,
        starts_at=shift.ends_at,
        ends_at=shift.ends_at + datetime.timedelta(hours=24),
        leader=make_person("duty_leader", full_name="刘带班"),
        officers=[make_person("duty_officer", full_name="王接班")],
    )
    return shift, nxt, leader, a, b


def login(person):
    c = Client()
    c.force_login(person)
    return c


def test_roster_page_shows_month_on_duty_now_and_checks_in(live_shift, department):
    shift, _nxt, _leader, a, _b = live_shift
    today = timezone.localdate()
    Holiday.objects.create(date=today, kind="holiday", name="测试节")
    c = login(a)
    r = c.get("/duty/", {"department": department.pk})
    html = r.content.decode()
    assert r.status_code == 200
    assert "当前值班" in html and "陈带班" in html and "张值班" in html and "测试节" in html
    assert "到岗签到" in html
    r = c.post(f"/duty/shifts/{shift.pk}/check-in/", follow=True)
    assert "已到岗签到" in r.content.decode()
    assert CheckIn.objects.filter(shift=shift, person=a).exists()
    assert "到岗签到" not in c.get("/duty/", {"department": department.pk}).content.decode().replace("提前到岗签到", "")


def test_roster_page_requires_login():
    r = Client().get("/duty/")
    assert r.status_code == 302


def test_handover_form_write_then_sign(live_shift, department):
    shift, nxt, _leader, a, _b = live_shift
    c = login(a)
    r = c.get(f"/duty/shifts/{shift.pk}/handover/")
    assert r.status_code == 200 and "填写交班事项" in r.content.decode()
    c.post(f"/duty/shifts/{shift.pk}/handover/", {"action": "write", "note": "一切正常，注意汛情。"})
    handover = Handover.objects.get(from_shift=shift)
    assert handover.to_shift == nxt
    incoming = nxt.officers.first()
    r = login(incoming).post(f"/duty/shifts/{shift.pk}/handover/", {"action": "sign", "sign_note": "已接"}, follow=True)
    assert "已签收交班记录" in r.content.decode()
    handover.refresh_from_db()
    assert handover.signed_by == incoming and handover.signed_at is not None


def test_daily_report_print_view(live_shift, department, make_person):
    shift, *_ = live_shift
    services.add_log_entry(
        shift,
        live_shift[3],
        kind="call",
        text="市民咨询道路积水",
        caller="市民",
        received_at=timezone.now() - datetime.timedelta(seconds=30),
        answered_at=timezone.now(),
    )
    day = timezone.localtime(shift.starts_at).date()
    r = login(live_shift[3]).get(f"/duty/daily/{department.pk}/{day:%Y-%m-%d}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "值班日报" in html and "市民咨询道路积水" in html and "@media print" in html and "30 秒" in html
    assert login(live_shift[3]).get(f"/duty/daily/{department.pk}/not-a-date/").status_code == 404


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_duty_pages_run_under_script_src_self(live_shift, department):
    """Under CSP script-src 'self' the browser ignores inline scripts and on*= handlers:
    every page's JavaScript is a static file."""
    shift, *_ = live_shift
    c = login(live_shift[3])
    day = timezone.localtime(shift.starts_at).date()
    for url in (
        f"/duty/?department={department.pk}",
        f"/duty/shifts/{shift.pk}/handover/",
        f"/duty/daily/{department.pk}/{day:%Y-%m-%d}/",
    ):
        r = c.get(url)
        html = r.content.decode()
        assert r.status_code == 200
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_HANDLER.search(html), url
    assert 'src="/static/duty/roster.js"' in c.get("/duty/").content.decode()


WEEKDAYS = {
    "zh-hans": ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


@pytest.mark.parametrize(("language", "column"), [("zh-hans", ">星期一<"), ("en", ">Mon<")])
def test_weekdays_are_in_the_reader_language(live_shift, department, language, column):
    shift, *_ = live_shift
    c = login(live_shift[3])
    day = timezone.localtime(shift.starts_at).date()
    report = c.get(f"/duty/daily/{department.pk}/{day:%Y-%m-%d}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert WEEKDAYS[language][day.weekday()] in report
    roster = c.get("/duty/", {"department": department.pk}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert column in roster and "周一" not in roster
