"""A department's written summary of an outbreak (the scorer's twenty-third version). The
CDC's report names no home or school (某养老机构, 某中学), tallies the cases as of an hour
(截至12月14日10时…累计), and comes two days after the first callers: the care home it
leaves unnamed is the one a caller named (养老机构 is a 养老院), a tally is a written
summary whatever its title, and the intake looks back three days, not a day and a half,
for a slow kind's summary. A caller's words two days on are not looked for that far."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import duplicates

from . import sightings
from .api_steps import ago, report

EAST_LAKE = (28.1900, 113.0900)  # 东湖街道's point in the gazetteer


def _home(tools, title, place, at, text):
    return sightings.sight(tools, title, place, at, "epidemic", "public_health", text=text)


def test_an_unnamed_care_home_in_the_cdcs_report_is_the_one_a_caller_named(tools):
    now = timezone.now()
    caller = _home(
        tools, "老人上吐下泻", "长沙县星沙街道福寿养老院", now - timedelta(hours=30),
        "从昨天晚上起院里有11个老人上吐下泻，两个护工也吐了，怀疑是诺如。",
    )  # fmt: skip
    cdc = _home(
        tools, "某养老机构诺如病毒感染疫情", "长沙县某养老机构", now,
        "截至今日15时累计病例20例（老人16例、员工4例），检出诺如病毒GII型阳性5份，1名老人住院。",
    )  # fmt: skip
    value, reasons = duplicates.score(cdc, caller, gazetteer=tools[0], kinds=tools[2])
    assert value >= duplicates.THRESHOLD
    assert any("同一类场所：敬老院" in r for r in reasons)


def test_two_care_homes_each_named_are_two_places(tools):
    now = timezone.now()
    first = _home(tools, "老人发烧咳嗽", "长沙县星沙街道福寿养老院", now - timedelta(hours=3), "院里8个老人发烧咳嗽。")
    second = _home(tools, "老人发烧", "长沙县星沙街道康乐养老机构", now, "康乐养老机构有5个老人发烧。")
    assert not any("同一类场所" in r for r in duplicates.score(second, first, gazetteer=tools[0], kinds=tools[2])[1])


@pytest.mark.parametrize(
    "text, summary",
    [
        ("截至12月14日10时，望城区某养老机构累计流感样病例26例", True),
        ("截至1月6日16时累计病例27例，1名老人死亡", True),
        ("截止今天中午，全校累计请假学生118人", True),
        ("截至目前还没有人来管，老人一个传一个", False),  # a caller's 截至, no tally
        ("院里累计有十几个老人发烧了", False),  # a count, no hour it is as of
    ],
)
def test_a_tally_as_of_an_hour_is_a_written_summary(text, summary):
    assert duplicates.is_follow_up(text, "某养老机构流感疫情") is summary


def _outbreak(api):
    return report(
        api, received_at=ago(hours=50), category="public_health", subtype="epidemic",
        title="院里十几个老人发高烧", location_text="芙蓉区东湖街道颐康养老院",
        description="我们院里这几天十几个老人发烧咳嗽，14个了，还有一个护工，抗原有甲流阳性。",
        latitude=EAST_LAKE[0], longitude=EAST_LAKE[1],
    )["incident"]  # fmt: skip


def test_the_intake_looks_three_days_back_for_an_outbreaks_written_summary(api):
    """The CDC's tally two days after the care home's call is offered that incident; a
    family's call two days on, with no tally, keeps the day and a half of a slow kind."""
    first = _outbreak(api)
    body = {
        "category": "public_health", "subtype": "epidemic", "location_text": "芙蓉区东湖街道",
        "latitude": EAST_LAKE[0], "longitude": EAST_LAKE[1],
    }  # fmt: skip
    summary = report(
        api, channel="department", reporter_unit="芙蓉区疾病预防控制中心",
        title="某养老机构甲型流感聚集性疫情",
        description="截至今日10时，东湖街道某养老机构累计流感样病例26例，检出甲型H1N1流感阳性8份，4人住院。",
        **body,
    )  # fmt: skip
    assert first in summary["possible_duplicates"]
    family = report(
        api, title="家属反映老人在养老院感染流感",
        description="来电人称母亲住在东湖街道颐康养老院，这几天院里好多老人发烧，担心传染。", **body,
    )  # fmt: skip
    assert first not in family["possible_duplicates"]
