"""The officer's console in headless Chromium: a waterlogging call registered without a
subtype, the suggestion confirmed with one key, the grade with another."""

import pytest

from incidents.models import Incident
from incidents.seed import seed_reference_data
from tests.conftest import log_in

pytestmark = pytest.mark.browser


def test_the_officer_confirms_the_suggested_subtype_and_grade_with_one_key_each(servers, new_page, make_person):
    seed_reference_data()
    make_person("duty_officer", username="desk-officer", password="Duty@2026x")
    server = servers.daphne()
    page = new_page(viewport={"width": 1600, "height": 1000})
    log_in(page, server, "desk-officer", "/console/")

    page.keyboard.type("城区多处积水，车辆被淹")  # the title has the focus
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first category: natural disasters
    page.keyboard.press("Control+Enter")
    confirm = page.locator("#confirm")
    confirm.wait_for(state="visible", timeout=10000)
    assert "水旱灾害（洪涝）" in confirm.inner_text() and "积水" in confirm.inner_text()
    incident = Incident.objects.get()
    assert (incident.subtype, incident.subtype_source) == ("flood", "inferred")

    page.keyboard.press("Enter")  # confirm the subtype
    page.locator("#confirm .form-msg", has_text="已确认类型").wait_for(timeout=10000)
    page.keyboard.press("g")  # confirm the suggested grade
    page.locator("#confirm").wait_for(state="hidden", timeout=10000)
    incident.refresh_from_db()
    assert (incident.subtype_source, incident.grade, incident.grade_source) == ("confirmed", "IV", "confirmed")
    assert page.evaluate("document.activeElement.id") == "f-title"  # ready for the next call
    assert not page.problems
