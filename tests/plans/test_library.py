"""The seeded plan library: valid, idempotent, and it matches the demo incidents sensibly."""

import pytest
from django.utils import translation

from dutyops.seed import seed as seed_org
from incidents.models import Incident
from incidents.seed import seed_reference_data
from plans import matching, reasons, seed
from plans.models import Plan
from plans.selectors import coverage_report


def texts(codes):
    """The reasons as a Chinese reader reads them (matching states them as data)."""
    with translation.override("zh-hans"):
        return reasons.texts(codes)


@pytest.fixture
def library(db):
    seed_org()
    seed_reference_data()
    seed.seed()


def test_library_loads_once_and_covers_the_brief(library):
    plans = Plan.objects.all()
    assert plans.count() == len(list(seed.LIBRARY.glob("*.yaml")))
    assert plans.filter(kind="general", status="issued").count() == 1
    assert plans.filter(kind="department").count() >= 3
    covered = {s for p in plans.filter(status="issued") for s in p.subtypes}
    for subtype in (
        "flood", "drought", "earthquake", "forest_fire", "geological", "meteorological", "fire",
        "water_supply", "power_supply", "gas_supply", "hazardous_chemicals", "environmental_pollution",
        "epidemic", "food_poisoning", "mass_incident",
    ):  # fmt: skip
        assert subtype in covered, subtype
    versions = {p.code: p.version for p in plans}
    seed.seed()
    assert {p.code: p.version for p in Plan.objects.all()} == versions


def test_library_matches_demo_like_incidents(library):
    flood = Incident(
        title="东江溃堤", category="natural_disaster", subtype="flood", grade="I", description="特大洪水，堤防溃口"
    )
    top = matching.match(flood)[0]
    assert (top["code"], top["level"]) == ("LJ-ZX-FXKH-2024", "I")
    assert texts(top["reason_codes"])[0] == "事件子类 水旱灾害（洪涝） 在本预案适用范围内（自然灾害）"
    codes = [m["code"] for m in matching.match(flood)]
    assert "LJ-ZT-2023" in codes  # the general plan applies too
    chem = Incident(
        title="储罐泄漏", category="accident_disaster", subtype="hazardous_chemicals", grade="III",
        latitude=28.31, longitude=113.01,
    )  # fmt: skip
    top = matching.match(chem)[0]
    assert (top["code"], top["level"]) == ("LJ-ZX-WHP-2024", "III")
    assert any("距中心 0 km ≤ 15 km" in r for r in texts(top["reason_codes"]))


def test_coverage_report_lists_uncovered_subtypes_and_overdue_reviews(library, time_machine):
    import datetime as dt

    from django.utils import timezone

    # The seeded plans' review dates are fixed: read them from 23 November 2026 (clock and report).
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=timezone.get_current_timezone()))
    report = coverage_report(today=timezone.localdate())
    uncovered = {s["code"] for s in report["uncovered_subtypes"]}
    assert {"terrorist_attack", "cyber_security", "building_collapse"} <= uncovered  # building: only a draft
    assert "flood" not in uncovered
    assert {p.code for p in report["overdue_review"]} >= {"LJ-ZX-DZ-2022", "LJ-ZX-HJWR-2022"}
    assert report["has_general_plan"]
