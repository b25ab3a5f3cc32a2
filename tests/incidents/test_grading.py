"""Grade suggestion: the national thresholds against the counts and scale words of a report."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidents import grading

RULES = grading.rules_from_file()


def suggest(text, category, subtype="", **fields):
    return grading.suggest(RULES, category=category, subtype=subtype, facts=grading.read_facts(text, **fields))


@pytest.mark.parametrize(
    "written,value",
    [
        ("12", 12),
        ("十二", 12),
        ("一百二十", 120),
        ("两", 2),
        ("三百余", 300),
        ("十几", 11),
        ("几十", 20),
        ("1.2万", 12000),
    ],
)
def test_counts_as_callers_write_them(written, value):
    assert grading.number(written) == value


@pytest.mark.parametrize(
    "text,category,subtype,grade",
    [
        ("造成3人死亡，5人受伤", "accident_disaster", "fire", "III"),
        ("事故造成12人遇难", "accident_disaster", "traffic", "II"),
        ("已紧急转移群众1200人", "natural_disaster", "flood", "III"),
        ("过火面积约15亩", "natural_disaster", "forest_fire", "III"),
        ("过火面积约3亩", "natural_disaster", "forest_fire", "IV"),
        ("邻县发生6.2级地震，我市震感强烈", "natural_disaster", "earthquake", "II"),
        ("上游水库发生溃坝", "natural_disaster", "flood", "II"),
        ("就餐人员中有43人出现腹痛腹泻", "public_health", "food_poisoning", "IV"),
        ("一次食物中毒120人，1人死亡", "public_health", "food_poisoning", "II"),
        ("约300名业主聚集并堵塞道路", "social_security", "mass_incident", "III"),
        ("现场无人员伤亡", "accident_disaster", "fire", "IV"),
    ],
)
def test_grade_follows_the_national_thresholds(text, category, subtype, grade):
    suggestion = suggest(text, category, subtype)
    assert suggestion["grade"] == grade
    assert suggestion["reasons"][0].startswith("建议")


def test_the_reasons_say_what_was_read_and_which_threshold_holds():
    suggestion = suggest("化工厂爆炸，2人死亡", "accident_disaster", "hazardous_chemicals", injuries=12)
    assert suggestion["grade"] == "III"
    assert "受伤（中毒、患病） 12 人 ≥ 10" in suggestion["reasons"][0]
    assert "据描述「2人死亡」" in suggestion["reasons"]
    assert suggestion["basis"] == {"deaths": 2, "injuries": 12}


def test_a_negated_death_is_not_a_death_and_the_text_never_lowers_a_field():
    assert suggest("未造成人员死亡", "accident_disaster", "fire")["basis"] == {}
    assert suggest("已疏散一个单元", "accident_disaster", "gas_supply")["basis"] == {}
    assert suggest("1人受伤", "accident_disaster", "fire", injuries=20)["basis"]["injuries"] == 20


def test_the_most_specific_rules_apply():
    # 300 dead and missing is III for most natural disasters' casualty rules, and I for an earthquake
    assert suggest("", "natural_disaster", "earthquake", deaths=50)["grade"] == "II"
    assert suggest("", "natural_disaster", "drought", deaths=50)["grade"] == "I"
    assert suggest("", "", "", deaths=5)["grade"] == "III"


@given(
    deaths=st.one_of(st.none(), st.integers(0, 10_000)),
    injuries=st.one_of(st.none(), st.integers(0, 10_000)),
    text=st.text(max_size=120),
    category=st.sampled_from(["", "natural_disaster", "accident_disaster", "public_health", "social_security"]),
    subtype=st.sampled_from(["", "flood", "earthquake", "forest_fire", "fire", "food_poisoning", "mass_incident"]),
)
def test_a_suggestion_is_always_a_grade_and_more_deaths_never_lower_it(deaths, injuries, text, category, subtype):
    base = suggest(text, category, subtype, deaths=deaths, injuries=injuries)
    assert base["grade"] in grading.GRADES and base["reasons"]
    more = suggest(text, category, subtype, deaths=(deaths or 0) + 50, injuries=injuries)
    assert grading.GRADES.index(more["grade"]) <= grading.GRADES.index(base["grade"])
