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
