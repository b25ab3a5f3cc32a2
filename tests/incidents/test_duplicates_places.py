"""Where a caller is when the words say little (the duplicate scorer's eighth version):
the reporting unit's village or town, a town's point standing for its villages, an
expressway's kilometre markers and toll stations, a department's follow-up hours later."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import duplicates, evaluation, geo

from .api_steps import ago, report

# 沙田村 (桥驿镇, 望城区) is not in the gazetteer; 桥驿镇's point is about 6 km from it.
SLIDE_FROM_THE_VILLAGE = {
    "title": "后山垮下来了路堵死了",
    "description": "我是村支书，今天早上七组后山垮下来了，去组上的路全堵死了，人已经喊出来了。",
    "reporter_unit": "沙田村委会",
    "reporter_phone": "13908475521",
}
SLIDE_FROM_THE_TOWN = {
    "title": "沙田村七组发生山体滑坡",
    "description": "沙田村七组后山发生山体滑坡，冲毁村组道路约30米，已转移群众7人，无人员伤亡。",
    "location_text": "望城区桥驿镇沙田村七组",
    "channel": "lower_level",
    "reporter_unit": "桥驿镇值班室",
    "reporter_phone": "0731-88581101",
    "latitude": 28.3931,
    "longitude": 112.8712,
}


@pytest.mark.parametrize(
    "first,second",
    [(SLIDE_FROM_THE_VILLAGE, SLIDE_FROM_THE_TOWN), (SLIDE_FROM_THE_TOWN, SLIDE_FROM_THE_VILLAGE)],
    ids=["village-first", "town-first"],
)
def test_a_village_heads_words_with_no_place_meet_the_towns_report_naming_his_village(api, first, second):
    original = report(api, received_at=ago(minutes=40), **first)["incident"]
    later = report(api, received_at=ago(minutes=5), **second)
    assert later["possible_duplicates"] == [original]


def test_another_villages_committee_with_the_same_words_is_not_that_village(city):
    now = timezone.now()
    town = sight(city, SLIDE_FROM_THE_TOWN, now)
    ours = sight(city, SLIDE_FROM_THE_VILLAGE, now - timedelta(minutes=30))
    theirs = sight(city, {**SLIDE_FROM_THE_VILLAGE, "reporter_unit": "龙塘村委会"}, now - timedelta(minutes=30))
    assert duplicates.place_score(town, ours, city)[0] > duplicates.UNKNOWN_PLACE
    assert duplicates.place_score(town, theirs, city)[0] == duplicates.UNKNOWN_PLACE
    # a unit that is no place (a department) gives nothing; one whose words name a place, neither
    bureau = sight(city, {**SLIDE_FROM_THE_VILLAGE, "reporter_unit": "望城区自然资源局"}, now)
    named = sight(city, {**SLIDE_FROM_THE_VILLAGE, "location_text": "乔口镇"}, now)
    assert not (bureau.unit_places or bureau.unit_spot) and not (named.unit_places or named.unit_spot)


def test_a_reporting_units_place_is_read_from_its_name(city):
    assert geo.unit_place("靖港镇值班室", city) == (frozenset({"靖港镇"}), "")
    assert geo.unit_place("光明村委会", city) == (frozenset({"光明村"}), "")
    assert geo.unit_place("沙田村委会", city) == (frozenset(), "沙田村")
    assert geo.unit_place("桐荫里社区居委会", city) == (frozenset(), "桐荫里")
    for unit in ("12345热线", "市公安局", "某电子厂", "", "临江市第一人民医院"):
        assert geo.unit_place(unit, city) == (frozenset(), "")


def test_a_village_many_km_from_its_towns_point_is_compared_with_a_report_placed_at_the_town(api):
    """煤炭坝镇's point stands for the whole township: a spot of it 6 km away is within
    the prefilter's reach, and naming the same town places both there."""
    town = report(
        api,
        received_at=ago(minutes=90),
        title="田里塌了个大坑",
        description="我们这边老矿区田里突然塌了个大坑，有七八米宽，旁边还在往下掉土。",
        location_text="煤炭坝镇老矿区那边",
        reporter_phone="13873125508",
    )["incident"]
    spot = report(
        api,
        title="辖区采空区发生地面塌陷",
        description="辖区一处采空区发生地面塌陷，塌陷坑直径约8米，已设置警戒，无人员伤亡。",
        location_text="宁乡煤炭坝镇",
        channel="lower_level",
        reporter_unit="煤炭坝镇值班室",
        latitude=28.1297,
        longitude=112.5183,
    )
    assert spot["possible_duplicates"] == [town]


def test_a_departments_follow_up_hours_later_counts_its_hours_as_a_summarys(city):
    now = timezone.now()
    kind = "production_safety"
    caller = sight(city, {"title": "鞭炮厂炸了", "location_text": "澄潭江那边的鞭炮厂"}, now - timedelta(hours=8), kind)
    written = {"title": "澄潭江镇一烟花企业爆炸事故续报", "location_text": "浏阳市澄潭江镇"}
    follow_up = sight(city, written, now, kind)
    plain = sight(city, {**written, "title": "澄潭江镇一烟花企业爆炸事故"}, now, kind)
    assert follow_up.follow_up and not plain.follow_up
    kinds = evaluation.tools()[2]
    assert duplicates.score(follow_up, caller, gazetteer=city, kinds=kinds)[0] >= duplicates.THRESHOLD
    assert duplicates.score(plain, caller, gazetteer=city, kinds=kinds)[0] < duplicates.THRESHOLD


def test_expressway_markers_toll_stations_and_town_stems(city):
    marker = geo.read_streets("绕城高速K46+500外环", city)
    assert marker.roads == {"绕城高速"} and ("绕城高速", "k46") in marker.sections
    near, far = geo.read_streets("绕城高速K47+200", city), geo.read_streets("绕城高速K12", city)
    # a direction between the road and its marker (the thirty-second version)
    assert ("长张高速", "k44") in geo.read_streets("长张高速东行K44+200", city).sections
    assert ("长浏高速", "k15") in geo.read_streets("长浏高速长沙往浏阳方向K15+600处", city).sections
    assert not geo.read_streets("长张高速往长沙方向，前面K44有人", city).sections  # not across a clause
    assert geo.same_section(marker.sections, near.sections)
    assert not geo.same_section(marker.sections, far.sections) and geo.pinned(far.sections, far.roads)
    assert ("绕城高速", "黄花") in geo.read_streets("绕城高速黄花收费站附近", city).sections
    assert "桐荫里" in geo.read_streets("银盆南路桐荫里小区", city).named
    # 小河乡 is a township, 小河 any small river (its alias !小河); 长沙市 is not 沙市镇
    assert city.locate("浏阳小河乡")[0] == "小河乡" and city.locate("门口的小河") is None
    assert city.locate("长沙市") is None and city.locate("社港")[0] == "社港镇"


def test_a_village_named_with_a_town_it_lies_far_outside_is_another_village_of_that_name(city):
    """The gazetteer's 楚东村 is 开福区's; callers' 大围山镇楚东村 is 浏阳's, 97 km east: the
    report is at 大围山镇, not in 开福区. A village within its town's reach keeps its point."""
    assert city.locate("楚东村")[4] == "开福区"
    assert city.locate("浏阳市大围山镇楚东村")[0] == "大围山镇"
    assert city.locate("沙坪街道楚东村")[0] == "楚东村"
    assert city.locate("白箬铺镇光明村")[0] == "光明村"
    # the town it is named under, not a town's stem in an establishment's name after it
    assert city.locate("茶亭镇静慎村东湖垂钓园")[0] == "静慎村"


@pytest.fixture(scope="module")
def city():
    return evaluation.tools()[0]


def sight(city, fields, at, subtype=""):
    """A report's Sighting as intake makes it (its point geocoded from its place)."""
    place = fields.get("location_text", "")
    point = (fields.get("latitude"), fields.get("longitude"))
    if point[0] is None and city.locate(place):
        point = city.locate(place)[1:3]
    return duplicates.sighting(
        category="natural_disaster",
        at=at,
        text=f"{fields.get('title', '')} {fields.get('description', '')}",
        location_text=place,
        subtype=subtype,
        lat=point[0],
        lon=point[1],
        gazetteer=city,
        unit=fields.get("reporter_unit", ""),
    )


def test_a_county_summary_meets_the_reports_placed_at_the_towns_it_names(api):
    """宁乡市's summary of the snow in its western hills names 沩山: the township's report,
    placed at 沩山乡's point 50 km from the county's, is among the candidates and found; a
    summary naming only other towns does not take it."""
    township = report(
        api,
        received_at=ago(hours=6),
        title="我乡降雪道路结冰情况",
        description="昨夜起我乡普降大雪，积雪约15厘米，通往黄材的县道多处结冰封闭，一辆班车滞留。",
        location_text="沩山乡",
        subtype="meteorological",
        channel="lower_level",
    )["incident"]
    elsewhere = report(
        api,
        title="关于我市东部低温雨雪冰冻情况的报告",
        description="受强冷空气影响，东部丘陵的夏铎铺、历经铺等镇出现冻雨，道路临时管控，无人员伤亡。",
        location_text="宁乡市东部",
        subtype="meteorological",
        channel="department",
    )
    assert township not in elsewhere["possible_duplicates"]
    county = report(
        api,
        title="关于我市西部山区低温雨雪冰冻灾害情况的报告",
        description="受强冷空气影响，沩山、黄材等西部山区出现降雪冰冻，最大积雪深度18厘米，3条道路临时封闭。",
        location_text="宁乡市西部山区",
        subtype="meteorological",
        channel="department",
    )
    assert township in county["possible_duplicates"]


def test_an_expressway_report_meets_one_placed_at_a_town_15_km_along_it(api):
    """A lorry over on 京港澳高速 told at 黄花 (placed at the town) and by the expressway police
    at a marker (placed at the road's point, 15 km off): one crash. The same road's crash
    at 黄花 seven hours earlier is not it."""
    earlier = report(
        api,
        received_at=ago(hours=7, minutes=10),
        title="高速上两台车追尾",
        description="京港澳高速黄花附近两台小车追尾，人没事，占了一个车道。",
        location_text="京港澳高速黄花附近",
        subtype="traffic",
        category="accident_disaster",
    )["incident"]
    caller = report(
        api,
        received_at=ago(minutes=10),
        title="高速上一台大货车翻了横在路上",
        description="京港澳高速黄花附近一台大货车翻在路上，钢卷滚出来了，占了两个车道。",
        location_text="京港澳高速黄花附近",
        subtype="traffic",
        category="accident_disaster",
    )["incident"]
    police = report(
        api,
        title="京港澳高速K1521处一重型半挂车侧翻",
        description="G4京港澳高速K1521+800南往北方向一辆重型半挂车侧翻，所载钢卷散落，占用第二、三车道。",
        location_text="G4京港澳高速K1521+800（南往北）",
        subtype="traffic",
        category="accident_disaster",
        channel="department",
    )
    assert caller in police["possible_duplicates"] and earlier not in police["possible_duplicates"]


def test_where_the_way_leads_is_not_where_it_is(city):
    """龙田往黄材那条省道 is on the road out of 龙田; 黄花镇往机场方向的路口 is at 黄花镇, not the
    airport; 长韶娄高速黄材方向 is on that expressway (now the gazetteer's), not in 黄材镇; and
    高速, one expressway's alias, is any expressway when the text names a county: 去浏阳的高速上
    is in 浏阳市, not on the 京港澳. A heading alone is still the place (往黄材方向)."""
    assert city.locate("龙田往黄材那条省道")[0] == "龙田镇"
    assert city.locate("长沙县黄花镇往机场方向的路口")[0] == "黄花镇"
    assert city.locate("长韶娄高速黄材方向还是娄底方向，过了服务区一点")[0] == "长韶娄高速"
    assert city.locate("长韶娄高速K28+300娄底方向")[0] == "长韶娄高速"
    assert city.locate("去浏阳的高速上")[0] == "浏阳市"
    assert city.locate("高速上，出长沙往韶山方向，过了宁乡服务区不远")[0] == "宁乡市"
    assert city.locate("高速上，大巴车上")[0] == "京港澳高速临江段"
    assert city.locate("往黄材方向")[0] == "黄材镇"
