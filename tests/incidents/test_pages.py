"""Incident pages: intake form, list and detail render in Chinese for a logged-in officer."""

import pytest
from django.test import Client

from incidents.seed import seed_reference_data
from tests.incidents.api_steps import first_report


@pytest.fixture
def browser(officer):
    seed_reference_data()
    client = Client()
    client.force_login(officer)
    return client


def test_pages_need_a_login(db):
    for url in ("/incidents/", "/incidents/intake/", "/incidents/1/"):
        assert Client().get(url).status_code == 302


def test_intake_form_lists_required_fields_first(browser):
    html = browser.get("/incidents/intake/").content.decode()
    assert "接报登记" in html and "Ctrl+回车" in html
    order = [html.index(label) for label in ('name="channel"', 'name="category"', 'name="title"', 'name="description"')]
    assert order == sorted(order)
    assert "flood" in html  # the subtype taxonomy is on the page
    assert "//cdn" not in html and "https://" not in html  # intranet: nothing from outside


def test_session_intake_needs_csrf_and_list_and_detail_show_the_incident(officer, client_for):
    seed_reference_data()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(officer)
    assert csrf_client.post("/api/v1/reports/", first_report(), content_type="application/json").status_code == 403
    csrf_client.get("/incidents/intake/")  # sets the csrftoken cookie
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        "/api/v1/reports/", first_report(is_drill=True), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201
    incident_id = response.json()["incident"]
    listing = csrf_client.get("/incidents/").content.decode()
    assert "橘子洲段堤防管涌" in listing and "演练" in listing
    detail = csrf_client.get(f"/incidents/{incident_id}/").content.decode()
    assert "时间线" in detail and "首报" in detail and "登记" in detail
    assert "状态变更" in detail  # officers may act
    assert f'href="/plans/incident/{incident_id}/"' in detail  # on to the plan matches page
    assert "<script>" not in detail and " onclick=" not in detail  # CSP script-src 'self'
