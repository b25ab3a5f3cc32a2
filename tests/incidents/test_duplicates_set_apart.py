"""The duplicate scorer's twenty-fourth version: a report that says which event it is not
(与昨日鹊山村火情不是同一处, 与同晚跳马镇废品站火情非同一起) is not that event, and is no longer
kept from every other report of its town for calling itself another one (又发生一起山火);
a farm a department leaves unnamed (某养殖场) is the one a farmer named; one establishment
both name makes an outbreak's reports a day apart one event; 路口镇 and the other towns the
gazetteer lacked are towns, and 路口 alone is still a junction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import duplicates

from . import sightings


def _fire(tools, title, place, minutes_ago, text, subtype="forest_fire", category="natural_disaster"):
    return sightings.sight(
        tools, title, place, timezone.now() - timedelta(minutes=minutes_ago), subtype, category, text=text
    )


def test_another_fire_set_apart_from_a_named_one_is_still_the_drivers_call_before_it(tools):
    """The town's report of a second hill fire names the one it is not (yesterday's at 鹊山村):
    a passing driver's call ten minutes before, from the road through the town, is this fire;
    yesterday's 鹊山村 fire is not."""
    driver = _fire(
        tools, "路过看到山上冒好大的烟", "319国道大成桥段路边", 22,
        "来电人开车经过319国道大成桥那一段，看到路边山上冒好大的烟，还能看见明火。",
    )  # fmt: skip
    yesterday = _fire(
        tools, "鹊山村发生山火", "宁乡市大成桥镇鹊山村", 24 * 60, "鹊山村一处山林起火，镇扑火队已赶往。"
    )  # fmt: skip
    town = _fire(
        tools, "石鼓村又发生一起山火", "宁乡市大成桥镇石鼓村", 0,
        "13时40分许，石鼓村一村民在山脚焚烧生活垃圾引发山火，镇扑火队已赶到，与昨日鹊山村火情不是同一处。",
    )  # fmt: skip
    assert town.another and town.set_apart == {"鹊山村"}
    assert sightings.flagged(tools, town, driver)
    assert not sightings.flagged(tools, town, yesterday)


@pytest.mark.parametrize(
    "words", ["与同晚跳马镇废品站火情非同一起", "与跳马镇那起不在一个地方", "与跳马镇废品站火灾不是一处"]
)
def test_a_report_saying_which_event_it_is_not_is_not_that_event(tools, words):
    scrap = _fire(
        tools, "我镇一废品收购站发生火灾", "雨花区跳马镇某村废品收购站", 60,
        "22时30分许，我镇某村一废品收购站堆放的废纸箱被附近燃放的烟花引燃，已控制。", "fire", "accident_disaster",
    )  # fmt: skip
    balcony = _fire(
        tools, "辖区一高层住宅阳台火灾情况", "雨花区", 0,
        f"23时45分许，辖区某小区6栋一住户阳台被燃放的烟花引燃，火势殃及楼下一户阳台，已扑灭。{words}。",
        "fire", "accident_disaster",
    )  # fmt: skip
    assert "跳马镇" in balcony.set_apart
    assert not sightings.flagged(tools, balcony, scrap)


def test_a_question_and_the_words_after_a_title_set_nothing_apart(tools):
    """是不是翻船了 (a title) and 铜官窑那里 (its words) are no clause 不是…那里: the caller
    watching a drill on the river is at 铜官窑, not saying it is elsewhere."""
    caller = _fire(
        tools, "河上好多船，是不是翻船了", "铜官窑那里的河边", 0,
        "铜官窑那里河上好多船，直升机也在上面转，是不是翻船了？", "traffic", "accident_disaster",
    )  # fmt: skip
    assert not caller.set_apart


def test_a_farm_the_department_leaves_unnamed_is_the_farmers(tools):
    now = timezone.now()
    farmer = sightings.sight(
        tools, "猪场这几天死了六十多头猪", "双江口镇东山村戴家湾", now - timedelta(hours=30), "animal_epidemic",
        "public_health", text="我屋里猪场这一个礼拜死了六十多头猪，先是发烧不吃食，耳朵、肚皮发紫。",
    )  # fmt: skip
    county = sightings.sight(
        tools, "关于双江口镇一起非洲猪瘟疫情的报告", "宁乡市双江口镇", now, "animal_epidemic", "public_health",
        text="双江口镇某养殖场送检样品非洲猪瘟病毒核酸阳性，确诊为非洲猪瘟疫情，已扑杀生猪417头。",
    )  # fmt: skip
    value, reasons = duplicates.score(county, farmer, gazetteer=tools[0], kinds=tools[2])
    assert value >= duplicates.THRESHOLD and any("同一类场所：养殖场" in r for r in reasons)


def test_one_care_home_a_day_apart_is_one_outbreak_and_one_shop_a_day_apart_two_fires(tools):
    now = timezone.now()
    home = "浏阳市社港镇敬老院"
    call = sightings.sight(
        tools, "敬老院十一个老人发烧", home, now - timedelta(hours=23, minutes=30), "epidemic", "public_health",
        text="我们敬老院这两天有11个老人发烧、咳嗽，镇卫生院来看了说可能是流感。",
    )  # fmt: skip
    town = sightings.sight(
        tools, "镇敬老院发生流感样病例聚集", home, now, "epidemic", "public_health",
        text="截至今日9时，镇敬老院共有16名老人出现发热、咳嗽，采样8份中5份甲流抗原阳性。",
    )  # fmt: skip
    assert sightings.flagged(tools, town, call)
    shop = "浏阳市社港镇鸿福酒楼"
    first = sightings.sight(
        tools, "酒楼厨房着火", shop, now - timedelta(hours=23, minutes=30), "fire", text="后厨着火。"
    )
    second = sightings.sight(tools, "酒楼又着火了", shop, now, "fire", text="酒楼后厨油锅起火。")
    assert not sightings.flagged(tools, second, first)  # a fire is over in minutes: a day on is another


def test_luokou_town_is_a_town_and_a_junction_is_not(tools):
    now = timezone.now()
    guest = sightings.sight(
        tools, "吃满月酒的二十几个人肚子痛", "路口镇明月村", now - timedelta(minutes=50), "food_poisoning", "public_health",
        text="今天中午我孙子做满月酒，晚上二十几个客人肚子痛、拉肚子。",
    )  # fmt: skip
    town = sightings.sight(
        tools, "我镇一农村满月宴疑似食物中毒", "长沙县路口镇某村", now, "food_poisoning", "public_health",
        text="我镇某村一村民自办满月宴，至20时30分已有27人出现腹痛、腹泻、发热等症状。",
    )  # fmt: skip
    assert guest.towns == town.towns == {"路口镇"}
    assert sightings.flagged(tools, town, guest)
    stabbing = sightings.sight(tools, "路口有人被砍了", "解放西路路口", now, "criminal_case", "social_security")
    assert "路口镇" not in stabbing.places
