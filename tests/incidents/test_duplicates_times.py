"""When the reports say it happened (the duplicate scorer's ninth version): a written
report's own time of the event, a title that reads as a department's report, a slow
kind's reports a day and more apart, two towns each telling its own drought; and the
prefilter's upper bound, never under the score, on every part of the evaluation set."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import duplicates, evaluation

from .api_steps import ago, report
from .sightings import sight

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_time_a_written_report_gives_is_read_in_the_installations_zone():
    # today, 16:30 in 临江, in UTC as reports are stored (days and months roll over alike)
    local = timezone.now().astimezone(SHANGHAI).replace(hour=16, minute=30, second=0, microsecond=0)
    at = local.astimezone(UTC)
    yesterday, two_days_ago = local - timedelta(days=1), local - timedelta(days=2)
    assert duplicates.stated_at("15时15分许，溁湾路一服装店起火", at, SHANGHAI) == local.replace(hour=15, minute=15)
    assert duplicates.stated_at("10时许发生侧壁坍塌", at, SHANGHAI).hour == 10
    # the day before, named or not; an announced drill's start up to two hours ahead
    found = duplicates.stated_at(f"于{yesterday.day}日23时20分被搜救人员找到", at, SHANGHAI)
    assert found == yesterday.replace(hour=23, minute=20)
    past_midnight = local.replace(hour=1).astimezone(UTC)
    assert duplicates.stated_at("22时40分许一住户起火", past_midnight, SHANGHAI) == yesterday.replace(
        hour=22, minute=40
    )
    assert duplicates.stated_at("17时30分开展疏散演练", at, SHANGHAI).hour == 17
    # a count up to, an expectation, or a time too far from the report: none
    assert duplicates.stated_at("截至21时就诊52人", at, SHANGHAI) is None
    assert duplicates.stated_at("预计23时恢复供气", at, SHANGHAI) is None
    assert duplicates.stated_at(f"{two_days_ago.day}日6时发生", at, SHANGHAI) is None
    assert duplicates.stated_at("伤者持续昏迷3小时", at, SHANGHAI) is None


def test_a_departments_report_an_hour_later_giving_the_callers_minute_is_that_fire(tools):
    kinds = tools[2]
    at = timezone.now()
    caller = sight(
        tools, "街边服装店着火了", "黄兴中路", at - timedelta(minutes=75), "fire", text="黑烟很大，楼上住了人"
    )
    then = timezone.localtime(caller.at - timedelta(minutes=5))
    written = f"{then.hour}时{then.minute:02d}分许，一服装店起火，过火面积约60平方米，已扑灭，无人员伤亡。"
    street = sight(tools, "一临街商铺火灾", "黄兴中路", at, "fire", text=written, zone=SHANGHAI)
    assert street.stated is not None
    assert duplicates.score(street, caller, gazetteer=tools[0], kinds=kinds)[0] >= duplicates.THRESHOLD
    # the same words about a fire five hours before the call: the minute it gives is no
    # evidence (the road and the hour between the reports are)
    earlier = timezone.localtime(caller.at - timedelta(hours=5))
    other = written.replace(f"{then.hour}时{then.minute:02d}分", f"{earlier.hour}时{earlier.minute:02d}分")
    other_fire = sight(tools, "一临街商铺火灾", "黄兴中路", at, "fire", text=other, zone=SHANGHAI)
    found = duplicates.score(street, caller, gazetteer=tools[0], kinds=kinds)[0]
    assert duplicates.score(other_fire, caller, gazetteer=tools[0], kinds=kinds)[0] < found


@pytest.mark.parametrize(
    "title,written",
    [
        ("关于望岳小学一起诺如病毒感染聚集性疫情的报告", True),
        ("高速追尾事故伤员救治情况", True),
        ("全市森林火情通报", True),
        ("学校很多孩子上吐下泻", False),
        ("报告一下，村里停电了", False),
        # the thirty-sixth version: a title naming the accident's class in a regulator's words
        ("泉塘街道一在建项目高处坠落生产安全事故", True),
        ("灰汤庙会旋转飞椅故障特种设备事件", True),
        ("裕南街街道一餐馆年夜饭疑似食物中毒事件", True),
        ("金山桥街道年货团购诈骗案立案侦查", True),
        ("长张高速K31货车追尾小车事故", False),  # the traffic police's first word on a crash
        ("一小区电梯溜梯困人事件", False),
    ],
)
def test_a_title_that_reads_as_a_departments_report_marks_a_follow_up(title, written):
    assert duplicates.is_follow_up(title, title) is written


@pytest.mark.parametrize(
    "text,written",
    [
        # the thirty-ninth version: what an inquiry found, written hours after the event
        ("该面包车驾驶人系无证驾驶，事故正在进一步调查。", True),
        ("初步查明，该电梯制动器磨损导致轿厢下行溜车。", True),
        ("一患者家属殴打医生，已以涉嫌寻衅滋事刑事立案。", True),
        ("经现场检测，该户燃气热水器为直排式。", True),
        ("来电人称医院门诊有人打医生，医生脸上出血了。", False),
    ],
)
def test_a_text_telling_what_an_inquiry_found_marks_a_follow_up(text, written):
    assert duplicates.is_follow_up(text) is written


def test_a_slow_kinds_reports_a_day_and_more_apart_are_compared_through_intake(api):
    """The village's dry well one morning, the county's drought report the next noon
    (30 hours): one drought. Two hill fires 30 hours apart at one village are not
    even candidates."""
    first = report(
        api,
        title="山上水源断了，组里吃水困难",
        description="一个多月没下透雨，组里那口山泉断流了，几十户水缸见底，要走两里路去挑水。",
        location_text="沩山乡龙泉村",
        subtype="drought",
        received_at=ago(hours=30),
    )["incident"]
    later = report(
        api,
        title="关于沩山乡人畜饮水困难情况的报告",
        description="沩山乡因旱饮水困难人口约700人，主要在龙泉村，已启动抗旱四级应急响应，调拨抗旱水泵和送水车。",
        location_text="宁乡市沩山乡",
        subtype="drought",
        channel="lower_level",
    )
    assert later["possible_duplicates"] == [first]
    fire = report(
        api,
        title="后山烧起来了",
        description="后山起火，村里的人在打。",
        location_text="沩山乡龙泉村",
        subtype="forest_fire",
        received_at=ago(hours=30),
    )["incident"]
    again = report(api, title="龙泉村又起山火", location_text="沩山乡龙泉村", subtype="forest_fire")
    assert fire not in again["possible_duplicates"]


def test_two_towns_each_telling_its_own_drought_are_two_reports_one_quake_felt_in_both_is_one(tools):
    city, _reader, kinds = tools
    at = timezone.now()
    cat = "natural_disaster"
    ours = sight(tools, "社港镇旱情及人饮困难情况", "浏阳社港镇", at - timedelta(hours=20), "drought", cat)
    theirs = sight(tools, "龙伏镇部分村组人畜饮水困难", "浏阳龙伏镇", at, "drought", cat)
    assert duplicates.score(theirs, ours, gazetteer=city, kinds=kinds)[0] < duplicates.THRESHOLD
    again = sight(tools, "社港镇旱情续报", "浏阳社港镇", at, "drought", cat)
    assert duplicates.score(again, ours, gazetteer=city, kinds=kinds)[0] >= duplicates.THRESHOLD
    felt = sight(tools, "刚才楼在晃，是不是地震了", "高塘岭街道", at - timedelta(minutes=2), "earthquake", cat)
    there = sight(tools, "铜官这边也感觉到震动", "铜官街道", at, "earthquake", cat)
    assert duplicates.score(there, felt, gazetteer=city, kinds=kinds)[0] >= duplicates.THRESHOLD


def test_the_prefilters_upper_bound_never_drops_a_pair_the_scorer_would_flag(tools):
    """Every pair of every part the intake's SQL would return: a row whose upper bound is
    under the threshold scores under it too (times stated, establishments, follow-ups)."""
    city, reader, kinds = tools
    items = evaluation.load()
    seen = evaluation.sightings(items, city, reader)
    checked = 0
    for split in evaluation.SPLITS:
        part = [i for i in items if i.split == split]
        for n, item in enumerate(part):
            new, keys = seen[item.id], city.keys_of(seen[item.id].places)
            for earlier in part[:n]:
                old = seen[earlier.id]
                if not evaluation.prefiltered(new, old, 2.5, kinds, city):
                    continue
                row = duplicates.Row(
                    0, old.lat, old.lon, earlier.title, earlier.place, earlier.text, old.subtype, old.guess,
                    earlier.at, False, earlier.unit,
                )  # fmt: skip
                if duplicates.upper_bound(new, row, gazetteer=city, kinds=kinds, keys=keys) < duplicates.THRESHOLD:
                    as_found = duplicates.sighting(  # as duplicates.find reads the row
                        category=new.category, at=row.at, text=f"{row.title} {row.description[:300]}",
                        location_text=row.location_text, subtype=row.subtype, guess=row.guess, lat=row.lat,
                        lon=row.lon, gazetteer=city, reader=reader, is_drill=new.is_drill, unit=row.unit,
                        title=row.title,
                    )  # fmt: skip
                    assert duplicates.score(new, as_found, gazetteer=city, kinds=kinds)[0] < duplicates.THRESHOLD
                checked += 1
    assert checked > 1000


def test_next_mornings_follow_up_of_a_quick_kind_is_the_evenings_event_another_towns_is_not(tools):
    """An outage told by a village at dusk and the supply company's repair follow-up the next
    morning (12 hours): one outage. The same follow-up of another township's lines is not it."""
    city, _reader, kinds = tools
    now = timezone.now()
    village = sight(
        tools, "屋里停电了，电线上全是冰", "沩山乡同庆村三组", now - timedelta(hours=12), "power_supply",
        text="外面树上、电线上全是冰，电线都压弯了，屋里冷得不得了。",
    )  # fmt: skip
    repairs = sight(
        tools, "沩山乡覆冰停电抢修续报", "沩山乡", now, "power_supply",
        text="线路因覆冰导致电杆倒伏、断线，截至今日7时已恢复约700户供电。",
    )  # fmt: skip
    assert repairs.follow_up
    assert duplicates.score(repairs, village, gazetteer=city, kinds=kinds)[0] >= duplicates.THRESHOLD
    theirs = sight(
        tools, "黄材镇覆冰停电抢修续报", "黄材镇", now, "power_supply",
        text="线路因覆冰导致电杆倒伏、断线，截至今日7时已恢复约500户供电。",
    )  # fmt: skip
    assert duplicates.score(theirs, village, gazetteer=city, kinds=kinds)[0] < duplicates.THRESHOLD


# Pieces callers and departments write: lexicon words, places, punctuation, filler.
PIECES = (
    "着火", "起火", "冒烟", "火灾", "积水", "内涝", "管涌", "渗水", "追尾", "侧翻", "燃气", "泄漏", "停电", "滑坡", "塌方",
    "中毒", "呕吐", "腹泻", "聚集", "上访", "山火", "扑灭", "消防", "车", "人", "黄花镇", "湘江大道", "石鼓村", "某小区",
    "，", "。", "、", " ", "已", "请求", "处置", "群众来电", "反映", "现场", "情况", "不是", "与昨日", "另报", "1人受伤",
)  # fmt: skip
_words = st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(new_title=_words, new_text=_words, place=_words, title=_words, text=_words)
def test_the_bound_on_the_words_likeness_is_never_under_it(tools, new_title, new_text, place, title, text):
    """_text_bound reads a row's text cheaply (bigrams, substrings); whatever the texts, it is
    never under the likeness score() finds once the row's words are read."""
    now = timezone.now()
    new = sight(tools, new_title, "湘江大道", now, text=new_text)
    row_text = f"{title} {text}"
    old = duplicates.sighting(
        category=new.category, at=now, text=row_text, location_text=place, gazetteer=tools[0], reader=tools[1],
        title=title,
    )  # fmt: skip
    likeness = max(duplicates.jaccard(new.grams, old.grams), duplicates.jaccard(new.words, old.words))
    assert duplicates._text_bound(new, place, row_text) >= likeness
