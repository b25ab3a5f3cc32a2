"""What a report's words name that is not where its event is (the duplicate scorer's tenth
version): the hospital the hurt were taken to, a place a written report sets apart, a
fault or an estate's kind read as a name, the caller's words read into a name; and a
village whose name begins with a word that elsewhere ends one (上洪村)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import geo

from .sightings import flagged, sight


def streets(tools, text):
    return geo.read_streets(text, tools[0])


def test_what_failed_an_estates_kind_and_the_callers_words_are_no_names(tools):
    assert not streets(tools, "室内电气线路老化短路引发火灾").roads
    assert not streets(tools, "芙蓉区一老旧小区居民家起火").named
    assert not streets(tools, "一个安置小区楼道冒烟").named
    assert streets(tools, "来电人称德峰小区一栋楼里在冒烟").named == {"德峰"}
    assert not streets(tools, "市民询问小区楼里冒烟是否着火").named
    assert streets(tools, "韶山路老旧小区改造工地").roads == {"韶山路"}  # a road before it is still a road


def test_a_village_whose_name_begins_with_a_stop_word_is_read(tools):
    def villages(text):
        return {name for name, kind in streets(tools, text).firms if kind == "村"}

    assert villages("张坊镇上洪村七组") == {"上洪"}
    assert villages("我家住在下湾村") == {"下湾"}
    assert villages("东山村") == {"东山"}
    assert not villages("路上村民在扑火")  # 村民 goes on: no village
    assert not villages("山上小村")  # 上 inside a word is no village's beginning


FIRE_CALL = (
    "三楼那户窗户里有火",
    "东屯渡街道远大路边上的农机宿舍5栋",
    "楼下三楼那户冒黑烟了，窗户里有火在烧，楼道里全是烟",
)
FIRE_REPORT = (
    "农机宿舍一住户火灾情况报告",
    "东屯渡街道农机宿舍5栋301室",
    "农机宿舍5栋301室因线路老化短路引发火灾，消防救出1名老人，送省人民医院，无生命危险。",
)


@pytest.mark.parametrize("order", ["caller-first", "report-first"])
def test_the_hospital_the_hurt_were_taken_to_does_not_set_a_fire_apart(tools, order):
    now = timezone.now()
    caller = sight(tools, FIRE_CALL[0], FIRE_CALL[1], now - timedelta(minutes=40), "fire", text=FIRE_CALL[2])
    written = sight(tools, *FIRE_REPORT[:2], now, "fire", text=FIRE_REPORT[2])
    assert "省人民医院" not in written.places
    new, old = (written, caller) if order == "caller-first" else (caller, written)
    assert flagged(tools, new, old)


def test_two_fires_whose_hurt_went_to_one_hospital_are_two_fires(tools):
    now = timezone.now()
    one = sight(
        tools, "出租屋起火一人烧伤", "雨花区圭塘街道", now - timedelta(minutes=50), "fire",
        text="一出租屋电动车充电起火，1人烧伤送省人民医院。",
    )  # fmt: skip
    other = sight(
        tools, "门面起火一人吸入浓烟", "开福区四方坪街道", now, "fire", text="一门面起火，1人吸入浓烟转至省人民医院。"
    )
    assert not flagged(tools, other, one) and not flagged(tools, one, other)
    at_the_hospital = sight(tools, "省人民医院门诊楼冒烟", "省人民医院", now, "fire")
    assert "省人民医院" in at_the_hospital.places  # a fire at the hospital is there


def test_a_place_a_written_report_sets_apart_is_not_where_its_event_is(tools):
    now, kind, cat = timezone.now(), "geological", "natural_disaster"
    written = sight(
        tools, "小溪村六组发生山体滑坡（非演练）", "张坊镇小溪村六组", now, kind, cat,
        text="小溪村六组一处屋后边坡发生滑坡，已转移5户。此为真实险情，与上洪村演练无关。",
    )  # fmt: skip
    assert {name for name, _kind in written.streets.firms} == {"小溪"}
    elsewhere = sight(
        tools, "广播喊后山要塌了", "张坊镇上洪村七组", now - timedelta(minutes=40), guess=kind, category=cat,
        text="村里广播一直在喊后山要塌了，叫大家往学校那边走。",
    )  # fmt: skip
    assert not flagged(tools, written, elsewhere)
    there = sight(
        tools, "屋后的山塌下来了", "张坊镇小溪村六组", now - timedelta(minutes=40), kind, cat,
        text="屋后面的山塌下来了，泥巴冲进了厨房。",
    )  # fmt: skip
    assert flagged(tools, written, there)
