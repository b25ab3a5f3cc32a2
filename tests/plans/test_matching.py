"""Criteria semantics, ranking and reasons of plan matching (pure, no database)."""

from dataclasses import dataclass

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from plans import reasons
from plans.matching import Facts, Index, compile_plan, holds, match


def texts(codes):
    """The reasons as a Chinese reader reads them (matching states them as data)."""
    with translation.override("zh-hans"):
        return reasons.texts(codes)


@dataclass
class Inc:
    category: str = "natural_disaster"
    subtype: str = "flood"
    grade: str | None = None
    deaths: int | None = None
    injuries: int | None = None
    missing: int | None = None
    title: str = ""
    description: str = ""
    location_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_drill: bool = False
    status: str = "received"


_ids = iter(range(1, 1_000_000))


def plan(levels, *, kind="specific", category="natural_disaster", subtypes=("flood",), keywords=(), code=None):
    pid = next(_ids)
    return compile_plan(
        {
            "id": pid,
            "code": code or f"P-{pid:05d}",
            "title": f"预案{pid}",
            "kind": kind,
            "category": category,
            "subtypes": list(subtypes),
            "keywords": list(keywords),
            "version": 1,
            "levels": [{"level": lv, "criteria": crit, "tasks": []} for lv, crit in levels.items()],
        }
    )


def index_of(*plans):
    index = Index("test")
    for p in plans:
        index.add(p)
    return index


def one_level(criteria):
    return plan({"IV": criteria}).levels[0][1]


def fits(criteria, **incident):
    return holds(one_level(criteria), Facts.of(Inc(**incident)))


# --- each criterion ------------------------------------------------------------------


def test_empty_criteria_always_hold():
    assert fits({})
    assert fits({}, grade=None, deaths=None)


def test_grades_hold_only_for_listed_grades_and_never_when_unassessed():
    crit = {"grades": ["I", "II"]}
    assert fits(crit, grade="I")
    assert fits(crit, grade="II")
    assert not fits(crit, grade="III")
    assert not fits(crit, grade="IV")
    assert not fits(crit, grade=None)


@pytest.mark.parametrize(
    "key,field", [("min_deaths", "deaths"), ("min_injuries", "injuries"), ("min_missing", "missing")]
)
def test_casualty_thresholds_are_inclusive(key, field):
    crit = {key: 3}
    assert not fits(crit, **{field: 2})
    assert fits(crit, **{field: 3})
    assert fits(crit, **{field: 4})
    assert not fits(crit, **{field: None}), "an unreported count does not meet a positive threshold"
    assert fits({key: 0}, **{field: None})


@given(threshold=st.integers(0, 10_000), count=st.integers(0, 10_000))
def test_deaths_threshold_holds_exactly_when_count_reaches_it(threshold, count):
    assert fits({"min_deaths": threshold}, deaths=count) == (count >= threshold)


def test_keywords_any_matches_title_description_or_location_case_insensitively():
    crit = {"keywords_any": ["溃坝", "Dam"]}
    assert fits(crit, title="某水库溃坝")
    assert fits(crit, description="上游 dam 出现险情")
    assert fits(crit, location_text="东江溃坝口")
    assert not fits(crit, title="城区内涝")


def test_within_km_uses_geodesic_distance_and_needs_a_location():
    # 0.1 degree of latitude is about 11.1 km.
    crit = {"within_km": 11.0, "center_lat": 28.0, "center_lon": 113.0}
    assert fits(crit, latitude=28.09, longitude=113.0)  # ~10 km
    assert not fits(crit, latitude=28.1, longitude=113.0)  # ~11.07 km
    assert not fits(crit, latitude=None, longitude=None)
    assert fits(crit, latitude=28.0, longitude=113.0)


def test_all_criteria_must_hold():
    crit = {"grades": ["I", "II"], "min_deaths": 3, "keywords_any": ["洪水"]}
    assert fits(crit, grade="II", deaths=3, title="特大洪水")
    assert not fits(crit, grade="III", deaths=3, title="特大洪水")
    assert not fits(crit, grade="II", deaths=2, title="特大洪水")
    assert not fits(crit, grade="II", deaths=3, title="山火")


# --- levels, scope, ranking -----------------------------------------------------------

FLOOD = {
    "I": {"grades": ["I"], "min_deaths": 10},
    "II": {"grades": ["I", "II"], "min_deaths": 3},
    "III": {"grades": ["I", "II", "III"]},
    "IV": {},
}


def test_recommended_level_is_the_highest_level_that_holds():
    p = plan(FLOOD)
    idx = index_of(p)
    assert match(Inc(grade="II", deaths=3), index=idx)[0]["level"] == "II"
    assert match(Inc(grade="I", deaths=12), index=idx)[0]["level"] == "I"
    assert match(Inc(grade="I", deaths=2), index=idx)[0]["level"] == "III"
    assert match(Inc(grade=None), index=idx)[0]["level"] == "IV"


def test_reasons_say_which_criteria_held_and_which_did_not():
    idx = index_of(plan(FLOOD))
    [m] = match(Inc(grade="II", deaths=3), index=idx)
    text = "\n".join(texts(m["reason_codes"]))
    assert "等级 II 符合（要求 I、II）" in text
    assert "死亡 3 人 ≥ 3" in text
    assert "一级响应未达到" in text and "死亡 3 人 < 10" in text and "等级 II 不符合（要求 I）" in text
    assert texts(m["reason_codes"])[0].startswith("事件子类 flood")  # no taxonomy loaded here: the code


def test_distance_reason_shows_kilometres():
    idx = index_of(plan({"II": {"within_km": 5, "center_lat": 28.2, "center_lon": 112.9}}))
    [m] = match(Inc(latitude=28.219, longitude=112.9), index=idx)
    assert any("距中心 2.1 km ≤ 5 km" in r for r in texts(m["reason_codes"]))


def test_no_plan_fits_gives_an_empty_list():
    idx = index_of(plan({"II": {"grades": ["I", "II"]}}))
    assert match(Inc(grade="IV"), index=idx) == []
    assert match(Inc(category="public_health", subtype="epidemic", grade="I"), index=idx) == []


def test_scope_category_and_subtype_prefilter():
    flood = plan({"IV": {}}, subtypes=("flood",))
    quake = plan({"IV": {}}, subtypes=("earthquake",))
    whole = plan({"IV": {}}, subtypes=())  # every natural disaster
    other = plan({"IV": {}}, category="public_health", subtypes=())
    idx = index_of(flood, quake, whole, other)
    got = {m["plan"] for m in match(Inc(subtype="flood"), index=idx)}
    assert got == {flood.id, whole.id}
    # subtype not yet known: every plan of the category is in play
    got = {m["plan"] for m in match(Inc(subtype=""), index=idx)}
    assert got == {flood.id, quake.id, whole.id}


def test_general_plans_apply_together_with_specific_ones_and_rank_below():
    general = plan({"II": {"grades": ["I", "II"]}, "IV": {}}, kind="general", category="", subtypes=())
    specific = plan({"II": {"grades": ["I", "II"]}, "IV": {}})
    idx = index_of(general, specific)
    result = match(Inc(grade="II"), index=idx)
    assert [m["plan"] for m in result] == [specific.id, general.id]
    assert result[0]["score"] > result[1]["score"]
    assert "总体预案" in texts(result[1]["reason_codes"])[0]
    # a general plan also covers incidents no specific plan covers
    assert [m["plan"] for m in match(Inc(category="social_security", subtype="mass_incident"), index=idx)] == [
        general.id
    ]


def test_ranking_prefers_exact_subtype_higher_level_and_keyword_hits():
    exact = plan({"IV": {}}, subtypes=("flood",))
    broad = plan({"IV": {}}, subtypes=())
    idx = index_of(broad, exact)
    assert [m["plan"] for m in match(Inc(), index=idx)] == [exact.id, broad.id]

    low = plan({"IV": {}}, code="A-LOW")
    high = plan({"II": {"grades": ["II"]}, "IV": {}}, code="B-HIGH")
    assert match(Inc(grade="II"), index=index_of(low, high))[0]["plan"] == high.id

    plain = plan({"IV": {}}, code="A-PLAIN")
    worded = plan({"IV": {}}, keywords=("水库",), code="B-WORD")
    result = match(Inc(title="某水库漫坝"), index=index_of(plain, worded))
    assert result[0]["plan"] == worded.id
    assert any("预案关键词命中：水库" in r for r in texts(result[0]["reason_codes"]))


@given(
    grade=st.sampled_from([None, "I", "II", "III", "IV"]),
    deaths=st.one_of(st.none(), st.integers(0, 50)),
)
def test_matching_is_consistent_with_level_criteria(grade, deaths):
    p = plan(FLOOD)
    facts = Facts.of(Inc(grade=grade, deaths=deaths))
    expected = next((name for name, crit in p.levels if holds(crit, facts)), None)
    result = match(Inc(grade=grade, deaths=deaths), index=index_of(p))
    assert (result[0]["level"] if result else None) == expected
    assert all(0 < m["score"] <= 100 for m in result)


@given(
    lat=st.floats(27.5, 29.0),
    lon=st.floats(112.3, 113.7),
    clat=st.floats(27.5, 29.0),
    clon=st.floats(112.3, 113.7),
    km=st.floats(0.5, 120),
)
def test_fast_distance_check_agrees_with_the_geodesic(lat, lon, clat, clon, km):
    from geopy.distance import geodesic

    facts = Facts.of(Inc(latitude=lat, longitude=lon))
    assert facts.within(km, clat, clon) == (geodesic((lat, lon), (clat, clon)).km <= km)
