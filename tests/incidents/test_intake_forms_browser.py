"""The intake forms in headless Chromium: no way to make a mess by accident.

A double-click registers one incident; Enter moves between fields on both intake forms
(the full form and the console's quick form) and never submits, Ctrl+Enter does; the
follow-up form keeps its incident; what is typed survives a reload (static/forms.js)."""

import pytest

from incidents.models import Incident, Report
from incidents.seed import seed_reference_data
from tests.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def officer_page(servers, new_page, make_person):
    seed_reference_data()
    make_person("duty_officer", username="form-officer", password="Duty@2026x")
    server = servers.daphne()
    page = new_page(viewport={"width": 1366, "height": 768})
    return server, page


def problems(page):
    """Console errors, less the geocoder's 404 for a place it does not know (an answer, not a fault)."""
    return [p for p in page.problems if "/api/v1/geocode/" not in p]


def focused(page):
    return page.evaluate("document.activeElement.name || document.activeElement.id")


def test_a_double_click_on_the_full_form_registers_one_incident(officer_page):
    server, page = officer_page
    log_in(page, server, "form-officer", "/incidents/intake/")
    page.select_option("select[name=category]", "accident_disaster")
    page.fill("input[name=title]", "河西仓库起火")
    page.fill("input[name=location_text]", "河西物流园")
    page.locator("#intake-form button[type=submit]").dblclick()
    page.locator("#intake-result .inc-ok").wait_for(timeout=10000)
    page.wait_for_timeout(800)  # a second registration, if any, would land by now
    assert Incident.objects.count() == 1 and Report.objects.count() == 1

    # The server keeps its word too: the same key sent twice at once (past the page's own
    # guard) creates one incident, and the second answer is the first one replayed.
    answers = page.evaluate(
        """async () => {
          const key = DutyForms.newKey();
          const body = {kind: "first", channel: "phone", category: "accident_disaster", title: "岳麓山山火"};
          const send = () => fetch("/api/v1/reports/", {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": Duty.csrf(), "Idempotency-Key": key},
            body: JSON.stringify(body)}).then(async (r) => [r.status, (await r.json()).incident, r.headers.get("Idempotent-Replayed")]);
          return Promise.all([send(), send()]);
        }"""
    )
    assert [a[0] for a in answers] == [201, 201] and answers[0][1] == answers[1][1], answers
    assert sorted(str(a[2]) for a in answers) == ["None", "true"]
    assert Incident.objects.filter(title="岳麓山山火").count() == 1
    assert not problems(page)


def test_a_double_click_on_the_consoles_quick_form_registers_one_incident(officer_page):
    """The console's 登记首报 double-clicked: one incident, one report."""
    server, page = officer_page
    log_in(page, server, "form-officer", "/console/")
    page.locator("#f-title").fill("河西仓库起火")
    page.check("input[name=category][value=accident_disaster]")
    page.fill("#f-location", "河西物流园")
    page.locator("#f-submit").dblclick()
    page.locator("#intake-msg", has_text="已登记首报").wait_for(timeout=10000)
    page.wait_for_timeout(1000)  # a second registration, if any, would land by now
    assert Incident.objects.filter(title="河西仓库起火").count() == 1
    assert Incident.objects.count() == 1 and Report.objects.count() == 1
    assert not problems(page)


def test_enter_moves_on_and_never_submits_on_either_intake_form(officer_page):
    server, page = officer_page
    # The full form: Enter in every text field moves to the next one; nothing is registered.
    log_in(page, server, "form-officer", "/incidents/intake/")
    assert "回车：下一项" in page.inner_text("#intake-form") and "Ctrl+回车：提交" in page.inner_text("#intake-form")
    page.select_option("select[name=category]", "natural_disaster")
    page.focus("input[name=title]")
    page.keyboard.type("橘子洲堤防管涌")
    page.keyboard.press("Enter")
    assert focused(page) == "location_text"
    page.keyboard.type("橘子洲东侧堤防")
    page.keyboard.press("Enter")
    assert focused(page) == "received_at"
    page.wait_for_timeout(500)
    assert Incident.objects.count() == 0
    page.keyboard.press("Control+Enter")
    page.locator("#intake-result .inc-ok").wait_for(timeout=10000)
    assert Incident.objects.count() == 1

    # The console's quick form: the same keys. Enter in 地点 used to register a bare incident.
    page.goto(server.url + "/console/")
    assert "回车：下一项" in page.inner_text("#intake") and "Ctrl+回车：提交" in page.inner_text("#intake")
    page.locator("#f-title").wait_for()
    page.keyboard.type("岳麓区燃气泄漏")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "category"  # into the category group
    page.keyboard.press("ArrowRight")  # 事故灾难
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "grade"  # the group's checked option: 待定
    page.keyboard.press("Enter")
    assert focused(page) == "channel"
    page.keyboard.press("Enter")
    assert focused(page) == "location_text"
    page.keyboard.type("桃子湖路 12 号")
    page.keyboard.press("Enter")  # the Enter that used to register it
    assert focused(page) == "description"
    page.wait_for_timeout(500)
    assert Incident.objects.count() == 1
    page.keyboard.type("居民闻到燃气味")
    page.keyboard.press("Enter")  # a new line in the description, not a submit
    page.keyboard.press("Control+Enter")
    page.locator("#intake-msg", has_text="已登记首报").wait_for(timeout=10000)
    created = Incident.objects.get(title="岳麓区燃气泄漏")
    assert (created.category, created.location_text) == ("accident_disaster", "桃子湖路 12 号")
    assert Incident.objects.count() == 2
    assert not problems(page)


def test_the_follow_up_form_shows_and_keeps_its_incident(officer_page):
    server, page = officer_page
    from dutyops.models import Person
    from incidents.services import intake

    officer = Person.objects.get(username="form-officer")
    _, incident, _ = intake(
        {"kind": "first", "channel": "phone", "category": "natural_disaster", "title": "东江溃堤"}, officer
    )
    log_in(page, server, "form-officer", f"/incidents/{incident.pk}/")
    page.click("#add-follow-up")
    page.wait_for_url(f"**/incidents/intake/?incident={incident.pk}&kind=follow_up")
    banner = page.inner_text("#adds-to")
    assert f"#{incident.pk}" in banner and "东江溃堤" in banner and "不会新建事件" in banner
    assert page.input_value("select[name=kind]") == "follow_up"
    field = page.locator("input[name=incident]")
    assert (
        field.is_visible() and field.input_value() == str(incident.pk) and field.get_attribute("readonly") is not None
    )
    page.fill("textarea[name=description]", "水位回落，已转移群众 120 人")
    page.keyboard.press("Control+Enter")
    page.locator("#intake-result .inc-ok").wait_for(timeout=10000)
    assert Incident.objects.count() == 1
    report = Report.objects.get(kind="follow_up")
    assert report.incident_id == incident.pk and "120" in report.description
    # Alt+N for the next call on the same incident: it is still the one shown.
    page.keyboard.press("Alt+n")
    assert page.input_value("input[name=incident]") == str(incident.pk)
    assert page.input_value("select[name=kind]") == "follow_up"
    # The console's 续报 opens the same form.
    page.goto(server.url + "/console/")
    page.locator(f"#open-list a.follow[href*='incident={incident.pk}']").click()
    page.wait_for_url(f"**/incidents/intake/?incident={incident.pk}&kind=follow_up")
    assert f"#{incident.pk}" in page.inner_text("#adds-to")
    assert not problems(page)


def test_a_draft_survives_a_reload_and_goes_once_submitted(officer_page):
    server, page = officer_page
    log_in(page, server, "form-officer", "/incidents/intake/")
    page.select_option("select[name=category]", "accident_disaster")
    page.fill("input[name=title]", "河西仓库起火")
    page.fill("textarea[name=description]", "仓库冒烟，有明火，无人员被困")
    page.wait_for_timeout(500)  # saved as typed (debounced)
    page.reload()
    page.locator(".draft-note").wait_for(timeout=5000)
    assert page.input_value("input[name=title]") == "河西仓库起火"
    assert page.input_value("select[name=category]") == "accident_disaster"
    assert page.input_value("textarea[name=description]") == "仓库冒烟，有明火，无人员被困"
    page.keyboard.press("Control+Enter")
    page.locator("#intake-result .inc-ok").wait_for(timeout=10000)
    page.reload()
    assert page.input_value("input[name=title]") == "" and page.locator(".draft-note").count() == 0

    # The console's quick form keeps its own.
    page.goto(server.url + "/console/")
    page.fill("#f-title", "岳麓山山火")
    page.fill("#f-description", "山腰起火，面积约 2 亩")
    page.wait_for_timeout(500)
    page.reload()
    assert (
        page.input_value("#f-title") == "岳麓山山火" and page.input_value("#f-description") == "山腰起火，面积约 2 亩"
    )
    assert not problems(page)
