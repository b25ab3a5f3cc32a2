"""The board, leaders' view and consoles at the sizes they are used at, the wall board's
pages, the map's labels, and stale state on a stopped server (issue 17, items 5 and 6).

Checked on element boxes, not pixels: tile labels pairwise apart, incident titles not
clipped (scrollWidth <= clientWidth), nothing wider than the window. Instants are
relative to now (deadlines a few minutes ahead)."""

import datetime
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dutyops.models import Department
from tests.board.test_browser import _demo_picture, open_board, session_page
from tests.board.test_browser import browser as browser  # noqa: F401 - the module's Chromium fixture

pytestmark = [pytest.mark.browser]

LAPTOPS = [(1366, 768), (1440, 900), (1920, 1080)]

# Boxes of the elements that must not overlap, and the titles that must not be clipped.
LAYOUT_JS = """
([labels, titles]) => {
  const boxes = Array.from(document.querySelectorAll(labels))
    .filter(e => e.offsetParent !== null)
    .map(e => { const r = e.getBoundingClientRect(); return {t: e.textContent.trim(), l: r.left, r: r.right, top: r.top, b: r.bottom}; });
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], c = boxes[j];
    if (a.l < c.r - 0.5 && c.l < a.r - 0.5 && a.top < c.b - 0.5 && c.top < a.b - 0.5) overlaps.push(a.t + " / " + c.t);
  }
  const clipped = Array.from(document.querySelectorAll(titles))
    .filter(e => e.offsetParent !== null)
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().width < 4 * 14)
    .map(e => e.textContent.trim() + " " + e.scrollWidth + ">" + e.clientWidth);
  const cells = Array.from(document.querySelectorAll("#incident-rows td.c-title, #open-list .oi-head"))
    .filter(e => e.offsetParent !== null)
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent.trim());
  return {labels: boxes.length, overlaps, clipped: clipped.concat(cells),
          wider: document.documentElement.scrollWidth - window.innerWidth};
}
"""


def layout(page, labels, titles):
    return page.evaluate(LAYOUT_JS, [labels, titles])


@pytest.fixture
def demo_picture(servers):
    from dutyops.models import Person

    _demo_picture()
    server = servers.daphne()
    return server, {p.username: p for p in Person.objects.all()}


def test_no_overlapping_labels_and_no_clipped_titles_at_laptop_sizes(browser, demo_picture):  # noqa: F811
    server, people = demo_picture
    found = {}
    for width, height in LAPTOPS:
        size = {"width": width, "height": height}
        for who, path, labels, titles in [
            ("leader", "/board/leader/", ".kpi span, .kpi b, .panel h2", "#incident-rows .inc-title"),
            ("wallboard", "/board/", ".kpi span, .kpi b, .panel h2", "#incident-rows .inc-title"),
            ("officer1", "/console/", ".desk-card h1, .desk-card h2, .oi-meta > *", "#open-list .oi-title"),
        ]:
            page = session_page(browser, server, people[who], viewport=size)
            page.goto(server.url + path)
            page.locator("#live[data-state=live], #live[data-state=open]").wait_for()
            page.wait_for_timeout(300)
            result = layout(page, labels, titles)
            assert result["labels"] >= 5, (who, width, result)
            found[(who, width)] = result
            assert page.locator(titles).count() >= 5, (who, width)
            page.context.close()
    bad = {k: v for k, v in found.items() if v["overlaps"] or v["clipped"] or v["wider"] > 0}
    assert bad == {}


def test_department_console_fits_a_phone(browser, demo_picture):  # noqa: F811
    server, people = demo_picture
    page = session_page(browser, server, people["liaison_fire"], viewport={"width": 390, "height": 844})
    page.goto(server.url + "/alerts/console/")
    page.locator("#live[data-state=open]").wait_for()
    result = layout(page, ".alert-card .badge, .alert-card .countdown", ".alert-card .incident")
    assert page.locator(".alert-card").count() >= 1
    assert (result["overlaps"], result["clipped"], result["wider"]) == ([], [], 0)


def test_the_wall_board_pages_through_twenty_incidents(browser, servers, make_person):  # noqa: F811
    from incidents.models import Incident

    titles = [f"走查事件{n:02d}号：临江区某街道道路积水需排涝" for n in range(20)]
    for n, title in enumerate(titles):
        Incident.objects.create(title=title, category="natural_disaster", grade=["III", "IV"][n % 2])
    server = servers.daphne()
    page = session_page(browser, server, make_person("board"), viewport={"width": 1920, "height": 1080})
    page.goto(server.url + "/board/?page_seconds=2")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    pager = page.locator("#inc-pager")
    expect(pager).to_be_visible()
    expect(page.locator("#incident-rows tr.more")).to_have_count(0)  # no "另有 N 起" any more
    pages = int(pager.get_attribute("data-pages"))
    assert pages >= 2 and pager.inner_text() == f"第 1/{pages} 页"
    seen, shown_pages = set(), set()
    deadline = time.monotonic() + 2 * pages + 8
    while time.monotonic() < deadline and len(seen) < 20:
        visible = page.evaluate(
            """() => { const panel = document.querySelector('.p-incidents').getBoundingClientRect();
                 return Array.from(document.querySelectorAll('#incident-rows tr.inc')).filter(tr => !tr.hidden)
                   .map(tr => { const r = tr.getBoundingClientRect();
                     return {t: tr.querySelector('.inc-title').textContent, inside: r.bottom <= panel.bottom + 0.5}; }); }"""
        )
        assert visible and all(v["inside"] for v in visible), visible  # a page fits its panel
        seen.update(v["t"] for v in visible)
        shown_pages.add(pager.inner_text())
        page.wait_for_timeout(500)
    assert seen == set(titles)
    assert {f"第 {n}/{pages} 页" for n in range(1, pages + 1)} <= shown_pages


def test_map_markers_never_cover_a_district_name(browser, demo_picture):  # noqa: F811
    from incidents.models import Incident

    server, people = demo_picture
    # Markers right on the district names' spots (the label points of the base map).
    for n, (lat, lon) in enumerate([(28.27, 112.99), (28.19, 113.01), (28.20, 112.90), (28.265, 112.985)]):
        Incident.objects.create(
            title=f"标注测试{n}", category="accident_disaster", grade="II", latitude=lat, longitude=lon
        )
    for width, height in LAPTOPS:
        page = session_page(browser, server, people["leader"], viewport={"width": width, "height": height})
        page.goto(server.url + "/board/leader/")
        page.locator("#live[data-state=live]").wait_for()
        page.locator(".leaflet-tooltip.area-label").first.wait_for()
        page.wait_for_timeout(400)
        hits = page.evaluate(
            """() => {
              const marks = Array.from(document.querySelectorAll('#map path.leaflet-interactive')).map(e => e.getBoundingClientRect());
              const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
              return Array.from(document.querySelectorAll('#map .leaflet-tooltip.area-label')).filter(l => {
                const r = l.getBoundingClientRect();
                return marks.some(m => hit(r, m));
              }).map(l => l.textContent);
            }"""
        )
        assert hits == [], (width, hits)
        page.context.close()


def test_stale_state_on_a_stopped_server_then_resync(browser, servers, admin_user, make_person):  # noqa: F811
    from alerts import services as alert_services
    from incidents.models import Incident

    water = Department.objects.create(code="T-WATER", name="市水利局", kind="department")
    incident = Incident.objects.create(title="湘江水位超警戒", category="natural_disaster", grade="III")
    alert_services.dispatch_alert(incident=incident, department=water, duty="加强巡堤查险", ack_minutes=30)
    Incident.objects.filter(pk=incident.pk).update(next_report_due_at=timezone.now() + datetime.timedelta(minutes=40))
    liaison = make_person("liaison", dept=water)
    server = servers.daphne()
    board = session_page(browser, server, admin_user)
    open_board(board, server)
    desk = session_page(browser, server, liaison, viewport={"width": 390, "height": 844})
    desk.goto(server.url + "/alerts/console/")
    desk.locator("#live[data-state=open]").wait_for()
    countdown = board.locator("#unsigned-list .countdown").first
    expect(countdown).to_contain_text("剩 ")
    expect(board.locator("#board .stale-note")).to_have_count(0)

    server.stop()
    expect(board.locator("#live")).to_have_attribute("data-state", "reconnecting")
    note = board.locator("#board .stale-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("连接已断开")
    now = timezone.localtime()
    assert f"{now.month}月{now.day}日" in note.inner_text()  # the time of the last update
    assert "stale" in board.locator("#board").get_attribute("class")
    # dimmed (the fade is a CSS transition: wait for it rather than read its first frame)
    # (a function, not a bare expression: Playwright evals a bare expression in the page, which the CSP forbids)
    board.wait_for_function("() => parseFloat(getComputedStyle(document.querySelector('.p-incidents')).opacity) < 1")
    frozen = countdown.inner_text()
    board.wait_for_timeout(2500)
    assert countdown.inner_text() == frozen  # the countdown stopped pretending
    expect(desk.locator("#console .stale-note")).to_be_visible()
    desk_countdown = desk.locator(".alert-card .countdown").first
    frozen_desk = desk_countdown.inner_text()
    desk.wait_for_timeout(2000)
    assert desk_countdown.inner_text() == frozen_desk

    # Written while the server is down; on reconnect both pages resync.
    Incident.objects.create(title="停机期间的新事件", category="public_health", grade="IV")
    alert_services.dispatch_alert(incident=incident, department=water, duty="转移低洼群众", ack_minutes=20)
    server.start()
    expect(board.locator("#live")).to_have_attribute("data-state", "live", timeout=20_000)
    expect(board.locator("#board .stale-note")).to_have_count(0)
    expect(board.locator("#incident-rows")).to_contain_text("停机期间的新事件", timeout=10_000)
    board.wait_for_timeout(1500)
    assert countdown.inner_text() != frozen  # ticking again
    expect(desk.locator("#console .stale-note")).to_have_count(0, timeout=20_000)
    expect(desk.locator("#alert-list")).to_contain_text("转移低洼群众", timeout=10_000)


DRAWER_JS = """
() => {
  const drawer = document.querySelector('#drawer').getBoundingClientRect();
  const body = document.querySelector('#drawer .drawer-body').getBoundingClientRect();
  const parts = ['#d-instruction-text', 'label[for=d-instruction-dept]', '#d-instruction-dept',
                 '#d-instruction button[type=submit]', '#d-instruction .keys-hint'];
  const boxes = parts.map(s => { const e = document.querySelector(s); const r = e.getBoundingClientRect();
    return {s, l: r.left, r: r.right, t: r.top, b: r.bottom, w: r.width,
            clipped: e.scrollWidth > e.clientWidth + 1 && e.tagName !== 'TEXTAREA' && e.tagName !== 'SELECT'}; });
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], c = boxes[j];
    if (a.l < c.r - 0.5 && c.l < a.r - 0.5 && a.t < c.b - 0.5 && c.t < a.b - 0.5) overlaps.push(a.s + ' / ' + c.s);
  }
  const outside = boxes.filter(b => b.l < drawer.left - 0.5 || b.r > drawer.right + 0.5 || b.w < 1).map(b => b.s);
  return {drawer: drawer.width, body: body.width, textarea: boxes[0].w, overlaps, outside,
          clipped: boxes.filter(b => b.clipped).map(b => b.s),
          wider: document.documentElement.scrollWidth - window.innerWidth};
}
"""


def test_the_instruction_form_in_the_drawer_takes_its_width_at_laptop_sizes(browser, demo_picture):  # noqa: F811
    """The leaders' 批示 box was squeezed to ~100 px beside its long label: the fields are
    stacked, the text box as wide as the drawer, nothing overlapping, clipped or outside."""
    from incidents.models import Incident

    server, people = demo_picture
    fire = Incident.objects.get(title="开福区化工园区储罐起火")
    found = {}
    for width, height in LAPTOPS:
        page = session_page(browser, server, people["leader"], viewport={"width": width, "height": height})
        page.goto(server.url + "/board/leader/")
        page.locator("#live[data-state=live]").wait_for()
        page.locator(f"button.inc-title[data-open='{fire.pk}']").click()
        expect(page.locator("#d-title")).to_have_text(fire.title)
        result = page.evaluate(DRAWER_JS)
        found[width] = result
        page.context.close()
    for width, r in found.items():
        assert r["textarea"] >= 0.85 * (r["body"] - 40) and r["textarea"] >= 400, (width, r)
        assert (r["overlaps"], r["outside"], r["clipped"], r["wider"]) == ([], [], [], 0), (width, r)


PHONE_JS = """
(sel) => {
  const W = window.innerWidth;
  const box = e => e.getBoundingClientRect();
  const outside = Array.from(document.querySelectorAll(sel.inside)).filter(e => e.offsetParent !== null)
    .filter(e => { const r = box(e); return r.width < 1 || r.left < -0.5 || r.right > W + 0.5; })
    .map(e => e.textContent.trim().slice(0, 20));
  // A cell "one character per line": narrower than three characters of its own font.
  const squeezed = Array.from(document.querySelectorAll(sel.cells)).filter(e => e.offsetParent !== null)
    .filter(e => e.textContent.trim().length > 1)
    .filter(e => box(e).width < 3 * parseFloat(getComputedStyle(e).fontSize))
    .map(e => e.textContent.trim().slice(0, 20));
  const tall = Array.from(document.querySelectorAll(sel.oneline || 'none')).filter(e => e.offsetParent !== null)
    .filter(e => box(e).height > 3.2 * parseFloat(getComputedStyle(e).fontSize))  // more than two lines
    .map(e => e.textContent.trim().slice(0, 20));
  return {outside, squeezed, tall, wider: document.documentElement.scrollWidth - W};
}
"""


def test_phone_menu_office_table_and_leaders_view_are_readable(browser, demo_picture):  # noqa: F811
    """At 390x844: every menu entry and the signed-in name in sight (the menu used to be cut
    at 预案 with no sign it scrolled); the office's alert table scrolls sideways with columns
    wide enough to read; the leaders' view stacks its panels, its title on at most two lines."""
    server, people = demo_picture
    phone = {"width": 390, "height": 844}
    page = session_page(browser, server, people["officer1"], viewport=phone)
    page.goto(server.url + "/alerts/")
    page.locator("#live[data-state=open]").wait_for()
    expect(page.locator("#office-rows tr").first).to_be_visible()
    result = page.evaluate(
        PHONE_JS,
        {"inside": ".topbar nav a, .logout span, .logout button", "cells": ".office-table :is(th, td):not(:first-child)",
         "oneline": ".office-table th"},
    )  # fmt: skip
    assert page.locator(".topbar nav a").count() >= 8
    expect(page.locator(".logout span")).to_have_text(str(people["officer1"]))
    expect(page.locator(".office .scroll-hint")).to_be_visible()
    assert result == {"outside": [], "squeezed": [], "tall": [], "wider": 0}, result
    page.context.close()

    page = session_page(browser, server, people["leader"], viewport=phone)
    page.goto(server.url + "/board/leader/")
    page.locator("#live[data-state=live]").wait_for()
    page.wait_for_timeout(300)
    result = page.evaluate(PHONE_JS, {"inside": ".panel, .screen-title h1", "cells": "#incident-rows td.c-title",
                                      "oneline": ".screen-title h1"})  # fmt: skip
    assert result == {"outside": [], "squeezed": [], "tall": [], "wider": 0}, result
    stacked = page.evaluate(
        "() => Array.from(document.querySelectorAll('.board > .panel')).filter(p => p.offsetParent !== null)"
        ".map(p => Math.round(p.getBoundingClientRect().left))"
    )
    assert len(stacked) >= 5 and len(set(stacked)) == 1, stacked  # one column
    assert layout(page, ".kpi span, .kpi b, .panel h2", "#incident-rows .inc-title")["overlaps"] == []
    page.context.close()


def test_console_at_1366x768_keeps_its_hint_on_one_line_and_check_in_in_sight(browser, demo_picture):  # noqa: F811
    """README sends officer1 (on the shift, not checked in) to 到岗签到 in the 本班 card: at
    1366x768 it is in the viewport without scrolling, and the key hint beside the submit
    button is one line (it used to wrap as "…提／交")."""
    server, people = demo_picture
    officer = people["officer1"]  # the demo's first login: on the shift now, not yet checked in
    page = session_page(browser, server, officer, viewport={"width": 1366, "height": 768})
    page.goto(server.url + "/console/")
    page.locator("#live[data-state=open]").wait_for()
    page.wait_for_timeout(300)
    expect(page.locator("button.checkin")).to_have_text("到岗签到")
    found = page.evaluate(
        """() => {
          const hint = document.getElementById('intake-keys'), button = document.querySelector('button.checkin');
          const h = hint.getBoundingClientRect(), b = button.getBoundingClientRect();
          const line = parseFloat(getComputedStyle(hint).lineHeight) || 1.5 * parseFloat(getComputedStyle(hint).fontSize);
          return {hintLines: Math.round(h.height / line), hintClipped: hint.scrollWidth > hint.clientWidth + 1,
                  hintText: hint.textContent, checkin: [b.top, b.bottom, b.left, b.right], scrolled: window.scrollY,
                  height: window.innerHeight, width: window.innerWidth};
        }"""
    )
    assert (found["hintLines"], found["hintClipped"]) == (1, False), found
    assert found["hintText"] == "回车：下一项 · Ctrl+回车：提交"
    top, bottom, left, right = found["checkin"]
    assert found["scrolled"] == 0 and top >= 0 and bottom <= found["height"] and right <= found["width"], found
    expect(page.locator("button.checkin")).to_have_text("到岗签到")
    page.context.close()


def test_stale_state_on_the_officers_console_and_the_leaders_view(browser, servers, make_person, department):  # noqa: F811
    """The officer's console and the leaders' view on a stopped server: a note with the time
    of the last update, the live parts dimmed, countdowns stopped; on restart both resync."""
    from alerts import services as alert_services
    from incidents.models import Incident

    water = Department.objects.create(code="T-WATER2", name="市水利局", kind="department")
    incident = Incident.objects.create(
        title="湘江水位超警戒", category="natural_disaster", grade="III", duty_room=department
    )
    alert_services.dispatch_alert(incident=incident, department=water, duty="加强巡堤查险", ack_minutes=30)
    Incident.objects.filter(pk=incident.pk).update(next_report_due_at=timezone.now() + datetime.timedelta(minutes=40))
    officer, leader = make_person("duty_officer"), make_person("leader")
    server = servers.daphne()
    desk = session_page(browser, server, officer, viewport={"width": 1366, "height": 768})
    desk.goto(server.url + "/console/")
    expect(desk.locator("#live")).to_have_attribute("data-state", "open")
    chief = session_page(browser, server, leader, viewport={"width": 1440, "height": 900})
    chief.goto(server.url + "/board/leader/")
    expect(chief.locator("#live")).to_have_attribute("data-state", "live")
    desk_due = desk.locator("#open-list [data-due]").first
    chief_due = chief.locator("#unsigned-list .countdown").first
    expect(desk_due).to_contain_text("剩 ")
    expect(chief_due).to_contain_text("剩 ")
    expect(desk.locator("#desk .stale-note")).to_have_count(0)

    server.stop()
    now = timezone.localtime()
    for page, root, dimmed, state in [
        (desk, "#desk", ".desk-card", "closed"),
        (chief, "#board", ".p-incidents", "reconnecting"),
    ]:
        expect(page.locator("#live")).to_have_attribute("data-state", state)
        note = page.locator(f"{root} .stale-note")
        expect(note).to_contain_text("连接已断开")
        assert f"{now.month}月{now.day}日" in note.inner_text()  # the time of the last update
        assert "stale" in page.locator(root).get_attribute("class")
        page.wait_for_function(
            "(sel) => parseFloat(getComputedStyle(document.querySelector(sel)).opacity) < 1", arg=dimmed
        )
    frozen = (desk_due.inner_text(), chief_due.inner_text())
    desk.wait_for_timeout(2500)
    assert (desk_due.inner_text(), chief_due.inner_text()) == frozen  # the countdowns stopped pretending

    Incident.objects.create(title="停机期间的新事件", category="public_health", grade="IV", duty_room=department)
    server.start()
    for page, root, rows in [(desk, "#desk", "#open-list"), (chief, "#board", "#incident-rows")]:
        expect(page.locator(f"{root} .stale-note")).to_have_count(0, timeout=20_000)
        expect(page.locator(rows)).to_contain_text("停机期间的新事件", timeout=10_000)
    desk.wait_for_timeout(1500)
    assert (desk_due.inner_text(), chief_due.inner_text()) != frozen  # ticking again
