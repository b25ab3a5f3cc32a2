"""The duplicate scorer's thirty-eighth version: a canteen is inside a factory or a building
site (厂里…吃了中饭 and 某电子企业食堂 are one place, a guesthouse and a warehouse still two);
what was done to an establishment (已封存食堂剩余食品) is no name; an expressway's side said as
a point of the compass (京港澳高速北向K1540, 南向K1541+500); and 续情, a follow-up's word."""

from datetime import timedelta

from django.utils import timezone

from incidents import duplicates, geo

from .sightings import flagged, sight


def test_a_canteen_is_inside_a_factory_and_a_guesthouse_is_not_a_warehouse():
    assert not duplicates._two_sites(frozenset({"工厂"}), frozenset({"食堂"}))
    assert not duplicates._two_sites(frozenset({"食堂"}), frozenset({"工地"}))
    assert duplicates._two_sites(frozenset({"住宿"}), frozenset({"仓库"}))
    assert duplicates._two_sites(frozenset({"食堂"}), frozenset({"宴席"}))  # a canteen and a banquet


def test_a_workers_call_and_the_regulators_report_of_one_factory_canteen_are_one_poisoning(tools):
    now = timezone.now()
    worker = sight(
        tools, "厂里好多人吃了中饭肚子痛", "泉塘一家工厂", now - timedelta(hours=4, minutes=50), "food_poisoning",
        "public_health",
        text="120转：来电人称泉塘一家电子厂里吃了中饭以后十几个人肚子痛、拉肚子，有几个吐得站不起来。",
    )  # fmt: skip
    regulator = sight(
        tools, "泉塘街道一企业食堂疑似食物中毒", "长沙县泉塘街道某电子企业食堂", now, "food_poisoning",
        "public_health",
        text="泉塘街道某电子企业员工午餐后陆续出现腹痛、腹泻、呕吐，截至18时就诊24人，已封存食堂剩余食品并采样送检。",
    )  # fmt: skip
    assert not regulator.streets.firms  # 已封存食堂: what was done to the canteen
    assert flagged(tools, regulator, worker)


def test_an_expressways_sides_said_by_the_compass_are_two_places(tools):
    city = tools[0]
    north = geo.read_streets("京港澳高速北向K1540处四车追尾事故", city)
    south = geo.read_streets("京港澳高速南向K1541+500处单车事故", city)
    assert {w for _r, w in north.headings} == {"北"} and {w for _r, w in south.headings} == {"南"}
    assert geo.two_ways(north, south, north.roads & south.roads, city)


def test_a_follow_ups_word_continues_the_crash():
    title = "道林镇三湘村乡道一起较大交通事故续情"
    assert duplicates.says_it_continues(f"{title} 经初步勘查，事故系小型客车弯道未减速占道行驶所致。", title)
