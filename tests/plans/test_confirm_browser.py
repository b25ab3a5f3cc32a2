"""Before a plan starts, the confirmation names the departments and their tasks
(GET consequences/, the one dialog of static/forms.js); nothing is sent until it is
confirmed, and what is sent is what it named. The leaders' view asks the same way."""

import pytest
from playwright.sync_api import expect

from alerts.models import Alert
from dutyops.seed import seed as seed_org
from incidents.seed import seed_reference_data
from plans import seed
from plans.models import Activation
from tests.conftest import log_in

pytestmark = pytest.mark.browser

FLOOD = {"title": "东江溃堤", "description": "特大洪水", "category": "natural_disaster", "subtype": "flood",
         "grade": "I", "channel": "phone", "kind": "first"}  # fmt: skip


@pytest.fixture
def flood(make_person):
    from incidents.services import intake

    seed_org()
    seed_reference_data()
    seed.seed()
    leader = make_person("leader", username="confirm-leader", password="Duty@2026x")
    _, incident, _ = intake(FLOOD, leader)
    return incident


def test_the_confirmation_names_departments_and_tasks_before_activation(servers, new_page, flood):
    server = servers.daphne()
    page = new_page(viewport={"width": 1440, "height": 900})
    log_in(page, server, "confirm-leader", f"/plans/incident/{flood.pk}/")
    box = page.locator("[data-plan]", has_text="临江市防汛抗旱应急预案").first
    box.locator("button[data-act=activate]").click()
    dialog = page.locator("dialog.duty-confirm")
    expect(dialog).to_be_visible()
    text = dialog.inner_text()
    assert "临江市防汛抗旱应急预案" in text and "各单位任务" in text
    named = [li.inner_text() for li in dialog.locator("section.consequence li").all()]
    assert named and all("：" in item and "分钟内签收" in item for item in named)
    assert not Activation.objects.exists() and not Alert.objects.exists()  # nothing before the answer

    dialog.locator(".confirm-no").click()
    expect(dialog).to_have_count(0)
    assert not Activation.objects.exists()

    box.locator("button[data-act=activate]").click()
    page.locator("dialog.duty-confirm .confirm-yes").click()
    page.locator("[data-activation]", has_text="响应中").wait_for(timeout=10000)
    sent = {a.department.name: a.duty for a in Alert.objects.select_related("department")}
    assert len(sent) == len(named)
    for name, duty in sent.items():
        assert any(item.startswith(name + "：") and duty in item for item in named), (name, named)
    assert not page.problems


def test_the_leaders_view_asks_before_it_starts_a_plan(servers, new_page, flood):
    server = servers.daphne()
    page = new_page(viewport={"width": 1440, "height": 900})
    log_in(page, server, "confirm-leader", "/board/leader/")
    page.locator(f"button.inc-title[data-open='{flood.pk}']").first.click()
    start = page.locator("#d-matches button[data-activate]").first
    start.wait_for(timeout=10000)
    start.click()
    dialog = page.locator("dialog.duty-confirm")
    expect(dialog).to_contain_text("各单位任务")
    assert not Activation.objects.exists()
    dialog.locator(".confirm-yes").click()
    expect(page.locator("#d-msg")).to_contain_text("预案已启动", timeout=10000)
    assert Activation.objects.get().state == "active" and Alert.objects.exists()

    # An instruction asks for its responsible department, and its case goes there.
    page.locator("#d-instruction-text").fill("请水利局全力抢险，每小时续报。")
    page.locator("#d-instruction button[type=submit]").click()
    page.wait_for_timeout(300)
    assert page.evaluate("document.getElementById('d-instruction-dept').validity.valueMissing")  # asked for
    from incidents.models import Instruction

    assert not Instruction.objects.exists()
    page.select_option("#d-instruction-dept", label="市水利局")
    page.locator("#d-instruction button[type=submit]").click()
    expect(page.locator("#d-msg")).to_contain_text("批示已发布")
    from alerts.models import SupervisionCase

    case = SupervisionCase.objects.get()
    assert [d.name for d in case.departments.all()] == ["市水利局"]
    assert not page.problems


def _wait_for(condition, seconds=10):
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not done in time"
        time.sleep(0.2)


def _active_flood_plan(flood, level):
    from dutyops.models import Person
    from plans import services as plan_services
    from plans.models import Plan

    leader = Person.objects.get(username="confirm-leader")
    plan = Plan.objects.get(title="临江市防汛抗旱应急预案")
    plan_services.propose_activation(flood, plan, level, leader, "先行启动")
    activation = Activation.objects.get(incident=flood, plan=plan)
    assert activation.state == "active"
    return leader, activation


def test_level_change_and_termination_name_the_departments_first(servers, new_page, flood):
    """Raising the level names the departments that get new tasks; terminating names the
    departments whose open alerts close with it. Cancelled, nothing changes."""
    from plans import consequences

    leader, activation = _active_flood_plan(flood, "IV")
    expected = consequences.change_level(leader, activation, "I")["departments"]
    assert expected  # the flood plan's level I adds tasks to IV's
    before = Alert.objects.count()
    server = servers.daphne()
    page = new_page(viewport={"width": 1440, "height": 900})
    log_in(page, server, "confirm-leader", f"/plans/incident/{flood.pk}/")
    box = page.locator(f"[data-activation='{activation.pk}']")
    dialog = page.locator("dialog.duty-confirm")

    box.locator(".level-select").select_option("I")
    box.locator("button[data-act=change-level]").click()
    expect(dialog).to_contain_text("追加任务")
    named = [li.inner_text() for li in dialog.locator("section.consequence li").all()]
    for department in expected:
        assert any(item.startswith(department["name"] + "：") for item in named), (department["name"], named)
    dialog.locator(".confirm-no").click()
    expect(dialog).to_have_count(0)
    activation.refresh_from_db()
    assert activation.level == "IV" and Alert.objects.count() == before  # nothing before the answer
    box.locator("button[data-act=change-level]").click()
    dialog.locator(".confirm-yes").click()
    _wait_for(lambda: Activation.objects.get(pk=activation.pk).level == "I")
    page.wait_for_load_state("load")  # the page reloads on success
    sent = set(Alert.objects.filter(activation_id=activation.pk).values_list("department__name", flat=True))
    assert {d["name"] for d in expected} <= sent

    # Terminating: the open alerts that close with it, by department.
    box = page.locator(f"[data-activation='{activation.pk}']")
    box.locator(".reason").fill("险情解除")
    box.locator("button[data-act=terminate]").click()
    expect(dialog).to_contain_text("随之办结的通知")
    items = [li.inner_text() for li in dialog.locator("section.consequence li").all()]
    for name in sent:
        assert any(item.startswith(name + "：") for item in items), (name, items)
    dialog.locator(".confirm-yes").click()
    _wait_for(lambda: Activation.objects.get(pk=activation.pk).state == "terminated")
    expect(page.locator(f"[data-activation='{activation.pk}']")).to_contain_text("已终止", timeout=10_000)
    assert not Alert.objects.filter(activation_id=activation.pk).exclude(state=Alert.State.CLOSED).exists()
    assert not page.problems
