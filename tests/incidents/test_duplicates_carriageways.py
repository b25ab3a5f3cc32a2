"""The duplicate scorer's thirty-fifth version: an expressway's two carriageways. Two
reports each saying where its side of one road leads (长张高速往长沙方向, 往张家界方向; 京港澳往
广州方向, 往武汉方向; 往北走) are on its two sides when those places lie on either side of
the road's point, and are not one crash however near their kilometre markers; two that lead
one way (往益阳方向, 往张家界方向: both west) still may be."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import geo

from .sightings import flagged, sight


def _crash(tools, title, place, minutes_ago, text=""):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return sight(tools, title, place, at, "traffic", text=text)


@pytest.mark.parametrize(
    "text,heading",
    [
        ("长张高速往长沙方向K44+100", "长沙"),
        ("长浏高速长沙往浏阳方向", "浏阳"),
        ("京港澳高速长沙段往广州方向K1553+700", "广州"),
        ("长张高速进长沙方向", "长沙"),
        ("京港澳高速往北走榔梨那里", "北"),
        ("京港澳高速武汉方向K1478+300", "武汉"),  # the bare way, right after the road (the forty-fifth)
    ],
)
def test_where_a_roads_side_leads_is_read_after_its_name(tools, text, heading):
    streets = geo.read_streets(text, tools[0])
    assert {way for _road, way in streets.headings} == {heading}


def test_a_lorry_into_the_barrier_and_a_pile_up_on_the_other_carriageway_are_two_crashes(tools):
    lorry = _crash(
        tools, "长张高速往长沙方向一货车撞护栏", "长张高速往长沙方向K44+100", 0,
        "8时许，长张高速往长沙方向K44+100一辆重型货车因路面结冰侧滑撞击中央护栏，驾驶人头部受伤。",
    )  # fmt: skip
    pile_up = _crash(
        tools, "长张高速K46+300处发生多车相撞事故", "长张高速往张家界方向K46+300", 25,
        "7时15分许，长张高速往张家界方向K46+300桥面因结冰发生4车追尾，3人受伤。",
    )  # fmt: skip
    assert geo.two_ways(lorry.streets, pile_up.streets, {"长张高速"}, tools[0])
    assert not flagged(tools, lorry, pile_up)
    unsided = _crash(
        tools, "长张高速一货车撞护栏", "长张高速K44+100", 0,
        "8时许，长张高速K44+100一辆重型货车因路面结冰侧滑撞击中央护栏，驾驶人头部受伤。",
    )  # fmt: skip
    assert flagged(tools, unsided, pile_up)  # without its side, one stretch of the road


def test_two_reports_of_one_side_named_by_two_towns_along_it_are_still_one_crash(tools):
    caller = _crash(
        tools, "高速上一小车撞护栏侧翻", "长张高速宁乡往益阳方向", 10,
        "来电称长张高速宁乡往益阳方向一小车撞护栏后侧翻，有人被卡在车里。",
    )  # fmt: skip
    police = _crash(
        tools, "长张高速K43+600处一小车侧翻", "长张高速K43+600（宁乡西收费站附近）", 0,
        "15时35分许，长张高速K43+600往张家界方向一辆小型客车撞击右侧护栏后侧翻，1人死亡、2人受伤。",
    )  # fmt: skip
    assert not geo.two_ways(caller.streets, police.streets, {"长张高速"}, tools[0])
    assert flagged(tools, police, caller)


def test_a_heading_nobody_can_place_says_nothing(tools):
    a = geo.read_streets("长张高速往西的方向", tools[0])
    b = geo.read_streets("长张高速往某某方向", tools[0])
    assert not geo.two_ways(a, b, {"长张高速"}, tools[0])


def test_a_report_that_leaves_the_other_sides_crash_to_another_keeps_its_own_road_and_side(tools):
    """The forty-first version: …往长沙方向发生一起追尾，…，另一方向随后发生的事故由高速交警另报
    sets apart only the clause that begins 另, not the whole sentence before it (which had
    taken the report's own road and side with it)."""
    district = _crash(
        tools, "长张高速望城段发生一起追尾事故", "长张高速望城段", 0,
        "据高速交警通报，今晨长张高速望城段往长沙方向发生一起货车追尾小客车事故，2人受伤送医，"
        "我局已派员到现场协助，另一方向随后发生的事故由高速交警另报。",
    )  # fmt: skip
    assert ("长张高速", "长沙") in district.streets.headings
    driver = _crash(
        tools, "高速上撞车有人受伤", "长张高速望城段", 5,
        "120转：来电人称他是出事的司机，在长张高速往益阳方向撞了护栏，手和脸划破了，车子开不了。",
    )  # fmt: skip
    assert not flagged(tools, district, driver)
    rear_end = _crash(
        tools, "高速上货车追尾小车", "长张高速望城段", 20, "来电人称长张高速往长沙方向一台货车追尾了小车，有两个人受伤。"
    )  # fmt: skip
    assert flagged(tools, district, rear_end)


def test_a_town_both_name_on_the_roads_two_sides_is_where_the_road_runs(tools):
    """The forty-second version: a coach's blow-out on the 往武汉方向 side of the 京港澳 at
    跳马 and a rear-end on the 往广州方向 side by the 跳马 toll gate, in the same hour: the
    town both name is where the road runs, and the two sides are two crashes."""
    coach = _crash(
        tools, "京港澳高速跳马段发生一起客车事故", "京港澳高速跳马段", 0,
        "据高速交警通报，今天下午京港澳高速跳马段往武汉方向一辆大客车爆胎撞护栏，4人受伤送医。",
    )  # fmt: skip
    rear_end = _crash(
        tools, "高速跳马收费站附近一起追尾事故", "雨花区跳马镇京港澳高速跳马收费站附近", 10,
        "据了解，下午京港澳高速跳马收费站附近往广州方向一台小车追尾大货车，1人受伤。",
    )  # fmt: skip
    assert not flagged(tools, coach, rear_end)
    caller = _crash(
        tools, "高速上大巴车爆胎撞护栏了", "京港澳高速跳马那里", 20,
        "122转：来电人称京港澳高速跳马那里往武汉方向一台大巴车爆胎撞了护栏，有人受伤。",
    )  # fmt: skip
    assert flagged(tools, coach, caller)


def test_two_written_reports_naming_their_sides_bare_are_two_crashes(tools):
    """The forty-fifth version: 京港澳高速武汉方向K1478+300 and 京港澳高速广州方向K1479+100, the
    traffic police's own way of writing a side, 38 minutes apart: two crashes."""
    pile_up = _crash(
        tools, "京港澳高速武汉方向团雾中多车追尾事故", "京港澳高速长沙县段", 38,
        "6时40分，京港澳高速武汉方向K1478+300处因突遇团雾，发生7车追尾事故，4人受伤。",
    )  # fmt: skip
    gawkers = _crash(
        tools, "京港澳高速广州方向两车追尾事故", "京港澳高速长沙县段", 0,
        "7时18分，京港澳高速广州方向K1479+100处发生两车追尾，1人轻微受伤，原因系后车驾驶人观望对向事故。",
    )  # fmt: skip
    assert not flagged(tools, gawkers, pile_up)
