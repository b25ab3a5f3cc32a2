"""Merge from where the officer works, and the one confirmation dialog: the console
offers 合并到 #N on a duplicate flagged at intake; the dialog shows both incidents
before anything happens; cancelling changes nothing."""

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from incidents.seed import seed_reference_data
from incidents.services import intake
from tests.conftest import log_in

pytestmark = pytest.mark.browser

CALL = {"channel": "phone", "kind": "first", "category": "accident_disaster", "latitude": 28.2, "longitude": 112.96}


def test_merge_a_flagged_duplicate_from_the_console_after_seeing_both(servers, new_page, make_person):
    seed_reference_data()
    officer = make_person("duty_officer", username="merge-officer", password="Duty@2026x")
    _, first, _ = intake({**CALL, "title": "桃子湖路燃气泄漏", "location_text": "桃子湖路 12 号"}, officer)
    server = servers.daphne()
    page = new_page(viewport={"width": 1440, "height": 900})
    log_in(page, server, "merge-officer", "/console/")
    expect(page.locator("#live")).to_have_attribute("data-state", "open")

    # The same call again, from the console: flagged, and the open list offers the merge.
    page.fill("#f-title", "桃子湖路小区燃气泄漏")
    page.check("input[name=category][value=accident_disaster]")
    page.fill("#f-location", "桃子湖路 12 号")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#intake-msg")).to_contain_text("疑似重复")
    second = Incident.objects.exclude(pk=first.pk).get()
    page.keyboard.press("Escape")  # skip the subtype suggestion
    offer = page.locator(f"#open-list button.merge[data-incident='{second.pk}'][data-into='{first.pk}']")
    expect(offer).to_have_text(f"合并到 #{first.pk}")

    # The confirmation shows both incidents; cancelling leaves both open.
    offer.click()
    dialog = page.locator("dialog.duty-confirm")
    expect(dialog).to_be_visible()
    text = dialog.inner_text()
    assert f"#{second.pk} 桃子湖路小区燃气泄漏" in text and f"#{first.pk} 桃子湖路燃气泄漏" in text
    assert f"将 #{second.pk} 合并到 #{first.pk}" in text
    expect(dialog.locator(".confirm-no")).to_be_focused()  # the safe choice has the focus
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    second.refresh_from_db()
    assert second.status == "received"

    offer.click()
    page.locator("dialog.duty-confirm .confirm-yes").click()
    expect(page.locator("#intake-msg")).to_contain_text(f"已将 #{second.pk} 合并到 #{first.pk}")
    second.refresh_from_db()
    assert second.status == "merged" and second.merged_into_id == first.pk
    expect(page.locator(f"#open-list button.merge[data-incident='{second.pk}']")).to_have_count(0)
    assert not page.problems


def test_merge_from_the_incident_page_and_close_say_what_they_do(servers, new_page, make_person):
    seed_reference_data()
    officer = make_person("duty_officer", username="merge-officer2", password="Duty@2026x")
    _, first, _ = intake({**CALL, "title": "桃子湖路燃气泄漏", "location_text": "桃子湖路 12 号"}, officer)
    _, second, _ = intake({**CALL, "title": "桃子湖路小区燃气泄漏", "location_text": "桃子湖路 12 号"}, officer)
    server = servers.daphne()
    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, server, "merge-officer2", f"/incidents/{second.pk}/")
    page.locator(f"#flagged-duplicates button[data-into='{first.pk}']").click()
    dialog = page.locator("dialog.duty-confirm")
    expect(dialog).to_contain_text(f"#{first.pk} 桃子湖路燃气泄漏")
    expect(dialog).to_contain_text(f"#{second.pk} 桃子湖路小区燃气泄漏")
    dialog.locator(".confirm-yes").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("本事件已合并至")
    second.refresh_from_db()
    assert second.merged_into_id == first.pk

    # Closing the surviving incident asks first, naming it.
    from incidents.services import transition

    for step in ("verifying", "responding", "stabilised"):
        transition(first, step, officer)
    page.goto(f"{server.url}/incidents/{first.pk}/")
    page.select_option("#f-transition select[name=to]", "closed")
    page.locator("#f-transition button[type=submit]").click()
    dialog = page.locator("dialog.duty-confirm")
    expect(dialog).to_contain_text(f"办结事件 #{first.pk} 桃子湖路燃气泄漏")
    dialog.locator(".confirm-no").click()
    first.refresh_from_db()
    assert first.status == "stabilised"
    assert not page.problems
