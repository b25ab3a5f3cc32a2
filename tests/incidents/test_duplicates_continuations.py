"""A report that says it continues an earlier one (续报, 终报: the scorer's eighteenth
version). It is about an event already reported, written a day or two after the callers:
its hours count a quarter, the times its words give are of what happened since (the fire
ground cleared at 8时, a body found at dawn), and the intake looks five days back for it
(the nineteenth: an outbreak's 续报 comes days after its first reports).
A report that does not say so keeps the usual window; a continuation of another place's
or another kind's event is not flagged. And a town the gazetteer lacks, written by both
(宁乡市喻家坎镇), is one town, not one spot."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from incidents import duplicates

from . import sightings
from .api_steps import ago, report

SHANGHAI = ZoneInfo("Asia/Shanghai")
BLACK_PEAK = (28.4230, 113.0300)  # 黑麋峰's point in the gazetteer


def _day(days_back=3):
    """Midnight (Shanghai) some days back: every instant below is built from it."""
    local = timezone.now().astimezone(SHANGHAI) - timedelta(days=days_back)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _fire_report(tools, day):
    return sightings.sight(
        tools, "关于黑麋峰森林火灾的报告", "望城区黑麋峰", day + timedelta(hours=20, minutes=40), "forest_fire",
        "natural_disaster",
        text=f"{day.month}月{day.day}日16时许黑麋峰东坡森林火灾，经区扑火队协同扑救，19时50分明火扑灭，过火面积约26亩。",
    )  # fmt: skip


def _continuation(tools, day, title, place="望城区桥驿镇黑麋峰", subtype="forest_fire"):
    later = day + timedelta(days=2)
    return sightings.sight(
        tools, title, place, later + timedelta(hours=8, minutes=30), subtype, "natural_disaster",
        text=f"火场经连续两日看守清理，未发现复燃，{later.month}月{later.day}日8时撤除看守人员。最终核定过火面积31亩。",
    )  # fmt: skip


def test_a_continuation_two_days_on_is_the_fire_it_continues(tools):
    day = _day()
    fire = _fire_report(tools, day)
    continued = _continuation(tools, day, "黑麋峰火场清理看守情况续报")
    assert continued.continues and not fire.continues
    assert sightings.flagged(tools, continued, fire)
    _value, reasons = duplicates.score(continued, fire, gazetteer=tools[0], kinds=tools[2])
    assert "续报：接续此前报告" in reasons  # the officer sees why a report two days old is offered


def test_the_same_words_without_saying_they_continue_are_too_late(tools):
    day = _day()
    fire = _fire_report(tools, day)
    summary = _continuation(tools, day, "黑麋峰火场清理看守情况")
    assert not summary.continues
    assert not sightings.flagged(tools, summary, fire)  # 36 hours after the fire: another day's


@pytest.mark.parametrize(
    "title, place, subtype",
    [
        ("大围山火场清理看守情况续报", "浏阳市大围山镇", "forest_fire"),  # another mountain, 60 km off
        ("黑麋峰景区游客滞留情况续报", "望城区桥驿镇黑麋峰", "meteorological"),  # another kind at the peak
    ],
)
def test_a_continuation_of_another_places_or_kinds_event_is_not_flagged(tools, title, place, subtype):
    day = _day()
    assert not sightings.flagged(tools, _continuation(tools, day, title, place, subtype), _fire_report(tools, day))


def test_a_continuation_only_continues_what_came_before_it(tools):
    """A report received after the continuation is not what it continues: usual hours."""
    day = _day()
    continued = _continuation(tools, day, "黑麋峰火场清理看守情况续报")
    two_days_later = _fire_report(tools, day + timedelta(days=3))
    assert not sightings.flagged(tools, two_days_later, continued)


def test_a_town_the_gazetteer_lacks_is_one_town_not_one_spot(tools):
    """The pond where two boys drowned in the afternoon and the river below the bridge where
    a youth drowned that evening: both written 宁乡市喻家坎镇…, one town (its weight, 0.6),
    not one spot (0.75: what a continuation's relief made of it the next evening)."""
    day = _day()
    pond = sightings.sight(
        tools, "花桥村两名儿童疑似溺水", "宁乡市喻家坎镇花桥村王家冲组山塘", day + timedelta(hours=16, minutes=20),
        "production_safety",
        text="15时50分许，花桥村王家冲组两名男童在村内山塘游泳后失踪，镇村干部、派出所和群众正在打捞。",
    )  # fmt: skip
    river = sightings.sight(
        tools, "喻家坎大桥下有人游泳沉下去了", "宁乡市喻家坎镇沩水大桥下游", day + timedelta(hours=21, minutes=15),
        "production_safety",
        text="镇里报告：沩水喻家坎大桥下游一名17岁青年游泳时沉入水中，救援队正在打捞。",
    )  # fmt: skip
    assert pond.unknown_towns == river.unknown_towns == {"喻家坎镇"}
    shared = pond.written & river.written
    assert shared == {"喻家坎", "家坎镇"} and not duplicates._not_towns(shared, river, pond)  # the town's, not a spot
    _value, reasons = duplicates.score(river, pond, gazetteer=tools[0], kinds=tools[2])
    assert any("同一乡镇：喻家坎镇" in r for r in reasons)
    assert duplicates.place_score(river, pond, tools[0])[0] == duplicates.NAME_PLACE["town"]


def test_an_outbreaks_continuation_three_days_on_is_the_outbreak(tools):
    day = _day(days_back=5)
    first = sightings.sight(
        tools, "关于东湖街道发现本地登革热病例的报告", "芙蓉区东湖街道马坡岭片区", day + timedelta(hours=10, minutes=30),
        "epidemic", "public_health",
        text=f"{day.month}月{day.day}日，东湖街道马坡岭片区报告3例登革热确诊病例，均无外出旅行史，判定为本地感染聚集性疫情。",
    )  # fmt: skip
    later = day + timedelta(days=3)
    continued = sightings.sight(
        tools, "东湖街道本地登革热疫情续报", "芙蓉区东湖街道", later + timedelta(hours=17), "epidemic", "public_health",
        text=f"截至{later.month}月{later.day}日16时，东湖街道本地登革热疫情累计报告病例7例，新增病例均在原疫点核心区内。",
    )  # fmt: skip
    assert sightings.flagged(tools, continued, first)


def test_the_intake_looks_two_days_back_for_a_fires_continuation(api):
    fire = report(
        api, received_at=ago(hours=40), title="黑麋峰东坡发生森林火灾", subtype="forest_fire",
        description="黑麋峰东坡山林起火，明火向山顶蔓延，区扑火队已上山。",
        location_text="望城区黑麋峰", latitude=BLACK_PEAK[0], longitude=BLACK_PEAK[1],
    )["incident"]  # fmt: skip
    body = {
        "subtype": "forest_fire", "channel": "department", "location_text": "望城区桥驿镇黑麋峰",
        "latitude": BLACK_PEAK[0], "longitude": BLACK_PEAK[1], "reporter_unit": "望城区林业局",
        "description": "火场经连续两日看守清理，未发现复燃，今日8时撤除看守人员，最终核定过火面积31亩。",
    }  # fmt: skip
    _offered_only_when_it_says_it_continues(api, fire, "黑麋峰火场清理看守情况", body)


def _offered_only_when_it_says_it_continues(api, first, title, body):
    """The report titled title + 续报 is offered `first`; the same words without it are not."""
    assert first in report(api, title=f"{title}续报", **body)["possible_duplicates"]
    assert first not in report(api, title=title, **body)["possible_duplicates"]


def _slide(tools, title, place, minutes, text):
    day = _day()
    return sightings.sight(
        tools, title, place, day + timedelta(hours=15, minutes=minutes), "geological", "natural_disaster", text=text
    )


def test_a_village_named_only_in_the_others_words_is_not_its_place(tools):
    """Two slides in neighbouring villages of one town within the hour: the second's report
    names the first village to set it apart (与…杉木村滑坡相距约3公里). Each location names
    its own village: the first village in the second's words is not where it happened."""
    first = _slide(
        tools, "杉木村枫树组发生山体滑坡", "宁乡市巷子口镇杉木村枫树组", 32,
        "15时30分许，杉木村枫树组一农户屋后发生山体滑坡，方量约800立方米，损毁房屋2间，无人员伤亡。",
    )  # fmt: skip
    second = _slide(
        tools, "罗家冲村村道边坡滑塌1人受伤", "宁乡市巷子口镇罗家冲村上屋组", 58,
        "16时许，罗家冲村上屋组村道边坡滑塌约300立方米，1名村民被冲倒致左腿骨折。与15时30分杉木村滑坡相距约3公里。",
    )  # fmt: skip
    assert first.villages and second.villages and first.villages.isdisjoint(second.villages)
    _value, reasons = duplicates.score(second, first, gazetteer=tools[0], kinds=tools[2])
    assert not any("杉木" in r for r in reasons)
    # one town's two slides within the hour stay candidates by the town (巷子口镇), no more
    assert duplicates.place_score(second, first, tools[0])[0] <= duplicates.NAME_PLACE["town"]
    caller = _slide(
        tools, "屋后山垮下来了", "杉木村枫树组后山", 40, "我屋后面的山一下子垮下来了，土冲进了厨房，人都跑出来了。"
    )  # fmt: skip
    assert sightings.flagged(tools, caller, first)  # the first village's own caller still is its slide


def test_the_intake_looks_days_back_for_an_outbreaks_continuation(api):
    """The CDC's 续报 three days after the outbreak's first report (the incident still
    open) is offered as that incident; the same words without saying they continue are not."""
    east_lake = (28.1900, 113.0900)  # 东湖街道's point in the gazetteer
    first = report(
        api, received_at=ago(hours=75), category="public_health", subtype="epidemic",
        title="东湖街道发现本地登革热病例", location_text="芙蓉区东湖街道马坡岭片区",
        description="东湖街道马坡岭片区报告3例登革热确诊病例，均无外出旅行史，判定为本地感染聚集性疫情，已启动疫点处置。",
        latitude=east_lake[0], longitude=east_lake[1],
    )["incident"]  # fmt: skip
    body = {
        "category": "public_health", "subtype": "epidemic", "channel": "department",
        "location_text": "芙蓉区东湖街道", "latitude": east_lake[0], "longitude": east_lake[1],
        "reporter_unit": "芙蓉区疾病预防控制中心",
        "description": "东湖街道本地登革热疫情累计报告病例7例，均为轻症，新增病例均在原疫点核心区内。",
    }  # fmt: skip
    _offered_only_when_it_says_it_continues(api, first, "东湖街道本地登革热疫情", body)
