"""Where two reports put one event though they name it differently (the duplicate scorer's
eleventh version): two locations as written sharing a run of characters once names and
kinds of place are out (嘉和苑小区5栋, 嘉和苑5栋602); a venue one names only by its kind (一酒店,
一家KTV) and the other by its name; a village's point standing for its hills and fields,
and a 街道's for its streets (7 km), in the candidates the intake reads; a subsidence's
investigation the next day; and the words this winter's callers used for their kinds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import duplicates, geo

from .api_steps import ago, report
from .sightings import flagged, sight


@pytest.mark.parametrize("order", ["119-first", "family-first"])
def test_one_estate_written_two_ways_is_one_fire(tools, order):
    now = timezone.now()
    relay = sight(
        tools, "居民楼一楼楼道电动车着火", "雨花区高桥街道嘉和苑小区5栋", now - timedelta(minutes=3), "fire",
        text="119转：嘉和苑小区5栋一楼楼道里停放的电动车着火，浓烟往上窜。",
    )  # fmt: skip
    family = sight(
        tools, "楼道里全是黑烟，一家人出不去", "嘉和苑5栋602", now, text="我住六楼，楼道里全是黑烟，门一开就呛。"
    )
    assert "嘉和苑" in relay.written & family.written
    new, old = (family, relay) if order == "119-first" else (relay, family)
    assert flagged(tools, new, old)


def test_two_estates_or_two_towns_are_not_one_place_by_their_words(tools):
    now = timezone.now()
    one = sight(tools, "楼道电动车着火", "雨花区高桥街道嘉和苑小区5栋", now - timedelta(minutes=10), "fire")
    other = sight(tools, "楼道里冒黑烟", "和平苑小区3栋", now, "fire")
    assert not one.written & other.written
    assert duplicates.place_score(other, one, tools[0]) == (duplicates.UNKNOWN_PLACE, None)  # no place in common
    ours = sight(tools, "楼道里冒黑烟", "嘉和苑小区3栋", now, "fire")
    assert duplicates.place_score(ours, one, tools[0])[0] > duplicates.UNKNOWN_PLACE  # this estate's name is
    by_kind_and_minutes = duplicates.score(other, one, gazetteer=tools[0], kinds=tools[2])[0]
    assert by_kind_and_minutes < duplicates.score(ours, one, gazetteer=tools[0], kinds=tools[2])[0]
    kinds_only = sight(tools, "小区门口车库起火", "小区门口地下车库", now, "fire")
    assert not kinds_only.written  # 小区, 门口, 地下车库 say what kind of place, not which
    elsewhere = sight(tools, "嘉和苑小区着火", "开福区四方坪街道嘉和苑小区", now, "fire")
    assert duplicates._elsewhere(elsewhere, one)  # two towns: the same run is no evidence
    assert not flagged(tools, elsewhere, one)


@pytest.mark.parametrize("order", ["guest-first", "bureau-first"])
def test_a_hotel_named_by_its_kind_is_the_wedding_feasts_hotel(tools, order):
    now, cat = timezone.now(), "public_health"
    guest = sight(
        tools, "吃喜酒回来一车人都吐了", "含浦那边吃喜酒的酒店", now - timedelta(hours=12), "food_poisoning", cat,
        text="我们今天去吃喜酒，回来路上一车人都开始吐了，肚子绞痛。",
    )  # fmt: skip
    bureau = sight(
        tools, "关于含浦街道一酒店婚宴疑似食物中毒事件的调查情况", "岳麓区含浦街道一酒店", now, "food_poisoning", cat,
        text="含浦街道一酒店承办婚宴28桌，就餐人员中累计发病27人，主要症状为恶心、呕吐、腹痛。",
    )  # fmt: skip
    assert guest.streets.venues == bureau.streets.venues == {"酒楼"}
    assert tools[1].infer("吃喜酒回来一车人都吐了", cat).code == "food_poisoning"
    new, old = (bureau, guest) if order == "guest-first" else (guest, bureau)
    assert flagged(tools, new, old)


def test_venues_of_two_towns_or_a_canteen_named_by_whose_it_is_are_not_one(tools):
    now, cat = timezone.now(), "public_health"
    here = sight(tools, "婚宴后多人呕吐腹泻", "岳麓区含浦街道一酒店", now - timedelta(hours=1), "food_poisoning", cat)
    there = sight(tools, "寿宴后多人呕吐", "开福区四方坪街道一酒店", now, "food_poisoning", cat)
    assert not flagged(tools, there, here)
    site = geo.read_streets("辖区一在建工地食堂午餐后6名工人头晕，食堂已封存", tools[0])
    school = geo.read_streets("一高校学生呕吐腹泻，已封存该校食堂留样", tools[0])
    assert not site.venues and not school.venues  # whose canteen it is tells them apart
    assert geo.read_streets("星光KTV三楼走廊", tools[0]).firms == {("星光", "ktv")}
    assert geo.same_venue(geo.read_streets("万达广场旁一KTV", tools[0]), geo.read_streets("星光KTV", tools[0])) == "ktv"


HILL = (28.2357, 112.7196)  # a hill of 光明村, 3.2 km from the village's point in the gazetteer
FAR_HILL = (28.3140, 112.7380)  # 6 km north of it


def test_a_hill_fire_told_by_the_village_and_by_a_caller_on_the_hill_is_one_candidate(api):
    village = report(
        api, title="田里烧稻草，火窜到后山上去了", description="风一吹火就窜到后山上去了，松树都烧起来了。",
        location_text="白箬铺镇光明村", subtype="forest_fire", received_at=ago(minutes=25),
    )["incident"]  # fmt: skip
    hill = report(
        api, title="光明村发生山火", description="我镇光明村发生山火，镇扑火队已到场扑救。", location_text="白箬铺镇光明村",
        latitude=HILL[0], longitude=HILL[1], subtype="forest_fire",
    )  # fmt: skip
    assert village in hill["possible_duplicates"]  # the village it names: its point is a candidate
    elsewhere = report(
        api, title="山上冒烟", description="北边山上在冒烟。", location_text="望城区",
        latitude=FAR_HILL[0], longitude=FAR_HILL[1], subtype="forest_fire",
    )  # fmt: skip
    assert village not in elsewhere["possible_duplicates"]


def test_the_county_bureaus_report_placed_at_the_village_finds_the_caller_on_its_hill(api):
    hill = report(
        api, title="后山着火了", description="后山上松树烧起来了，离屋子两三百米。", location_text="光明村后山",
        latitude=HILL[0], longitude=HILL[1], subtype="forest_fire", received_at=ago(hours=2),
    )["incident"]  # fmt: skip
    bureau = report(
        api, title="白箬铺镇光明村森林火灾扑救情况", description="光明村山火已扑灭，过火面积约18亩，无人员伤亡。",
        location_text="望城区白箬铺镇光明村", subtype="forest_fire", channel="lower_level",
    )  # fmt: skip
    assert hill in bureau["possible_duplicates"]  # the village's point stands for 3.5 km around it


STREET = (28.0062, 112.9874)  # 云塘路, 6.5 km from 暮云街道's point in the gazetteer


def test_the_gas_companys_report_placed_at_its_jiedao_finds_the_dig_on_a_road_of_it(api):
    dig = report(
        api, title="施工挖断中压燃气管道", description="暮云街道云塘路道路施工挖破一根燃气管道，大量泄漏。",
        location_text="天心区暮云街道云塘路", latitude=STREET[0], longitude=STREET[1], category="accident_disaster",
        subtype="gas_supply", received_at=ago(minutes=50),
    )["incident"]  # fmt: skip
    company = report(
        api, title="云塘路DN200燃气管道被挖破处置情况", description="云塘路一市政施工单位违规开挖，挖破中压燃气管道，泄漏已控制。",
        location_text="天心区暮云街道", category="accident_disaster", subtype="gas_supply", channel="lower_level",
    )  # fmt: skip
    assert dig in company["possible_duplicates"]  # a 街道's point stands for 7 km around it


def test_a_subsidences_investigation_the_next_day_is_that_subsidence_another_towns_is_not(tools):
    now, cat = timezone.now(), "natural_disaster"
    town = sight(
        tools, "福泉村发生采空区地面塌陷", "煤炭坝镇福泉村", now - timedelta(hours=29), "geological", cat,
        text="我镇福泉村一处老煤矿采空区发生地面塌陷，塌陷坑直径约8米，已转移3户。",
    )  # fmt: skip
    bureau = sight(
        tools, "煤炭坝镇福泉村采空塌陷调查情况", "宁乡市煤炭坝镇福泉村", now, "geological", cat,
        text="经现场调查，福泉村塌陷系原煤矿采空区顶板冒落所致，塌陷坑仍有扩展迹象。",
    )  # fmt: skip
    assert "geological" in tools[2].slow  # the ground keeps moving: its reports come days apart
    assert flagged(tools, bureau, town)
    other = sight(
        tools, "黄材镇一处山体滑坡", "宁乡市黄材镇", now, "geological", cat, text="黄材镇一处边坡滑坡，无人员伤亡。"
    )
    assert not flagged(tools, other, town)


@pytest.mark.parametrize(
    ("words", "category", "kind"),
    [
        ("集里这边一个米粉店门口火好大，是煤气罐着火了，罐子口子上在喷火", "accident_disaster", "gas_supply"),
        ("外面好大一股烧胶皮的臭味，黑烟一直往小区里飘", "accident_disaster", "environmental_pollution"),
        ("有人在荒地烧废轮胎，黑烟冲天", "accident_disaster", "environmental_pollution"),
        ("地铁站出站扶梯突然往下倒着走，一下子倒了一片", "accident_disaster", "special_equipment"),
        ("两桌客人喝多了打起来，一个小伙子肚子上挨了一刀", "social_security", "criminal_case"),
        ("服装厂老板跑了，三个月工资一分没发，工人都堵在厂门口", "social_security", "mass_incident"),
        ("机场大道辅道上有数十名工人坐在路上，车辆无法通行", "social_security", "mass_incident"),
        ("路边污水井内有两名工人晕倒，井上人员不敢下去", "accident_disaster", "production_safety"),
        ("村里说是供水的那个小水库快干了，吃水问题要解决", "natural_disaster", "drought"),
    ],
)
def test_what_callers_say_of_this_winters_kinds_is_read_as_that_kind(tools, words, category, kind):
    assert tools[1].infer(words, category).code == kind


@pytest.mark.parametrize(
    ("words", "category", "kind"),
    [
        ("楼道里电动车充电着火了，浓烟往上窜", "accident_disaster", "fire"),  # a fire that is no cylinder's
        ("化工厂那边飘过来一股刺鼻的味道，罐区在冒白烟", "accident_disaster", "hazardous_chemicals"),
        ("电梯卡在两层中间，里面关了三个人", "accident_disaster", "special_equipment"),
    ],
)
def test_the_other_kinds_those_words_sit_beside_keep_their_reading(tools, words, category, kind):
    assert tools[1].infer(words, category).code == kind


def test_the_polices_written_report_next_morning_is_the_nights_crash_another_crash_is_not(tools):
    """Nine hours later: a written follow-up's hours count 0.35 for a quick kind."""
    now = timezone.now()
    night = sight(
        tools, "一台车撞到江边护栏上了", "湘江北路，靠江边那一段", now - timedelta(hours=9), "traffic",
        text="湘江北路这里一台小车撞到江边护栏上了，车头全瘪了，司机一身酒气。",
    )  # fmt: skip
    written = sight(
        tools, "关于凌晨湘江北路一起醉驾交通事故的报告", "开福区湘江北路", now, "traffic",
        text="一辆小型轿车沿湘江北路由南往北行驶时撞上临江护栏，驾驶人属醉酒驾驶，已被刑事拘留。",
    )  # fmt: skip
    assert written.follow_up and flagged(tools, written, night)
    another = sight(
        tools,
        "湘江北路又有台车撞了护栏",
        "开福区湘江北路",
        now,
        "traffic",
        text="湘江北路一台车撞到护栏上了，司机受了点伤。",
    )
    assert not another.follow_up and not flagged(tools, another, night)  # a caller's crash hours later is another
