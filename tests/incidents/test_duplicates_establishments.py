"""Where the words put two reports at one place when the gazetteer cannot (the duplicate
scorer's ninth version): the same establishment named by both (a restaurant, a
kindergarten, a company, a care home, a metro station, a village the gazetteer does
not know), a named spot with the caller's words before it, a road named with its
direction; and related kinds as compatible as unknown ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import duplicates, geo

from . import sightings
from .api_steps import ago, report


def sight(tools, title, place, at, subtype="", category="public_health", text="", drill=False, **fields):
    """A report's Sighting (sightings.sight), public health unless said, `drill` as intake's is_drill."""
    return sightings.sight(tools, title, place, at, subtype, category, text, is_drill=drill, **fields)


def score(tools, new, old):
    return duplicates.score(new, old, gazetteer=tools[0], kinds=tools[2])[0]


def firms(tools, text):
    return {name for name, _kind in geo.read_streets(text, tools[0]).firms}


def test_an_establishment_is_read_by_its_kind_and_a_kinds_word_is_no_name(tools):
    assert firms(tools, "东山街道金穗酒楼婚宴") == {"金穗"}
    assert firms(tools, "雨花区同升街道华泰精密电子有限公司职工食堂") == {"精密电子"}  # 职工食堂 says no name
    assert firms(tools, "望城区黄金园街道颐乐敬老院") == {"颐乐"}
    assert firms(tools, "高桥小学") == {"高桥"}  # a school named after its place
    assert firms(tools, "地铁2号线溁湾镇站") == firms(tools, "溁湾镇地铁站") == {"溁湾镇"}
    assert firms(tools, "回龙铺镇金峰村八组") == {"金峰"}
    for words in ("我们学校食堂", "问燃气公司说是管子挖断了", "好多小学生在吐", "村民在扑火", "一家饭店"):
        assert not firms(tools, words), words
    assert geo.same_name({"当晚金穗"}, {"金穗"}) == "金穗" and geo.same_name({"金穗"}, {"鸿福"}) is None
    kindergartens = geo.read_streets("向阳幼儿园", tools[0]).firms, geo.read_streets("春苗幼儿园", tools[0]).firms
    assert geo.same_firm(*kindergartens) == (None, True)  # two of one kind: two places
    assert geo.same_firm({("金穗", "酒楼")}, {("向阳", "幼儿园")}) == (None, False)


WEDDING_CALL = ("喝喜酒的好多人呕吐", "东山金穗酒楼", "吃完一个多小时好多人开始吐，肚子绞痛，已经有二三十个人不舒服了")
WEDDING_REPORT = (
    "金穗酒楼婚宴食物中毒事件续报",
    "雨花区东山街道金穗酒楼",
    "累计就诊41人，住院6人，初步判定为细菌性食物中毒",
)


@pytest.mark.parametrize("order", ["caller-first", "report-first"])
def test_a_callers_words_and_next_mornings_report_naming_one_restaurant_are_one_poisoning(tools, order):
    now = timezone.now()
    title, place, text = WEDDING_CALL
    caller = sight(tools, title, place, now - timedelta(hours=11), guess="food_poisoning", text=text)
    written = sight(tools, *WEDDING_REPORT[:2], now, "food_poisoning", text=WEDDING_REPORT[2])
    new, old = (written, caller) if order == "caller-first" else (caller, written)
    assert score(tools, new, old) >= duplicates.THRESHOLD
    # the same night's poisoning at another restaurant of the same 街道 is another event
    elsewhere = sight(tools, title, "东山福满楼酒楼", caller.at, guess="food_poisoning", text=text)
    assert score(tools, written, elsewhere) < duplicates.THRESHOLD


def test_a_kindergartens_call_and_the_cdcs_report_are_one_outbreak_another_kindergarten_is_not(tools):
    now = timezone.now()
    call = ("好几个小朋友吐了", "高桥大市场后面向阳幼儿园", "中班和大班从早上到现在有十一个小朋友吐了，担心是传染的")
    cdc = ("向阳幼儿园一起急性胃肠炎聚集性疫情", "雨花区高桥街道向阳幼儿园", "疑似诺如病毒感染，已采样送检")
    ours = sight(tools, *call[:2], now - timedelta(hours=6), guess="epidemic", text=call[2])
    report_ = sight(tools, *cdc[:2], now, "epidemic", text=cdc[2])
    assert score(tools, report_, ours) >= duplicates.THRESHOLD
    theirs = sight(tools, "好几个小朋友吐了", "高桥大市场后面春苗幼儿园", ours.at, guess="epidemic", text=call[2])
    assert score(tools, report_, theirs) < duplicates.THRESHOLD


def test_related_kinds_are_as_compatible_as_a_guessed_same_kind(tools):
    """A school's vomiting read as a poisoning by the parent, an outbreak by the CDC: as
    compatible as one kind guessed (the twenty-eighth version; as an unknown one before)."""
    related = frozenset(tools[2].related)
    assert duplicates._kind_weight("food_poisoning", "food_poisoning", "epidemic", "epidemic", related) == (
        duplicates._kind_weight("", "epidemic", "epidemic", "epidemic", related)
    )
    assert duplicates._kind_weight("food_poisoning", "food_poisoning", "epidemic", "epidemic", related) > (
        duplicates._kind_weight("", "", "epidemic", "epidemic", related)
    )
    assert duplicates._kind_weight("fire", "fire", "flood", "flood", related) < duplicates.KIND_RELATED
    now = timezone.now()
    parent = sight(
        tools, "家长反映学校很多孩子上吐下泻", "麓谷那个望岳小学", now - timedelta(hours=5), "food_poisoning"
    )
    cdc = sight(tools, "关于望岳小学一起诺如病毒感染聚集性疫情的报告", "岳麓区麓谷街道望岳小学", now, "epidemic")
    assert score(tools, cdc, parent) >= duplicates.THRESHOLD


def test_a_stations_drill_and_a_passers_by_call_about_its_smoke_are_one_drill(tools):
    now = timezone.now()
    drill = sight(
        tools,
        "溁湾镇站火灾应急疏散演练报备",
        "地铁2号线溁湾镇站",
        now - timedelta(minutes=40),
        "fire",
        "accident_disaster",
        drill=True,
    )
    call = sight(
        tools, "地铁站里冒烟，好多人往外跑", "溁湾镇地铁站", now, "", "accident_disaster", drill=True, guess="fire"
    )
    assert score(tools, call, drill) >= duplicates.THRESHOLD
    other = sight(
        tools, "地铁站里冒烟，好多人往外跑", "五一广场地铁站", now, "", "accident_disaster", drill=True, guess="fire"
    )
    assert score(tools, other, drill) < duplicates.THRESHOLD


def test_a_named_spot_with_the_callers_words_before_it_and_a_road_named_with_its_direction(tools):
    assert geo.read_streets("造成白鹤小区等4个小区停气", tools[0]).named == {"造成白鹤"}
    assert geo.same_name({"造成白鹤"}, {"白鹤"}) == "白鹤"
    assert geo.read_streets("星沙开元东路县政府门口", tools[0]).roads == {"开元东路"}
    assert geo.read_streets("宁乡城里一环西路一家米粉店", tools[0]).roads == {"环西路"}
    assert not geo.read_streets("往路东边走", tools[0]).roads


def test_a_company_named_by_its_own_safety_officer_and_by_the_market_regulator_through_intake(api):
    """The factory's call names no place the gazetteer knows and gives no point; the
    district's report an hour and a half later names the company: one poisoning."""
    body = {"category": "public_health", "subtype": "food_poisoning"}
    first = report(
        api,
        **body,
        title="工人吃了中饭上吐下泻",
        description="厂里中午在食堂吃了饭的工人陆续肚子痛、呕吐，现在有18个了，食堂的菜留了样。",
        location_text="经开区华泰精密电子食堂",
        reporter_unit="华泰精密电子有限公司",
        received_at=ago(minutes=100),
    )["incident"]
    second = report(
        api,
        **body,
        title="华泰精密电子公司职工食堂疑似食物中毒",
        description="该公司职工食堂午餐后共有23名员工出现腹痛、呕吐、腹泻症状，已封存留样。",
        location_text="雨花区同升街道华泰精密电子有限公司职工食堂",
        channel="lower_level",
    )
    assert second["possible_duplicates"] == [first]
    other = report(
        api,
        **body,
        title="一公司职工食堂疑似食物中毒",
        description="该公司职工食堂午餐后多名员工出现腹痛、呕吐。",
        location_text="雨花区同升街道宏达包装有限公司职工食堂",
        channel="lower_level",
    )
    assert first not in other["possible_duplicates"]
