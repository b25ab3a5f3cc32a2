"""Every page at every size it is used at, into docs/screenshots/<page>-<W>x<H>.png (issue 17):
the laptop sizes (1366x768, 1440x900, 1920x1080) and a phone (390x844), on the demo
jurisdiction with a busy picture. Run alone to refresh the pictures:

    .venv/bin/python -m pytest tests/board/test_screenshots.py -q

Each shot also checks the page at that size: nothing wider than the window (no sideways
scroll), and no console errors. README "First five minutes" shows some of them. The
leaders' view is also shot with its drawer open (leader-drawer-<W>x<H>.png).
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.board.test_browser import SHOTS, _demo_picture, session_page
from tests.board.test_browser import browser as browser  # noqa: F401 - the module's Chromium fixture

pytestmark = [pytest.mark.browser]

SIZES = [(1366, 768), (1440, 900), (1920, 1080), (390, 844)]


def pages(ids):
    """(name, username, path, ready-selector) for every page of the product."""
    today = timezone.localdate().isoformat()
    return [
        ("login", None, "/login/", "#id_username"),
        ("home", "admin", "/?stay=1", "main"),
        ("console", "officer1", "/console/", "#live[data-state=open]"),
        ("board", "wallboard", "/board/", "#live[data-state=live]"),
        ("leader", "leader", "/board/leader/", "#live[data-state=live]"),
        ("incidents", "officer1", "/incidents/", "main"),
        ("incident-detail", "officer1", f"/incidents/{ids['fire']}/", "main"),
        ("incident-intake", "officer1", "/incidents/intake/", "main"),
        ("incident-statistics", "officer1", "/incidents/statistics/", "main"),
        ("alerts-office", "officer1", "/alerts/", "#live[data-state=open]"),
        ("department-console", "liaison_fire", "/alerts/console/", "#live[data-state=open]"),
        ("supervision", "officer1", "/alerts/supervision/", "main"),
        ("performance", "officer1", "/alerts/performance/", "main"),
        ("roster", "officer1", "/duty/", "main"),
        ("handover", "officer1", f"/duty/shifts/{ids['shift']}/handover/", "main"),
        ("daily-report", "officer1", f"/duty/daily/{ids['room']}/{today}/", "main"),
        ("plans", "officer1", "/plans/", "main"),
        ("plan-detail", "officer1", f"/plans/{ids['plan']}/", "main"),
        ("plan-coverage", "officer1", "/plans/coverage/", "main"),
        ("plan-incident", "officer1", f"/plans/incident/{ids['fire']}/", "main"),
        ("plan-compare", "officer1", f"/plans/{ids['plan']}/compare/", "main"),
        ("warnings", "officer1", "/warnings/", "main"),
        ("accountability", "admin", "/accountability/", "main"),
        ("forbidden", "liaison_fire", "/alerts/", "main"),
    ]


def _registers_and_warnings(fire):
    """What the warnings page, the registers and a plan's version comparison show: one
    imported CAP warning, a finding and a staff error, and a second version of the first
    plan (a changed threshold). Times relative to now."""
    from accountability import services as accountability
    from dutyops.models import Department, Person
    from inbound import services as inbound
    from plans import services as plan_services
    from plans.models import Plan
    from tests.inbound.conftest import cap_document

    admin, officer = Person.objects.get(username="admin"), Person.objects.get(username="officer1")
    inbound.import_cap(cap_document("orange-typhoon-circle.xml"), actor=officer)
    inbound.import_cap(cap_document("yellow-heat-areadesc.xml"), actor=officer)
    now = timezone.now().replace(microsecond=0)
    accountability.record_finding(
        admin, kind="late", department=Department.objects.get(code="LJ-KFQ"), incident=fire,
        finding="首报晚于规定时限 18 分钟", decision="通报批评", due_at=now - datetime.timedelta(hours=3),
        reported_at=now - datetime.timedelta(hours=2, minutes=42),
    )  # fmt: skip
    accountability.record_staff_error(
        admin, kind="intake", person=officer, description="接报时漏记报告人联系电话",
        occurred_at=now - datetime.timedelta(hours=5),
    )  # fmt: skip
    plan = Plan.objects.order_by("pk").first()
    plan_services.update_plan(plan, {"title": plan.title + "（2026年修订）"}, admin, note="年度修订")
    return plan


def test_every_page_at_every_size(browser, servers):  # noqa: F811
    from duty import selectors as duty_selectors
    from dutyops.models import Department, Person

    fire = _demo_picture()
    plan = _registers_and_warnings(fire)
    room = Department.objects.get(code="LJ-ZBS")
    ids = {
        "fire": fire.pk,
        "room": room.pk,
        "shift": duty_selectors.on_duty(room.pk).shift.pk,
        "plan": plan.pk,
    }
    server = servers.daphne()
    SHOTS.mkdir(parents=True, exist_ok=True)
    people = {p.username: p for p in Person.objects.all()}
    problems = []
    started = timezone.now()
    for name, username, path, ready in pages(ids):
        for width, height in SIZES:
            if name in ("board",) and width < 1366:
                continue  # the wall screen is a wall screen
            viewport = {"width": width, "height": height}
            if username is None:
                from tests.conftest import browser_context

                page = browser_context(browser, viewport=viewport).new_page()
            else:
                page = session_page(browser, server, people[username], viewport=viewport)
            page.set_default_timeout(45_000)  # a shared, busy machine: pages may take a while
            errors = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(server.url + path)
            expect(page.locator(ready).first).to_be_attached(timeout=15_000)
            page.wait_for_timeout(900 if name in ("board", "leader") else 300)  # map tiles of the boundary drawn
            page.screenshot(path=SHOTS / f"{name}-{width}x{height}.png")
            if name == "leader":  # and its drill-down drawer with the 批示 form
                page.locator(f"button.inc-title[data-open='{fire.pk}']").click()
                expect(page.locator("#d-title")).to_have_text(fire.title)
                page.wait_for_timeout(500)
                page.screenshot(path=SHOTS / f"leader-drawer-{width}x{height}.png")
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            # The leaders' view is a laptop and wall-screen page, but on a phone it stacks and fits too.
            if wide > 1:
                problems.append(f"{name} at {width}x{height}: {wide}px wider than the window")
            problems += [f"{name} at {width}x{height}: {e}" for e in errors]
            page.context.close()
    assert problems == [], "\n".join(problems)
    assert timezone.now() - started < datetime.timedelta(minutes=20)
