"""Fixtures of the duty tests."""

import datetime

import pytest
from django.utils import timezone

from duty import services


@pytest.fixture
def shifts(department, make_person):
    now = timezone.now().replace(microsecond=0)
    out = make_person("duty_officer", full_name="交班员")
    out_lead = make_person("duty_leader", full_name="交班领导")
    inc = make_person("duty_officer", full_name="接班员")
    s1 = services.create_shift(
        duty_room=department,
        starts_at=now - datetime.timedelta(hours=23),
        ends_at=now + datetime.timedelta(hours=1),
        leader=out_lead,
        officers=[out],
    )
    s2 = services.create_shift(
        duty_room=department,
        starts_at=s1.ends_at,
        ends_at=s1.ends_at + datetime.timedelta(hours=24),
        officers=[inc],
    )
    return {"s1": s1, "s2": s2, "out": out, "out_lead": out_lead, "inc": inc}
