"""The ways in: an office, a few gazetteer places, a system with its key."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from inbound import services as inbound
from incidents.models import Place

CAP = Path(__file__).resolve().parent.parent / "data" / "cap"

PLACES = [
    ("岳麓区", "岳麓区", "区县", 28.2350, 112.8800),
    ("开福区", "开福区", "区县", 28.2570, 112.9860),
    ("芙蓉区", "芙蓉区", "区县", 28.1930, 113.0000),
    ("望城区", "望城区", "区县", 28.3600, 112.8300),
    ("五一广场", "芙蓉区", "广场", 28.1960, 112.9770),
]


def iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds")


def cap_document(name, **times):
    """A sample document of tests/data/cap with its times filled in (relative to now)."""
    text = (CAP / name).read_text(encoding="utf-8")
    if "{sent}" not in text:
        return text.encode()
    now = timezone.now().replace(microsecond=0)
    values = {
        "sent": now - datetime.timedelta(minutes=10),
        "onset": now,
        "expires": now + datetime.timedelta(hours=6),
        "ref_sent": now - datetime.timedelta(minutes=30),
    }
    values.update(times)
    return text.format(**{k: iso(v) for k, v in values.items()}).encode()


@pytest.fixture
def places(db):
    for name, district, kind, lat, lon in PLACES:
        Place.objects.create(name=name, district=district, kind=kind, latitude=lat, longitude=lon)


@pytest.fixture
def source(db, department, places):
    found, key = inbound.create_source(None, name="市气象台预警发布系统")
    found.key = key
    return found


@pytest.fixture
def system():
    """An API client for a system: its key in X-Api-Key."""

    def make(key):
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=key)
        return client

    return make
