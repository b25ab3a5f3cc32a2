"""What a duty officer reads to put two reports on one event though their points and hours
are far apart (the duplicate scorer's twelfth version): the day and part of the day a
written report gives (1月17日16时05分许, 2月9日傍晚, 昨晚), a follow-up being at that time
only; the town, village, road or mountain both name, however far apart their points (the
candidates' statement takes them in); a gold shop or a convenience store one names by its
kind and the other by its name; the hospital where the hurt are treated, which is not the
place; and, kept apart, the sites of no common kind in one district (一民宿, 一仓库), a
district's text beside a town's point of another district, a day apart, and a drill."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from incidents import duplicates

from .api_steps import ago, report
from .sightings import flagged, sight

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local_now():
    return timezone.now().astimezone(SHANGHAI).replace(second=0, microsecond=0)


def test_a_written_reports_named_day_and_part_of_the_day_are_its_time():
    local = _local_now().replace(hour=9, minute=0)
    at, yesterday = local.astimezone(UTC), local - timedelta(days=1)
    named = f"{yesterday.month}月{yesterday.day}日"
    assert duplicates.stated_at(f"{named}16时05分许，一辆面包车追尾货车", at, SHANGHAI) == yesterday.replace(
        hour=16, minute=5
    )
    assert duplicates.stated_at(f"{named}傍晚，我市西部出现冰雹", at, SHANGHAI) == yesterday.replace(hour=18)
    assert duplicates.stated_at(f"{named}晚上9时，一酒店年会聚餐", at, SHANGHAI) == yesterday.replace(hour=21)
    assert duplicates.stated_at(f"经调查，{named}一家庭聚餐中毒", at, SHANGHAI) == yesterday.replace(hour=12)
    assert duplicates.stated_at("公司昨晚在酒店吃年会饭", at, SHANGHAI) == yesterday.replace(hour=21)
    assert duplicates.stated_at("我院凌晨至今接诊同一单位聚餐后发病患者", at, SHANGHAI) == local.replace(hour=3)
    assert duplicates.stated_at("晚饭后好多人拉肚子", at, SHANGHAI) is None  # 晚 alone is no part of the day
    before = local - timedelta(days=2)  # 前天夜里, 前晚: the day before yesterday's; not 目前天气
    assert duplicates.stated_at("来电人称前天夜里他们那里烧了一栋老房子", at, SHANGHAI) == before.replace(hour=22)
    assert duplicates.stated_at("前晚8时许发生", at, SHANGHAI) == before.replace(hour=20)
    assert duplicates.stated_at("目前天气晴好", at, SHANGHAI) is None
    # when it began, a count up to, another month's day or a day long past: none
    assert duplicates.stated_at("昨夜起我乡普降大雪", at, SHANGHAI) is None
    assert duplicates.stated_at(f"{named}以来累计发病12例", at, SHANGHAI) is None
    assert duplicates.stated_at(f"截至{named}8时，累计发病31人", at, SHANGHAI) is None
    other_month = (local.replace(day=1) - timedelta(days=40)).replace(day=yesterday.day if yesterday.day <= 28 else 28)
    assert duplicates.stated_at(f"{other_month.month}月{other_month.day}日16时", at, SHANGHAI) is None
    three_days_ago = local - timedelta(days=3)
    assert duplicates.stated_at(f"{three_days_ago.day}日傍晚发生", at, SHANGHAI) is None


def test_the_countys_report_next_morning_giving_the_crashs_minute_is_that_crash(tools):
    """Sixteen hours later, placed only at the county, naming the hospitals where the hurt
    are treated: its own time is the desk's, the minute it gives is the crash's."""
    now = _local_now().replace(hour=8, minute=20)
    crash = now - timedelta(hours=16, minutes=8)
    driver = sight(
        tools, "一台面包车追尾大货车", "长韶娄高速金洲收费站往韶山方向约2公里", crash.astimezone(UTC), "traffic",
        text="报警人称长韶娄高速金洲往韶山方向，一台坐满人的面包车追尾前面的大货车，有人卡在里面。", zone=SHANGHAI,
    )  # fmt: skip
    county = sight(
        tools, "关于我市境内高速公路一起道路交通事故的报告", "宁乡市", now.astimezone(UTC), "traffic",
        text=f"{crash.month}月{crash.day}日{crash.hour}时{crash.minute:02d}分许，一辆载有9名返乡务工人员的面包车在我市"
        "境内高速公路追尾一辆重型货车，事故造成1人死亡、7人受伤，伤员分别在宁乡市人民医院、省人民医院救治。",
        zone=SHANGHAI,
    )  # fmt: skip
    assert county.follow_up and county.stated == crash
    assert "省人民医院" not in county.places  # where the hurt are treated is not the place
    assert flagged(tools, county, driver)
    this_morning = sight(
        tools, "高速上两台车刮了", "长韶娄高速金洲收费站", (now - timedelta(minutes=30)).astimezone(UTC), "traffic",
        text="长韶娄高速金洲收费站出口两台小车刮擦，没人受伤。", zone=SHANGHAI,
    )  # fmt: skip
    assert not flagged(tools, county, this_morning)  # the report is of last afternoon's crash


CLEARING = (28.0034, 113.7125)  # a village's clearing 27 km from the point the gazetteer has for 金刚镇


def test_the_countys_follow_up_placed_at_the_town_finds_the_town_rooms_report_far_from_its_point(api):
    town = report(
        api, title="清江村一非法生产烟花爆竹窝点爆炸", description="14时30分许，我镇清江村一处山林内非法生产烟花爆竹的简易窝棚发生爆炸，2人受伤。",
        location_text="金刚镇清江村", latitude=CLEARING[0], longitude=CLEARING[1], category="accident_disaster",
        subtype="production_safety", received_at=ago(hours=6),
    )["incident"]  # fmt: skip
    county = report(
        api, title="金刚镇非法生产烟花爆竹爆炸事故续报", description="经搜救，失踪人员已在现场废墟中找到，事故共造成1人死亡、2人受伤。",
        location_text="浏阳市金刚镇", category="accident_disaster", subtype="production_safety", channel="lower_level",
    )  # fmt: skip
    assert town in county["possible_duplicates"]  # its location as written names the town: a candidate
    other_town = report(
        api, title="大瑶镇一花炮厂工房爆炸", description="大瑶镇一花炮厂装药工房爆炸，1人受伤。", location_text="浏阳市大瑶镇",
        category="accident_disaster", subtype="production_safety",
    )  # fmt: skip
    assert town not in other_town["possible_duplicates"]


def test_two_reports_naming_one_expressway_22_km_apart_are_candidates_a_drill_on_it_is_not(api):
    highway = report(
        api, title="长张高速雾天多车相撞", description="122转：长张高速东行K50附近因大雾发生多车碰撞，有人员受伤。",
        location_text="长张高速K50附近东行", category="accident_disaster", subtype="traffic", received_at=ago(hours=4),
    )["incident"]  # fmt: skip
    drill = report(
        api, title="（演练）长张高速危化品车辆事故救援演练", description="演练：模拟长张高速一危化品槽罐车追尾泄漏。",
        location_text="长张高速宁乡段", category="accident_disaster", subtype="traffic", is_drill=True,
        received_at=ago(hours=3),
    )["incident"]  # fmt: skip
    police = report(
        api, title="长张高速宁乡段多车碰撞事故情况",
        description="今日长张高速宁乡段东行方向因团雾发生9车连环碰撞，造成5人受伤，均已送宁乡市人民医院。",
        location_text="长张高速宁乡段", latitude=28.2312, longitude=112.4697, category="accident_disaster",
        subtype="traffic", channel="lower_level",
    )  # fmt: skip
    assert highway in police["possible_duplicates"]
    assert drill not in police["possible_duplicates"]  # a drill and a real event are never one


def test_the_candidates_statement_names_the_towns_ways_of_writing_in_one_statement(tools):
    city = tools[0]
    county = sight(tools, "金刚镇非法生产烟花爆竹爆炸事故续报", "浏阳市金刚镇", timezone.now())
    keys = duplicates.named_place_keys(county.places, city)
    assert "金刚镇" in keys and "浏阳市" not in keys  # a district is not: every report names one
    assert duplicates._like("50%_!") == "50!%!_!!"


@pytest.mark.parametrize("order", ["shop-first", "relay-first"])
def test_a_gold_shop_named_by_its_kind_is_the_shop_the_manager_names(tools, order):
    now, cat = timezone.now(), "social_security"
    relay = sight(
        tools, "金店被人抢了", "黄兴路步行街", now - timedelta(minutes=7), "criminal_case", cat,
        text="110转：报警人称黄兴路步行街一家金店有人抢了金项链就跑。",
    )  # fmt: skip
    shop = sight(
        tools, "店里被抢了一条金链子", "金福楼黄金店", now, "criminal_case", cat,
        text="我是金福楼黄金的店长，一个男的拿到链子就往外冲，营业员被推倒了。",
    )  # fmt: skip
    assert relay.streets.venues == {"金店"} and ("金福楼", "金店") in shop.streets.firms
    new, old = (relay, shop) if order == "shop-first" else (shop, relay)
    assert flagged(tools, new, old)
    another = sight(tools, "周大福金店被抢", "周大福金店", now, "criminal_case", cat, text="周大福金店一条手链被抢。")
    assert not flagged(tools, another, shop)  # two gold shops named are two places


def test_a_convenience_store_is_the_shop_a_street_rooms_report_names_by_its_kind(tools):
    now = timezone.now()
    owner = sight(
        tools, "我店门口的棚子燃了", "谭记便利店", now - timedelta(hours=9), "fire",
        text="我是谭记便利店的，门口的塑料雨棚燃起来了，招牌也在烧，店里还有好多烟花爆竹没卖完。",
    )  # fmt: skip
    room = sight(
        tools, "关于辖区除夕夜一起门店火灾的报告", "雨花区侯家塘街道韶山北路", now, "fire",
        text="我街道韶山北路一便利店门前雨棚被燃放的烟花引燃，火势蔓延至店招，未造成人员伤亡。",
    )  # fmt: skip
    assert flagged(tools, room, owner)


def test_a_districts_follow_up_on_a_guesthouse_fire_is_not_a_warehouse_fire_in_the_district(tools):
    now = timezone.now()
    guesthouse = sight(
        tools,
        "月亮岛一民宿火灾",
        "月亮岛一民宿",
        now - timedelta(hours=2),
        "fire",
        text="月亮岛一民宿二层起火，已疏散。",
    )
    warehouse = sight(
        tools, "仓库里冒黑烟", "捞刀河街道一仓库", now - timedelta(minutes=50), "fire",
        text="捞刀河这边一个仓库里冒出好大的黑烟，里面堆的都是纸箱子。",
    )  # fmt: skip
    follow_up = sight(
        tools,
        "一民宿火灾情况续报",
        "开福区",
        now,
        "fire",
        text="辖区一民宿火灾已扑灭，过火面积约60平方米，无人员伤亡。",
    )
    assert follow_up.sites == {"住宿"} and warehouse.sites == {"仓库"}
    assert flagged(tools, follow_up, guesthouse)
    assert not flagged(tools, follow_up, warehouse)
    # what is around the site is not the site: the dig and the gas company's report stay one
    assert duplicates.sites_of("施工的挖机把燃气管挖破了，附近有门面和公交站") == frozenset()
    assert duplicates.sites_of("受关阀影响，周边3个小区暂停供气") == frozenset()


def test_a_balcony_fire_in_one_district_is_not_a_shop_front_fire_at_a_town_point_of_another(tools):
    now = timezone.now()
    balcony = sight(
        tools, "居民楼阳台起火", "天心区书院路某小区", now - timedelta(minutes=36), "fire",
        text="119转：书院路一小区居民楼7楼阳台起火，疑似烟花引燃。",
    )  # fmt: skip
    shops = sight(
        tools,
        "门面雨棚着火",
        "雨花区侯家塘街道",
        now,
        "fire",
        text="119转：侯家塘一排门面的雨棚着火了，有人在路边放烟花掉到棚子上。",
    )
    assert shops.area == "town"
    assert not flagged(tools, shops, balcony)  # 书院路 is named in 天心区; 侯家塘 is in 雨花区


def test_one_towns_fires_a_day_apart_stay_two_though_the_candidates_take_both(tools):
    now = timezone.now()
    first = sight(
        tools, "村民家柴堆起火", "长沙县安沙镇", now - timedelta(hours=26), "fire", text="安沙镇一村民屋旁柴堆起火。"
    )
    second = sight(tools, "安沙镇一杂屋起火", "安沙镇", now, "fire", text="安沙镇一村民杂屋起火，已扑灭。")
    assert not flagged(tools, second, first)


@pytest.mark.parametrize(
    ("words", "category", "kind"),
    [
        ("我店门口的塑料雨棚燃了，燃起来好大的火，店里还有好多烟花爆竹没卖完", "accident_disaster", "fire"),
        ("后山上那个棚子刚刚炸了，里面有人偷偷做鞭炮的", "accident_disaster", "production_safety"),
        (
            "模拟一花炮公司成品仓库因搬运撞击发生燃爆，组织烟花爆竹仓储事故演练",
            "accident_disaster",
            "hazardous_chemicals",
        ),
        ("立交下面一台白色小车刹不住，冲到路边卖烟花的摊子上去了，老板压在下面", "accident_disaster", "traffic"),
        ("镇政府公众号发的东西像是骗钱的，要点链接填银行卡号和验证码", "social_security", "cyber_security"),
    ],
)
def test_what_callers_say_of_the_festivals_kinds_is_read_as_that_kind(tools, words, category, kind):
    assert tools[1].infer(words, category).code == kind


@pytest.mark.parametrize(
    ("words", "category", "kind"),
    [
        ("花炮厂装药工房发生爆炸，2人受伤", "accident_disaster", "production_safety"),
        ("【演练】我镇花炮仓库消防演练结束，疏散员工120人", "accident_disaster", "fire"),
        ("银行卡里的钱被转走了，说是理财公司跑路了", "social_security", "economic_security"),
    ],
)
def test_the_kinds_those_words_sit_beside_keep_their_reading(tools, words, category, kind):
    assert tools[1].infer(words, category).code == kind
