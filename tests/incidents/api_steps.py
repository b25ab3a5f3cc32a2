"""Shared by the incidents API tests (test_api*.py, test_duplicates*.py): two points 300 m
apart and a third 30 km away, a first report's body, posting a report, asking for a
transition, the officer's API client (`api`: without the gazetteer, unlike conftest's),
an instant some time ago and a natural-disaster report posted as is."""

from datetime import timedelta

import pytest
from django.utils import timezone

# Two points in 临江市: the second is ~300 m north-east of the first, the third ~30 km away.
HERE = (28.2000, 112.9600)
NEAR = (28.2020, 112.9622)
FAR = (28.4700, 112.9600)


@pytest.fixture
def api(officer, client_for, taxonomy):
    return client_for(officer)


def first_report(**extra):
    body = {
        "kind": "first",
        "channel": "phone",
        "title": "橘子洲段堤防管涌",
        "description": "橘子洲东侧堤防发现管涌险情，正在组织抢护。",
        "category": "natural_disaster",
        "subtype": "flood",
        "grade": "IV",
        "location_text": "橘子洲东侧堤防",
        "latitude": HERE[0],
        "longitude": HERE[1],
        "reporter_name": "李工",
        "reporter_phone": "13900000000",
    }
    body.update(extra)
    return body


def post_report(api, **extra):
    response = api.post("/api/v1/reports/", first_report(**extra), format="json")
    assert response.status_code == 201, response.data
    return response.data


def transition(api, incident_id, to, **extra):
    return api.post(f"/api/v1/incidents/{incident_id}/transition/", {"to": to, **extra}, format="json")


def ago(**kw):
    return (timezone.now() - timedelta(**kw)).isoformat()


def report(api, **body):
    """A natural-disaster first report by phone with these fields; its answer."""
    body = {"kind": "first", "channel": "phone", "category": "natural_disaster", **body}
    response = api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()
