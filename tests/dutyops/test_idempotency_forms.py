"""Idempotency-Key on plain HTML forms posted to page views (dutyops/idempotency.py):
static/forms.js adds a `_idempotency_key` field to every form that posts; the same key
from the same person runs the view once, and a repeat gets the first answer (here a
redirect, kept as its target)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from duty import services
from duty.models import CheckIn
from dutyops.idempotency import REPLAYED_HEADER


@pytest.fixture
def shift(department, make_person):
    now = timezone.now()
    officer = make_person("duty_officer", username="form-officer")
    shift = services.create_shift(
        duty_room=department,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=8),
        officers=[officer],
    )
    return shift, officer


def _client(person):
    client = Client()
    client.force_login(person)
    return client


def test_a_double_posted_page_form_runs_once_and_both_land_on_the_same_page(shift):
    shift, officer = shift
    client = _client(officer)
    url = f"/duty/shifts/{shift.pk}/check-in/"
    first = client.post(url, {"_idempotency_key": "web-double-click-1"})
    again = client.post(url, {"_idempotency_key": "web-double-click-1"})
    assert first.status_code == again.status_code == 302
    assert again[REPLAYED_HEADER] == "true" and again["Location"] == first["Location"]
    assert REPLAYED_HEADER not in first
    assert CheckIn.objects.filter(shift=shift, person=officer).count() == 1
    # Another render's key is another submission: the view runs (and says so itself).
    other = client.post(url, {"_idempotency_key": "web-another-render"})
    assert other.status_code == 302 and REPLAYED_HEADER not in other


def test_a_form_key_belongs_to_its_person_and_forms_without_one_are_untouched(shift, make_person):
    shift, officer = shift
    url = f"/duty/shifts/{shift.pk}/check-in/"
    _client(officer).post(url, {"_idempotency_key": "web-shared-key"})
    stranger = make_person("duty_officer", username="form-stranger")
    theirs = _client(stranger).post(url, {"_idempotency_key": "web-shared-key"})
    assert REPLAYED_HEADER not in theirs  # not someone else's answer
    plain = _client(officer).post(url)
    assert plain.status_code == 302 and REPLAYED_HEADER not in plain


def test_an_anonymous_form_post_is_not_kept(shift):
    shift, _officer = shift
    client = Client()
    r = client.post(f"/duty/shifts/{shift.pk}/check-in/", {"_idempotency_key": "web-anon"})
    again = client.post(f"/duty/shifts/{shift.pk}/check-in/", {"_idempotency_key": "web-anon"})
    assert r.status_code == again.status_code == 302 and "/login/" in r["Location"]
    assert REPLAYED_HEADER not in again


def test_a_browser_session_with_its_csrf_token_is_recognised_on_the_api(officer):
    """A page's JSON POST (session cookie + X-CSRFToken) is its person's: the key holds.
    (The check used to parse the body without the view's parsers: every browser POST
    went through unrecognised, and a double-click made two incidents.)"""
    from incidents.models import Incident
    from incidents.seed import seed_reference_data

    seed_reference_data()
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    client.get("/incidents/intake/")
    token = client.cookies["csrftoken"].value
    body = {"kind": "first", "channel": "phone", "category": "accident_disaster", "title": "河西仓库起火"}

    def post(key):
        return client.post(
            "/api/v1/reports/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token, HTTP_IDEMPOTENCY_KEY=key
        )

    first, again = post("web-k1"), post("web-k1")
    assert first.status_code == again.status_code == 201 and again[REPLAYED_HEADER] == "true"
    assert again.content == first.content and Incident.objects.count() == 1
    # Without the CSRF token the key helps nobody: refused as before.
    bare = client.post("/api/v1/reports/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="web-k2")
    assert bare.status_code == 403 and Incident.objects.count() == 1
