"""The duplicate scorer's twenty-sixth version: a report whose title tells how an earlier
event ended or why it happened (失联人员已找到, 抢修完成, 全部恢复, 打捞上岸, 燃气爆燃原因初查)
continues it, as a 续报 does, and a title ending in 原因 or 初查 is a written follow-up; the
times in a clause about another event (跟昨天炭河那边不是一回事) are that event's, not this one's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import duplicates

from . import sightings


@pytest.mark.parametrize(
    "title, continues",
    [
        ("金钟村失联人员已找到", True),
        ("银星路供水管爆管抢修完成", True),
        ("达浒片区停电全部恢复", True),
        ("沩水大桥下游失踪青年已打捞上岸", True),
        ("望岳街道一住户燃气爆燃原因初查", True),
        ("昨天鹊山村交通事故后续", True),  # the aftermath (the thirtieth version)
        ("工地围挡倒塌伤人后续", True),
        ("长张高速东行K44路段清障完毕", True),  # done with (the thirty-second version)
        ("【演练】青山水库防汛演练结束", True),
        ("比赛结束后观众散场时发生踩踏", False),
        ("龙泉村水库边上的山着火了", False),
        ("黄材镇龙泉村山火已扑灭", False),  # a small fire's first report often says it is out
    ],
)
def test_a_title_telling_how_an_event_ended_continues_it(title, continues):
    assert duplicates.says_it_continues("", title) is continues


def test_the_found_mans_report_the_next_morning_is_the_flash_flood(tools):
    now = timezone.now()
    town = sightings.sight(
        tools, "我镇金钟村1人被山洪冲走失联", "浏阳市达浒镇金钟村", now - timedelta(hours=20), "flood",
        "natural_disaster", text="今日15时许，金钟村一村民过溪时被山洪冲走，目前失联，镇村干部和救援队正沿溪搜寻。",
    )  # fmt: skip
    found = sightings.sight(
        tools, "金钟村失联人员已找到", "浏阳市达浒镇金钟村", now, "", "natural_disaster",
        text="今日9时，搜救人员在下游约3公里处找到失联村民遗体，已移交家属。",
    )  # fmt: skip
    assert found.continues and sightings.flagged(tools, found, town)


def test_a_cause_reported_the_next_day_is_a_written_follow_up_of_the_blast(tools):
    now = timezone.now()
    blast = sightings.sight(
        tools, "居民楼一声巨响窗户飞出来了", "岳麓区望岳街道一小区", now - timedelta(hours=16), "fire",
        text="119转：望岳街道一小区6栋4楼一户发生爆炸，窗户和防盗网被冲出来掉在楼下，屋里有火光。",
    )  # fmt: skip
    cause = sightings.sight(
        tools, "望岳街道一住户燃气爆燃原因初查", "岳麓区望岳街道", now, "gas_supply",
        text="经燃气公司和消防初步勘查，该住户连接软管未卡紧，燃气泄漏，住户回家开灯时引发爆燃。",
    )  # fmt: skip
    assert cause.follow_up and cause.continues
    assert sightings.flagged(tools, cause, blast)


def test_the_times_in_a_clause_about_another_event_are_not_this_ones(tools):
    now = timezone.now()
    call = sightings.sight(
        tools, "龙泉村水库边上的山着火了", "黄材镇龙泉村", now, "forest_fire", "natural_disaster",
        text="水库坝上面那个山着火了，是哪个在那里烧草皮子，跟昨天炭河那边不是一回事，这边是我们龙泉村。",
    )  # fmt: skip
    assert call.stated is None
    said = sightings.sight(
        tools, "龙泉村水库边上的山着火了", "黄材镇龙泉村", now, "forest_fire", "natural_disaster",
        text="水库坝上面那个山昨天就着火了。",
    )  # fmt: skip
    assert said.stated is not None and said.stated < now


def test_a_birthday_banquet_is_a_banquet_site(tools):
    """The twenty-seventh version: 寿酒 (a birthday banquet) is a banquet as 寿宴 and 满月酒 are:
    the guest's 120 call and the town's report the next morning are one feast."""
    now = timezone.now()
    guest = sightings.sight(
        tools, "吃寿酒的人拉肚子发烧", "浏阳社港镇", now - timedelta(hours=13), "", "public_health",
        text="120转：社港镇他家老人今天中午做八十大寿，晚上好多亲戚打电话说拉肚子、发烧。",
    )  # fmt: skip
    assert "宴席" in guest.sites
    town = sightings.sight(
        tools, "社港镇一起农村聚餐疑似食物中毒事件报告", "浏阳市社港镇周洛村", now, "food_poisoning", "public_health",
        text="社港镇周洛村寿宴就餐人员累计发病44人，住院12人，病例以腹泻、发热为主。",
    )  # fmt: skip
    assert "宴席" in town.sites
