"""The duplicate scorer's thirty-third version: a weather warning covers its area for the
hours it is in force, so a tree the gale blows onto a car that afternoon is the warning's
event (not the next day's tree, not the rain's flash flood, not a district the warning
does not name); a school or kindergarten a department leaves unnamed (某幼儿园) is the one
a parent named the day before, for an outbreak, where two farms of one town are still two;
and vomiting at a school with no meal in the words reads as an outbreak."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import duplicates

from .api_steps import ago, report
from .sightings import flagged, sight

WEATHER = ("meteorological", "natural_disaster")
COLD_WAVE = (
    "受强冷空气影响，今天到15日我市将有寒潮天气，日平均气温下降8至10℃，伴偏北风5至6级、阵风8级，请防范大风降温。"
)


def _warning(tools, at, text=COLD_WAVE, title="长沙市气象台发布寒潮蓝色预警"):
    return sight(tools, title, "长沙市", at, *WEATHER, text=text)


def _tree(tools, at, place="宁乡人民路那边"):
    return sight(
        tools, "大树倒下来把车砸了", place, at, "", "natural_disaster", guess="meteorological",
        text="好大的风，路边上一棵大樟树连根倒下来了，砸在一台停着的车上，车里有人，路也堵了。",
    )  # fmt: skip


def test_a_cold_wave_warning_and_the_tree_its_gale_blows_onto_a_car_that_afternoon_are_one_event(tools):
    now = timezone.now()
    warning, tree = _warning(tools, now - timedelta(hours=7)), _tree(tools, now)
    assert warning.warning and not tree.warning
    value, reasons = duplicates.score(tree, warning, gazetteer=tools[0], kinds=tools[2])
    assert value >= duplicates.THRESHOLD and "在预警区域内" in reasons
    assert flagged(tools, warning, tree)  # either way round: the warning may be entered after the call


def test_the_next_days_tree_a_flash_flood_and_a_district_the_warning_does_not_name_are_not_its_event(tools):
    now = timezone.now()
    assert not flagged(tools, _tree(tools, now), _warning(tools, now - timedelta(hours=30)))
    flood = sight(
        tools, "山洪冲垮便桥", "宁乡市沩山乡", now, "flood", "natural_disaster",
        text="沩山乡同庆村山洪暴发，冲垮一座便桥，2户房屋进水，无人员伤亡。",
    )  # fmt: skip
    assert not flagged(tools, flood, _warning(tools, now - timedelta(hours=5)))
    ice = _warning(
        tools, now - timedelta(hours=5), title="长沙市气象台发布道路结冰黄色预警",
        text="浏阳东部、宁乡西部海拔500米以上山区将出现冻雨和道路结冰。",
    )  # fmt: skip
    assert flagged(tools, _tree(tools, now, "浏阳市大围山镇"), ice)
    assert not flagged(tools, _tree(tools, now, "望城区高塘岭街道"), ice)  # 望城 is not warned


def test_two_reports_of_the_weather_neither_a_warning_are_not_joined_by_the_rule(tools):
    now = timezone.now()
    first = _tree(tools, now - timedelta(hours=7), "宁乡人民路那边")
    second = _tree(tools, now, "望城区高塘岭街道")
    assert not flagged(tools, second, first)


def test_the_intake_offers_the_morning_warning_for_the_afternoons_fallen_tree(api):
    warning = report(
        api,
        title="长沙市气象台发布寒潮蓝色预警",
        description=COLD_WAVE,
        location_text="长沙市",
        category="natural_disaster",
        subtype="meteorological",
        channel="department",
        received_at=ago(hours=6),
    )["incident"]
    tree = report(
        api,
        title="大树倒下来把车砸了",
        description="好大的风，宁乡人民路边上一棵大樟树连根倒下来了，砸在一台停着的车上，车里有人。",
        location_text="宁乡人民路那边",
        category="natural_disaster",
    )
    assert warning in tree["possible_duplicates"]


def _kindergarten(tools, title, place, at, text, subtype=""):
    return sight(tools, title, place, at, subtype, "public_health", guess="epidemic", text=text)


def test_a_kindergarten_named_by_its_kind_is_the_one_the_parent_named_the_day_before(tools):
    now = timezone.now()
    parent = _kindergarten(
        tools, "幼儿园好多小孩吐", "高塘岭一个幼儿园", now - timedelta(hours=29),
        "我女儿在高塘岭那个幼儿园，昨天晚上回来吐了好几次，班上群里讲好多个小朋友都吐了。",
    )  # fmt: skip
    cdc = _kindergarten(
        tools, "高塘岭某幼儿园诺如病毒感染疫情", "望城区高塘岭街道某幼儿园", now,
        "高塘岭某幼儿园诺如病毒感染聚集性疫情累计病例16例，检测诺如GII阳性，已停课3个班并终末消毒。",
        subtype="epidemic",
    )  # fmt: skip
    value, reasons = duplicates.score(cdc, parent, gazetteer=tools[0], kinds=tools[2])
    assert value >= duplicates.THRESHOLD and "相距 0 m，同一类场所：幼儿园" in reasons


def test_a_pig_farm_and_a_chicken_farm_of_one_town_a_day_apart_are_still_two(tools):
    now = timezone.now()
    pigs = sight(
        tools, "猪场里的猪一天死了十几头", "茶亭镇一个猪场", now - timedelta(hours=28), "", "public_health",
        guess="animal_epidemic", text="我家猪场里的猪一天死了十几头，不吃食，身上发红。",
    )  # fmt: skip
    hens = sight(
        tools, "茶亭镇一蛋鸡场家禽异常死亡", "望城区茶亭镇某养殖场", now, "animal_epidemic", "public_health",
        text="茶亭镇一蛋鸡场2天内死亡蛋鸡800余只，已采样送检，已限制移动。",
    )  # fmt: skip
    assert not flagged(tools, hens, pigs)


def test_vomiting_at_a_school_reads_as_an_outbreak_and_after_a_canteen_meal_as_a_poisoning(tools):
    _city, reader, _kinds = tools
    school = reader.infer("幼儿园好几个小孩都吐了 老师讲昨天也有吐的，中班好几个小孩都在吐。", "public_health")
    assert school.code == "epidemic"
    canteen = reader.infer(
        "学校食堂吃了中饭好多学生吐 中午在食堂吃完饭，一个钟头后好多学生呕吐、拉肚子。", "public_health"
    )
    assert canteen.code == "food_poisoning"
    feast = reader.infer("花明楼办酒的人家好多人拉肚子 吃了酒席的二十几个人拉肚子、发烧。", "public_health")
    assert feast.code == "food_poisoning"


def test_a_warning_and_a_flash_flood_it_warned_of_are_not_one_event(tools):
    """The forty-second version: a warning or the flood-control response to one (both the
    weather's reports) against a report surely of another kind (a flash flood in one of the
    towns it names): their kinds count ANNOUNCED_APART, and the town the warning lists is
    not enough. A caller's harm of the weather's own kind still is the warning's."""
    now = timezone.now()
    response = sight(
        tools, "市防指启动防汛Ⅳ级应急响应", "长沙市", now - timedelta(minutes=65), "meteorological", "natural_disaster",
        text="根据暴雨橙色预警，市防指于3时40分启动防汛Ⅳ级应急响应，要求浏阳、宁乡山区乡镇立即转移山洪、地质灾害危险区群众。",
        unit="长沙市应急管理局",
    )  # fmt: skip
    assert response.announces == "meteorological"  # and intake infers it so (test_lexicon)
    flash_flood = sight(
        tools, "溪口村突发山洪1人失联", "浏阳市张坊镇溪口村", now, "flood", "natural_disaster",
        text="凌晨强降雨致溪口村突发山洪，沿溪2户房屋进水，1名村民转移途中被冲走失联，已组织搜救，转移群众40人。",
        unit="张坊镇值班室",
    )  # fmt: skip
    assert not flagged(tools, flash_flood, response)
    tree = sight(
        tools, "大风把树吹倒砸到车了", "浏阳市集里街道", now, "", "natural_disaster",
        text="来电人称暴雨加大风，路边一棵大树被风吹倒，砸到停着的两台车，没有人受伤。",
    )  # fmt: skip
    warning = sight(
        tools, "长沙市气象台发布暴雨橙色预警信号", "长沙市", now - timedelta(minutes=90), "meteorological",
        "natural_disaster", text="预计未来3小时浏阳市、宁乡市将出现50毫米以上降水，并伴有雷电大风。",
    )  # fmt: skip
    assert flagged(tools, tree, warning)


@pytest.mark.parametrize(
    "city,district",
    [
        (
            ("长沙市气象台发布大风黄色预警", "长沙市全市", "预计今天白天到夜间全市将出现6级、阵风8-9级的偏北大风，请注意防范大风和森林火险。", "长沙市气象局"),
            ("长沙县已转发大风预警并部署防范", "长沙县", "已将大风预警转发至各镇街，各镇街正在检查工地围挡和户外广告牌。", "长沙县人民政府总值班室"),
        ),
        (
            ("关于启动抗旱Ⅳ级应急响应的通知", "长沙市全市", "市防指决定自12时起启动抗旱Ⅳ级应急响应，请各地落实人饮保障措施，严管野外用火。", "长沙市应急管理局"),
            ("宁乡市落实抗旱Ⅳ级响应情况", "宁乡市", "接市防指通知，我市同步落实抗旱Ⅳ级响应，已为山区村组送水。", "宁乡市应急管理局"),
        ),
    ],
)  # fmt: skip
def test_a_warning_or_a_response_a_district_relays_is_the_citys(tools, city, district):
    """The forty-fourth version: one warning or response as the city issues it and as a
    district relays it hours later (35 of 36 such pairs in the parts are one event): the
    city's area holds the district's. Two different districts' own reports are not made one."""
    now = timezone.now()
    title, place, text, unit = city
    issued = sight(
        tools, title, place, now - timedelta(minutes=100), "meteorological", "natural_disaster", text=text, unit=unit
    )
    title, place, text, unit = district
    relayed = sight(tools, title, place, now, "meteorological", "natural_disaster", text=text, unit=unit)
    assert issued.announces == relayed.announces == "meteorological"
    assert flagged(tools, relayed, issued)
    reasons = duplicates.score(relayed, issued, gazetteer=tools[0], kinds=tools[2])[1]
    assert "同一预警或响应的转发落实" in reasons
    next_week = replace(relayed, at=now + timedelta(days=7))
    assert not flagged(tools, next_week, issued)


def test_two_warnings_of_two_weathers_the_same_hour_are_not_one_relayed(tools):
    """A gale warning and a district's relay of the rainstorm warning, the same hour: both the
    weather's, but each names its weather, and not the same one."""
    now = timezone.now()
    gale = sight(
        tools, "长沙市气象台发布大风黄色预警", "长沙市全市", now - timedelta(minutes=30), "meteorological",
        "natural_disaster", text="预计今天白天到夜间全市将出现6级、阵风8-9级的偏北大风，请注意防范。",
    )  # fmt: skip
    rain = sight(
        tools, "长沙县已转发暴雨橙色预警并部署防范", "长沙县", now, "meteorological", "natural_disaster",
        text="已将市气象台暴雨橙色预警转发至各镇街，各镇街正在巡查低洼地带和山塘。",
    )  # fmt: skip
    assert (gale.weather, rain.weather) == ("大风", "暴雨")
    reasons = duplicates.score(rain, gale, gazetteer=tools[0], kinds=tools[2])[1]
    assert "同一预警或响应的转发落实" not in reasons
    assert not flagged(tools, rain, gale)


@pytest.mark.parametrize("hours", [1, 6, 12, 20])
def test_the_prefilters_upper_bound_counts_a_relayed_warnings_hours_as_the_scorer_does(tools, hours):
    """A district's relay hours after the city's warning: the intake's bound on the row never
    falls under the exact score (it had counted their hours as an ordinary kind's, and dropped
    the row once a day's relay came under the threshold)."""
    city, _reader, kinds = tools
    now = timezone.now()
    title, place, text = (
        "长沙市气象台发布大风黄色预警",
        "长沙市全市",
        "预计今天白天到夜间全市将出现6级、阵风8-9级的偏北大风。",
    )
    issued = sight(tools, title, place, now - timedelta(hours=hours), "meteorological", "natural_disaster", text=text)
    relay = sight(
        tools, "长沙县已转发大风预警并部署防范", "长沙县", now, "meteorological", "natural_disaster",
        text="已将大风预警转发至各镇街，各镇街正在检查工地围挡。",
    )  # fmt: skip
    row = duplicates.Row(0, None, None, title, place, text, "meteorological", "", issued.at, False, "")
    bound = duplicates.upper_bound(relay, row, gazetteer=city, kinds=kinds, keys=city.keys_of(relay.places))
    exact = duplicates.score(relay, issued, gazetteer=city, kinds=kinds)[0]
    assert exact >= duplicates.THRESHOLD and bound >= exact
