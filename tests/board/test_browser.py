"""The board, leaders' view and consoles in headless Chromium against a real daphne.

Run alone: .venv/bin/python -m pytest tests/browser -q. Screenshots go to docs/screenshots/.
"""

import io
import json
import os
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

# The ORM is used between Playwright calls (sync API, own event loop): safe, single-threaded.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.conftest import CHROMIUM, browser_context, token_for  # noqa: E402
from tests.conftest import CHROMIUM_ARGS as ARGS  # noqa: E402

pytestmark = [pytest.mark.browser]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium missing: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def session_page(browser, server, person, viewport=WIDE):
    """A browser context logged in as `person` (session cookie injected)."""
    client = Client()
    client.force_login(person)
    context = browser_context(browser, viewport=viewport)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)  # a shared, busy machine: a first page load can take >10 s
    return page


def post(server, person, path, body):
    req = urllib.request.Request(
        server.url + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token_for(person)}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def open_board(page, server, path="/board/"):
    page.goto(server.url + path)
    expect(page.locator("#live")).to_have_attribute("data-state", "live")


def test_board_shows_a_new_incident_within_two_seconds(browser, servers, officer, admin_user):
    server = servers.daphne()
    page = session_page(browser, server, admin_user)
    open_board(page, server)
    expect(page.locator("#kpi-total")).to_have_text("0")
    page.evaluate("window.__marker = 'no reload'")

    started = time.monotonic()
    post(server, officer, "/api/v1/reports/", {"title": "开福区化工园区储罐起火", "category": "accident_disaster", "grade": "II", "latitude": 28.29, "longitude": 113.02})  # fmt: skip
    row = page.locator("#incident-rows tr.inc", has_text="开福区化工园区储罐起火")
    expect(row).to_be_visible(timeout=2000)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed
    expect(page.locator("#kpi-II")).to_have_text("1")
    expect(page.locator("#feed")).to_contain_text("开福区化工园区储罐起火")
    assert page.evaluate("window.__marker") == "no reload"


def test_board_reconnects_after_a_restart_and_shows_what_it_missed(browser, servers, officer, admin_user):
    server = servers.daphne()
    page = session_page(browser, server, admin_user)
    open_board(page, server)
    page.evaluate("window.__marker = 'no reload'")
    post(server, officer, "/api/v1/reports/", {"title": "重启前的事件", "category": "natural_disaster"})
    expect(page.locator("#incident-rows")).to_contain_text("重启前的事件")

    server.stop()
    expect(page.locator("#live")).to_have_attribute("data-state", "reconnecting")
    expect(page.locator("#live")).to_contain_text("重连中")
    # Written while the server is down (straight to the database, as another process would).
    api = Client()
    api.force_login(officer)
    for title in ("停机期间的事件甲", "停机期间的事件乙"):
        response = api.post(
            "/api/v1/reports/", {"title": title, "category": "public_health"}, content_type="application/json"
        )
        assert response.status_code == 201
    server.start()

    expect(page.locator("#live")).to_have_attribute("data-state", "live", timeout=20_000)
    expect(page.locator("#incident-rows")).to_contain_text("停机期间的事件甲")
    expect(page.locator("#incident-rows")).to_contain_text("停机期间的事件乙")
    expect(page.locator("#kpi-total")).to_have_text("3")
    assert page.evaluate("window.__marker") == "no reload"


def test_liaison_signs_for_an_alert_and_the_board_count_drops_live(
    browser, servers, officer, admin_user, make_person, make_department
):
    from alerts import services as alert_services
    from incidents.models import Incident

    server = servers.daphne()
    water = make_department("市水利局")
    liaison = make_person("liaison", dept=water, full_name="孙涛")
    post(server, officer, "/api/v1/reports/", {"title": "湘江水位超警戒", "category": "natural_disaster", "grade": "III"})  # fmt: skip
    incident = Incident.objects.get(title="湘江水位超警戒")
    alert_services.dispatch_alert(
        incident=incident, department=water, duty="加强巡堤查险", actor=officer, source="manual"
    )

    board = session_page(browser, server, admin_user)
    open_board(board, server)
    expect(board.locator("#kpi-unsigned")).to_have_text("1")
    expect(board.locator("#unsigned-list")).to_contain_text("市水利局")

    console = session_page(browser, server, liaison, viewport=PHONE)
    console.goto(server.url + "/")  # the home page sends a liaison to its department console
    expect(console).to_have_url(server.url + "/alerts/console/")
    console.locator("#alert-list .ack").first.click()

    expect(board.locator("#kpi-unsigned")).to_have_text("0", timeout=2000)
    expect(board.locator("#alerts-empty")).to_be_visible()
    expect(board.locator("#feed")).to_contain_text("签收")


def test_intake_form_creates_an_incident_with_the_keyboard_only(browser, servers, officer):
    from incidents.models import Incident

    server = servers.daphne()
    page = session_page(browser, server, officer)
    page.goto(server.url + "/")  # an officer lands on the console
    expect(page).to_have_url(server.url + "/console/")
    expect(page.locator("#live")).to_have_attribute("data-state", "open")
    expect(page.locator("#f-title")).to_be_focused()

    kb = page.keyboard
    kb.type("岳麓区某小区燃气泄漏")
    kb.press("Tab")  # into the category group
    kb.press("ArrowRight")  # 事故灾难
    kb.press("Tab")  # into the grade group (待定 is checked)
    kb.press("ArrowRight")
    kb.press("ArrowRight")  # II级
    kb.press("Tab")  # channel: phone
    kb.press("Tab")
    kb.type("岳麓区桃子湖路 12 号")
    kb.press("Tab")
    kb.type("居民闻到燃气味，已疏散一个单元。")
    kb.press("Tab")
    kb.type("0")
    kb.press("Tab")
    kb.type("2")
    kb.press("Control+Enter")

    expect(page.locator("#intake-msg")).to_contain_text("已登记首报")
    incident = Incident.objects.get(title="岳麓区某小区燃气泄漏")
    assert (incident.category, incident.grade, incident.location_text) == (
        "accident_disaster",
        "II",
        "岳麓区桃子湖路 12 号",
    )
    assert incident.injuries == 2 and incident.deaths == 0
    # What the words suggest is offered for confirmation (the console has no subtype field); Esc skips.
    expect(page.locator("#confirm")).to_contain_text("类型")
    kb.press("Escape")
    expect(page.locator("#f-title")).to_be_focused()
    expect(page.locator("#f-title")).to_have_value("")
    expect(page.locator("#open-list")).to_contain_text("岳麓区某小区燃气泄漏", timeout=2000)
    expect(page.locator("#intake-msg a").first).to_have_attribute("href", f"/incidents/{incident.pk}/")

    # The same call again: the confirmation links the possible duplicate, to check and merge.
    page.fill("#f-title", "岳麓区某小区燃气泄漏")
    page.check("input[name=category][value=accident_disaster]")
    page.fill("#f-location", "岳麓区桃子湖路 12 号")
    page.keyboard.press("Control+Enter")
    expect(page.locator(f"#intake-msg a[href='/incidents/{incident.pk}/']")).to_have_text(f"#{incident.pk}")


def _demo_picture():
    """The demo jurisdiction plus a busy day: incidents of every grade, alerts, a pending activation."""
    from alerts import services as alert_services
    from dutyops.models import Department, Person
    from incidents.models import Incident

    call_command("seed_demo", verbosity=0)
    officer = Person.objects.get(username="officer1")
    client = Client()
    client.force_login(officer)
    extra = [
        (
            "开福区化工园区储罐起火",
            "accident_disaster",
            "hazardous_chemicals",
            "I",
            28.300,
            113.035,
            "开福区青竹湖化工园",
            1,
            6,
        ),
        ("京港澳高速临江段多车相撞", "accident_disaster", "traffic", "II", 28.150, 113.060, "京港澳高速 K1498", 2, 11),
        ("岳麓山景区突发山火", "natural_disaster", "forest_fire", "III", 28.185, 112.920, "岳麓山南坡", 0, 0),
        (
            "芙蓉区某学校食堂疑似食物中毒",
            "public_health",
            "food_poisoning",
            "III",
            28.190,
            113.010,
            "芙蓉区东湖路",
            0,
            23,
        ),
        ("开福区老旧小区停电", "accident_disaster", "power_supply", "IV", 28.262, 112.995, "开福区四方坪", None, None),
        ("橘子洲大桥行人聚集", "social_security", "", "IV", 28.205, 112.963, "橘子洲大桥", None, None),
    ]
    for title, category, subtype, grade, lat, lon, place, deaths, injuries in extra:
        body = {"title": title, "category": category, "grade": grade, "latitude": lat, "longitude": lon,
                "location_text": place, "channel": "phone", "description": f"{place}发生{title}。"}  # fmt: skip
        if subtype:
            body["subtype"] = subtype
        if deaths is not None:
            body.update(deaths=deaths, injuries=injuries)
        assert client.post("/api/v1/reports/", body, content_type="application/json").status_code == 201
    fire = Incident.objects.get(title="开福区化工园区储罐起火")
    for code, duty, minutes in [("LJ-XFJY", "立即调派力量扑救，设置警戒区", 15), ("LJ-STHJ", "开展周边大气和水体监测", 30),
                                ("LJ-WJW", "组织医疗救治力量待命", 45), ("LJ-KFQ", "组织周边群众转移安置", 5)]:  # fmt: skip
        alert_services.dispatch_alert(incident=fire, department=Department.objects.get(code=code), duty=duty,
                                      ack_minutes=minutes, actor=officer, source="manual")  # fmt: skip
    try:
        from plans import matching
        from plans import services as plan_services

        for match in matching.match_with_total(fire, limit=1)[0]:
            from plans.models import Plan

            plan_services.propose_activation(
                fire, Plan.objects.get(pk=match["plan"]), match["level"], officer, "火势蔓延，建议启动"
            )
    except Exception:  # noqa: BLE001 - the picture is still worth taking without a proposal
        pass
    return fire


def test_screenshots(browser, servers):
    from dutyops.models import Person

    fire = _demo_picture()
    server = servers.daphne()
    SHOTS.mkdir(parents=True, exist_ok=True)

    admin = Person.objects.get(username="admin")
    page = session_page(browser, server, admin)
    open_board(page, server)
    page.wait_for_timeout(1200)  # map boundary and markers drawn

    leader = Person.objects.get(username="leader")
    page = session_page(browser, server, leader)
    page.goto(server.url + "/")
    expect(page).to_have_url(server.url + "/board/leader/")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    page.wait_for_timeout(1200)
    page.locator(f"button.inc-title[data-open='{fire.pk}']").click()
    expect(page.locator("#d-title")).to_have_text(fire.title)
    expect(page.locator("#d-alerts")).to_contain_text("尚未答复")
    page.wait_for_timeout(800)
    # The drawer's pictures at every size: test_screenshots.py.
    # One click: an instruction goes through the existing API and lands on the timeline.
    page.locator("#d-instruction-text").fill("请市应急管理局牵头，全力处置，每小时续报。")
    page.select_option("#d-instruction-dept", index=1)  # the responsible department its case goes to
    page.locator("#d-instruction button[type=submit]").click()
    expect(page.locator("#d-msg")).to_contain_text("批示已发布")
    expect(page.locator("#d-timeline")).to_contain_text("批示", timeout=3000)

    # One click: the leader approves the pending activation; its alerts go out and the panel empties.
    page.locator("#d-close").click()
    approve = page.locator("#approval-list button[data-approve]")
    if approve.count():
        approve.first.click()
        page.locator("dialog.duty-confirm .confirm-yes").click()  # after seeing who gets which tasks
        expect(page.locator("#approvals-empty")).to_be_visible(timeout=10_000)
        expect(page.locator("#feed")).to_contain_text("启动")

    officer = Person.objects.get(username="officer1")
    page = session_page(browser, server, officer)
    page.goto(server.url + "/console/")
    expect(page.locator("#live")).to_have_attribute("data-state", "open")
    page.wait_for_timeout(500)

    liaison = Person.objects.get(username="liaison_fire")
    page = session_page(browser, server, liaison, viewport=PHONE)
    page.goto(server.url + "/alerts/console/")
    expect(page.locator("#live")).to_have_attribute("data-state", "open")


def test_kiosk_board_logs_in_with_its_token_and_goes_live(browser, servers, officer):
    out = io.StringIO()
    call_command("board_token", stdout=out)
    key = out.getvalue().strip().split("token=")[1]
    server = servers.daphne()
    context = browser_context(browser, viewport=WIDE)
    page = context.new_page()
    page.goto(f"{server.url}/board/?token={key}&rotate=10")
    expect(page).to_have_url(f"{server.url}/board/?rotate=10")  # the token leaves the address bar
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    expect(page.locator(".head-link")).to_have_count(0)  # a wall screen has nowhere else to go
    post(server, officer, "/api/v1/reports/", {"title": "大屏验证事件", "category": "social_security"})
    expect(page.locator("#incident-rows")).to_contain_text("大屏验证事件", timeout=2000)
    expect(page.locator("#board")).to_have_attribute("data-view", "map", timeout=12_000)  # rotation
    context.close()


def test_the_leaders_view_reaches_every_incident_the_wall_screen_only_what_fits(browser, servers, make_person):
    from incidents.models import Incident

    incidents = [
        Incident.objects.create(title=f"走查事件{n:02d}", category="accident_disaster", status="received")
        for n in range(25)
    ]
    server = servers.daphne()
    wall = session_page(browser, server, make_person("board"), viewport={"width": 1600, "height": 1000})
    open_board(wall, server)
    # The wall screen never scrolls: it pages through them all (test_layout_browser.py).
    expect(wall.locator("#inc-pager")).to_contain_text("第 1/")
    expect(wall.locator("#incident-rows tr.inc")).to_have_count(len(incidents))

    leader = session_page(browser, server, make_person("leader"), viewport={"width": 1600, "height": 1000})
    open_board(leader, server, "/board/leader/")
    expect(leader.locator("#incident-rows button.inc-title")).to_have_count(len(incidents))
    expect(leader.locator("#incident-rows tr.more")).to_have_count(0)
    last = leader.locator(f"button.inc-title[data-open='{incidents[0].pk}']")  # the oldest sorts last
    last.scroll_into_view_if_needed()
    last.click()
    expect(leader.locator("#d-title")).to_have_text("走查事件00")
