"""The office's alert list (static/alerts/office.js): 办结 and 退回补充 go through the one
confirmation dialog of static/forms.js (issue 17, item 7). 办结 used to close an alert in
one click; 退回补充 used the browser's prompt(). The dialog names the department and says
what follows; a return cannot be confirmed without a reason. Instants are relative to now."""

import pytest
from playwright.sync_api import expect

from alerts import services
from alerts.models import Alert
from incidents.models import Incident
from tests.conftest import log_in

pytestmark = pytest.mark.browser


def test_close_and_return_ask_first_and_a_return_needs_its_reason(
    servers, new_page, make_person, make_department, department
):
    water = make_department("市水利局", parent=department)
    liaison = make_person("liaison", dept=water)
    make_person("duty_officer", username="oc-officer", password="Duty@2026x")
    incident = Incident.objects.create(title="湘江水位超警戒", category="natural_disaster")
    to_close = services.dispatch_alert(incident=incident, department=water, duty="加强巡堤查险", ack_minutes=30)
    to_return = services.dispatch_alert(incident=incident, department=water, duty="转移低洼群众", ack_minutes=30)
    services.acknowledge(to_return.pk, liaison)
    services.add_feedback(to_return.pk, liaison, "已转移 80 人")
    server = servers.daphne()
    page = new_page(viewport={"width": 1440, "height": 900})
    log_in(page, server, "oc-officer", "/alerts/")
    page.locator("#live[data-state=open]").wait_for()
    dialog = page.locator("dialog.duty-confirm")

    # 办结: a dialog that names the department and the task; cancelling closes nothing.
    row = page.locator(f'#office-rows tr[data-id="{to_close.pk}"]')
    row.locator("button", has_text="办结").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text(f"办结通知 #{to_close.pk}？")
    expect(dialog).to_contain_text("市水利局")
    expect(dialog).to_contain_text("加强巡堤查险")
    expect(dialog).to_contain_text("不再催办")
    dialog.locator(".confirm-no").click()
    expect(dialog).to_have_count(0)
    page.wait_for_timeout(300)
    to_close.refresh_from_db()
    assert to_close.state != Alert.State.CLOSED
    expect(row).to_be_visible()
    # Confirmed (with an optional note): closed, and the row leaves the table.
    row.locator("button", has_text="办结").click()
    dialog.locator("textarea.confirm-field").fill("险情已排除")
    dialog.locator(".confirm-yes").click()
    expect(row).to_have_count(0, timeout=10_000)
    to_close.refresh_from_db()
    assert (to_close.state, to_close.close_reason) == (Alert.State.CLOSED, "险情已排除")

    # 退回补充: no browser prompt; the same dialog, its confirm off until a reason is typed.
    native = []
    page.on("dialog", lambda d: (native.append(d.type), d.dismiss()))
    row = page.locator(f'#office-rows tr[data-id="{to_return.pk}"]')
    row.locator("button", has_text="退回补充").click()
    expect(dialog).to_contain_text("市水利局")
    expect(dialog).to_contain_text("退回原因（必填）")
    expect(dialog.locator(".confirm-yes")).to_be_disabled()
    dialog.locator("textarea.confirm-field").fill("   ")
    expect(dialog.locator(".confirm-yes")).to_be_disabled()
    dialog.locator("textarea.confirm-field").fill("请补充安置点名单")
    dialog.locator("textarea.confirm-field").press("Control+Enter")  # as on every form
    expect(row.locator("td.fb .why")).to_contain_text("请补充安置点名单", timeout=10_000)
    to_return.refresh_from_db()
    assert (to_return.state, to_return.return_reason) == (Alert.State.ACKNOWLEDGED, "请补充安置点名单")
    assert native == [] and not page.problems
