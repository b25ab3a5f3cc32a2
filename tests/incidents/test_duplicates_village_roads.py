"""The duplicate scorer's thirty-seventh version, three reading bugs: 村 beginning a longer
word (一条村道, 村民) names no village; 路 beginning one (侧翻至路基下, 路面, 路况) names no road;
and a verb of going in (社港镇进村的公路) makes no establishment of what went in. And a title
saying the water went down (积水消退, 水位回落) continues the flood."""

from datetime import timedelta

from django.utils import timezone

from incidents import duplicates, geo

from .sightings import flagged, sight


def test_a_village_road_a_roadbed_and_going_into_a_village_are_no_names(tools):
    city = tools[0]
    tractor = sight(tools, "拖拉机翻到坡下去了", "双江口镇一条村道坡上", timezone.now(), "traffic")
    assert not tractor.villages
    assert not geo.read_streets("在村道下坡处侧翻至路基下", city).roads
    assert geo.read_streets("人民路上两车相撞", city).roads == {"人民路"}
    assert not geo.read_streets("社港镇进村的公路被堵死了", city).firms
    assert geo.read_streets("周洛村段山体塌方", city).firms == {("周洛", "村")}


def test_a_callers_tractor_on_a_village_road_and_the_towns_report_of_it_are_one_crash(tools):
    now = timezone.now()
    caller = sight(
        tools, "拖拉机翻到坡下去了人压在下面", "双江口镇一条村道坡上", now - timedelta(minutes=5), "",
        guess="traffic", text="我们村里有台拖拉机翻到坡下面去了，开车的老倌子压在底下，喊他不应。",
    )  # fmt: skip
    town = sight(
        tools, "新塘村一起拖拉机侧翻交通事故致1人死亡", "宁乡市双江口镇新塘村", now, "traffic",
        text="15时许，新塘村村民驾驶手扶拖拉机在村道下坡处侧翻至路基下，驾驶人经120现场确认已死亡。",
    )  # fmt: skip
    assert flagged(tools, town, caller)


def test_a_title_saying_the_water_went_down_continues_the_flood():
    assert duplicates.says_it_continues("", "临湘社区积水消退群众陆续返回")
    assert duplicates.says_it_continues("", "捞刀河榔梨段水位回落")
    assert not duplicates.says_it_continues("", "临湘社区低洼区域进水已转移群众")
