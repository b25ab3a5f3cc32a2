"""What a duty officer reads to put a caller's words and a department's report on one event
when the gazetteer knows neither's place (the duplicate scorer's thirteenth version): a
place one location as written names that the other report's words name (a pond, a quarry,
a warehouse by its name); a village's or an establishment's name one gives beginning the
other's location as written (枫林 of 枫林村 and 枫林里); a village the gazetteer does not
know, named by both from points kilometres apart (the candidates' statement takes it in);
a written report's stated day reaching the candidates' window back; a follow-up written
ten hours on; a caller's guessed kind against the department's. Kept apart: the same
village's or pond's events a day apart, another pond in another town, a drill."""

from dataclasses import replace
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from incidents import duplicates

from .api_steps import ago, report
from .sightings import flagged, sight

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("order", ["caller-first", "town-first"])
def test_a_pond_the_caller_names_is_the_one_the_towns_report_names_in_its_words(tools, order):
    now = timezone.now()
    keeper = sight(
        tools, "塘坝脚下在冒浑水", "坝塘麻田冲山塘", now - timedelta(hours=4), "", "natural_disaster",
        text="我是麻田冲山塘的看护员，连下了两天雨，坝脚下面在冒浑水，越冒越大，下面住了好几户人。",
    )  # fmt: skip
    town = sight(
        tools, "麻田冲山塘渗漏险情处置情况", "宁乡市坝塘镇", now, "flood", "natural_disaster",
        text="经水利技术人员现场查勘，麻田冲山塘坝脚集中渗漏，已降低水位并设反滤围井，险情基本控制。",
    )  # fmt: skip
    assert "麻田冲" in keeper.written and "麻田冲" in town.told
    new, old = (town, keeper) if order == "caller-first" else (keeper, town)
    assert flagged(tools, new, old)


def test_another_ponds_report_and_the_same_ponds_a_day_later_are_not_that_leak(tools):
    now = timezone.now()
    keeper = sight(
        tools, "塘坝脚下在冒浑水", "坝塘麻田冲山塘", now - timedelta(hours=4), "", "natural_disaster",
        text="我是麻田冲山塘的看护员，坝脚下面在冒浑水，越冒越大。",
    )  # fmt: skip
    other = sight(
        tools, "白鹤冲水库溢洪道堵塞情况", "宁乡市坝塘镇", now, "flood", "natural_disaster",
        text="白鹤冲水库溢洪道被树枝杂物堵塞，已组织清理。",
    )  # fmt: skip
    assert not flagged(tools, other, keeper)
    next_day = sight(
        tools, "麻田冲山塘又出现渗水", "宁乡市坝塘镇", now + timedelta(hours=26), "flood", "natural_disaster",
        text="麻田冲山塘坝脚又出现渗水，已安排人员值守。",
    )  # fmt: skip
    assert not flagged(tools, next_day, keeper)  # a day on, the pond's next event


def test_a_villages_name_beginning_the_callers_location_is_the_village_the_town_names(tools):
    now = timezone.now()
    walker = sight(
        tools, "上坟的把山点着了", "枫林里后面的山上", now - timedelta(minutes=20), "forest_fire", "natural_disaster",
        text="枫林里后面山上烧起来了，有人上坟烧纸引着的，风大，烟一大片。",
    )  # fmt: skip
    town = sight(
        tools, "枫林村发生森林火灾", "宁乡市黄材镇枫林村后山", now, "forest_fire", "natural_disaster",
        text="12时许，我镇枫林村后山因群众祭扫烧纸引发山火，镇扑火队正在扑救。",
    )  # fmt: skip
    assert duplicates._stem_written(town, walker)
    assert flagged(tools, town, walker) and flagged(tools, walker, town)
    tomorrow = sight(
        tools, "枫林村又起山火", "宁乡市黄材镇枫林村", now + timedelta(hours=30), "forest_fire", "natural_disaster",
        text="枫林村后山再次起火，已扑灭。",
    )  # fmt: skip
    assert not flagged(tools, tomorrow, walker)


def test_a_guessed_kind_against_the_departments_kind_still_weighs_place_and_minutes(tools):
    now = timezone.now()
    worker = at_point(sight(
        tools, "下井通污水管的人晕倒了", "含浦学士路边上", now - timedelta(minutes=15), "", text="我们在学士路边"
        "通污水管，下井的人晕倒在井里不动了，井里臭得很。", guess="environmental_pollution",
    ), 0.005)  # fmt: skip
    office = sight(
        tools, "含浦街道一起有限空间作业中毒事故", "岳麓区含浦街道学士路", now, "production_safety",
        text="学士路一污水检查井疏通作业中，1名作业人员进入井内中毒晕倒。",
    )  # fmt: skip
    assert duplicates._kind_weight("production_safety", "production_safety", "", "environmental_pollution", set()) == (
        duplicates.KIND_DIFFERENT_GUESS
    )
    assert flagged(tools, office, worker)  # the caller's point 550 m from the town's
    yesterday = replace(worker, at=now - timedelta(hours=23))
    assert not flagged(tools, office, yesterday)


def at_point(seen, north):
    """The Sighting with the caller's own point, `north` degrees north of its town's."""
    return replace(seen, lat=seen.lat + north, spot_class="spot", area="", area_name="", reach=0.0)


CLEARING = (28.4302, 114.0721)  # a caller's point on the road up the mountain


def test_a_village_the_gazetteer_does_not_know_is_a_candidate_however_far_its_points(api):
    driver = report(
        api, title="山上石头滚下来砸了车", description="开车到青石村那一截，上面山坡塌了，石头滚下来砸到引擎盖上，路堵了。",
        location_text="去大围山的路上，青石村那一截", latitude=CLEARING[0], longitude=CLEARING[1],
        received_at=ago(minutes=40),
    )["incident"]  # fmt: skip
    town = report(
        api, title="青石村公路边坡崩塌", description="受强降雨影响，我镇青石村县道边坡发生崩塌，阻断道路，砸损小车1台。",
        location_text="大围山镇青石村", subtype="geological", channel="lower_level",
    )  # fmt: skip
    assert driver in town["possible_duplicates"]
    other = report(
        api, title="北门村一民房后山滑坡", description="我镇北门村一民房屋后边坡滑坡，无人员伤亡。",
        location_text="大围山镇北门村", subtype="geological", channel="lower_level",
    )  # fmt: skip
    assert driver not in other["possible_duplicates"]
    assert duplicates.unknown_villages(frozenset({"青石村", "那一截"})) == {"青石村"}


def test_a_summary_written_the_next_day_reaches_back_from_the_day_its_words_give(api):
    desk = (timezone.now().astimezone(SHANGHAI) - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    crash = desk - timedelta(hours=26)  # 7时 the morning before
    first = report(
        api, title="拉学生的三轮车翻了", description="金田村小学下面的坡上，一台拉伢子上学的三轮车翻到田里去了，有伢子受伤。",
        location_text="镇头镇金田村", category="accident_disaster", subtype="traffic",
        received_at=(crash + timedelta(minutes=5)).astimezone(UTC).isoformat(),
    )["incident"]  # fmt: skip
    summary = report(
        api, title="开学首日学生交通安全情况专报",
        description=f"{crash.month}月{crash.day}日{crash.hour}时{crash.minute:02d}分许，我市镇头镇一所小学学生乘坐的"
        "电动三轮车侧翻，5名学生受伤，均无生命危险。",
        location_text="浏阳市", category="accident_disaster", subtype="traffic", channel="lower_level",
        received_at=desk.astimezone(UTC).isoformat(),
    )  # fmt: skip
    assert first in summary["possible_duplicates"]  # 26 hours after the crash, giving the crash's minute
    drill = report(
        api, title="（演练）校车事故应急演练", description="演练：模拟一校车侧翻。", location_text="浏阳市",
        category="accident_disaster", subtype="traffic", is_drill=True,
    )  # fmt: skip
    assert first not in drill["possible_duplicates"]


@pytest.mark.parametrize(
    ("words", "category", "kind"),
    [
        ("屋后面的山塌下来了，泥巴把厨房的墙推倒了", "natural_disaster", "geological"),
        ("马路上的水管漏了，水冒得老高，家里也没水了", "accident_disaster", "water_supply"),
    ],
)
def test_a_hill_that_collapses_and_a_main_that_leaks_are_read_as_those_kinds(tools, words, category, kind):
    assert tools[1].infer(words, category).code == kind


def test_one_towns_two_villages_the_gazetteer_does_not_know_are_two_places_hours_apart(tools):
    now = timezone.now()
    rockfall = at_point(sight(
        tools, "青石村公路边坡崩塌", "大围山镇青石村", now - timedelta(hours=20), "geological", "natural_disaster",
        text="受强降雨影响，我镇青石村县道边坡发生崩塌，落石阻断道路。",
    ), 0.05)  # fmt: skip  # the village's own point, 5.5 km from the town's
    slide = sight(
        tools, "大围山镇北门村滑坡应急调查情况", "浏阳市大围山镇北门村", now, "geological", "natural_disaster",
        text="北门村十二组滑坡为切坡建房形成的人工边坡在连续降雨后失稳，属小型土质滑坡，受威胁2户已撤离。",
    )  # fmt: skip
    # 北门 reads as a gate, not an establishment's name: only the villages tell the two apart
    assert rockfall.villages == {"青石村"} and slide.villages == {"北门村"} and not slide.streets.firms
    assert not flagged(tools, slide, rockfall)
    same_village = sight(
        tools, "青石村边坡崩塌应急调查情况", "大围山镇青石村", now, "geological", "natural_disaster",
        text="经技术人员调查，青石村县道边坡崩塌属降雨诱发，已设置警示。",
    )  # fmt: skip
    assert flagged(tools, same_village, rockfall)


@pytest.mark.parametrize(
    "city,town",
    [
        # a warning's words about every exam site, and one exam site's waterlogged road
        (
            ("高考首日暴雨黄色预警防范部署", "长沙市", "已通知城区防指和城管对全市考点周边积水点安排专人值守。"),
            (
                "辖区考点周边道路积水",
                "雨花区左家塘街道某中学考点周边",
                "某中学考点南侧道路积水约40厘米，已设置临时通道。",
            ),
        ),
        # a city-wide response closing every underpass, and one underpass's flooding
        (
            ("防汛应急响应提升至Ⅲ级", "长沙市", "要求各地全面转移低洼地带群众，城区下穿通道全部实行交通管制。"),
            ("辖区下穿通道积水车辆被困", "雨花区井湾子街道某下穿通道", "辖区某下穿通道积水深约1.6米，1辆小车被困。"),
        ),
    ],
)
def test_a_kind_of_place_the_city_wide_report_names_is_no_place_of_the_towns(tools, city, town):
    """考点周边 and 下穿通道 say what kind of place it is, not which one: the city's words
    naming every exam site's surroundings do not put it at the one the town reports."""
    now = timezone.now()
    title, place, text = city
    wide = sight(
        tools, title, place, now - timedelta(minutes=30), "", "natural_disaster", text=text, unit="长沙市应急管理局"
    )
    title, place, text = town
    local = sight(tools, title, place, now, "flood", "natural_disaster", text=text, unit="街道值班室")
    assert not local.written & {"点周边", "考点周", "下穿通", "穿通道"}
    reasons = duplicates.score(local, wide, gazetteer=tools[0], kinds=tools[2])[1]
    assert not any(r.startswith("同一地点") for r in reasons)
