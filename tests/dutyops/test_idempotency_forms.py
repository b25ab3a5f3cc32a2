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
