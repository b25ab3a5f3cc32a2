"""The duplicate scorer's twentieth version: kinds one event is told as (a burst main a
caller sees as a flooded road, a harvester overturned that the 120 relay calls a crash, a
rabid dog the doctors call an epidemic and the vets an animal one), a caller setting another
place apart (不是葛家山那边的火过来的), sparks that are not 火星街道, and a bridge both name
however far apart their points (the candidates' LIKE)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import duplicates, geo

from . import sightings
from .api_steps import ago, report


@pytest.mark.parametrize(
    "first, second, category",
    [
        (
            (
                "关于开元路DN1000输水主管爆管抢修的报告",
                "water_supply",
                "开元路DN1000输水主管爆管，周边片区停水，已关阀抢修。",
            ),
            ("马路中间在冒水，路都淹了", "traffic", "开元路马路中间往上冒水，车子都停着过不去了。"),
            "accident_disaster",
        ),
        (
            ("关于路口镇一起农机事故的报告", "production_safety", "一台联合收割机在转田作业时从田埂侧翻，驾驶员被压。"),
            ("路口镇一收割机侧翻驾驶员被压", "traffic", "120转：一台收割机侧翻，驾驶员被压在机身下。"),
            "accident_disaster",
        ),
        (
            ("关于一起犬只狂犬病疫情的报告", "animal_epidemic", "一犬只沿途咬伤7人，经检测狂犬病病毒阳性。"),
            ("一犬只沿途咬伤7人", "epidemic", "镇卫生院接诊7名被同一条狗咬伤的村民，已接种狂犬病疫苗。"),
            "public_health",
        ),
    ],
)
def test_one_event_told_as_two_related_kinds_is_one_event(tools, first, second, category):
    _gazetteer, _reader, kinds = tools
    now = timezone.now()
    place = "长沙县路口镇明月村"
    a = sightings.sight(tools, first[0], place, now - timedelta(minutes=40), first[1], category, text=first[2])
    b = sightings.sight(tools, second[0], place, now, second[1], category, text=second[2])
    assert frozenset((first[1], second[1])) in kinds.related
    assert sightings.flagged(tools, b, a)


def test_a_caller_setting_another_place_apart_does_not_put_the_event_there(tools):
    """Two hill fires in neighbouring villages one afternoon: the second caller says the fire
    did not come from 葛家山 (不是葛家山那边的火过来的): 葛家山 is not where the second fire is."""
    now = timezone.now()
    first = sightings.sight(
        tools, "葛家山村发生一起山火", "长沙县开慧镇葛家山村五组", now - timedelta(minutes=30), "forest_fire",
        "natural_disaster", text="葛家山村五组一村民在田边焚烧稻草引发山火，火势向后山蔓延。",
    )  # fmt: skip
    words = "飘峰山这边也烧起来了！{}是有人在山上用火把烧马蜂窝，火把掉到茅草里了。"
    apart = sightings.sight(
        tools, "飘峰山这边也起火了", "飘峰山那边，三组的山上", now, "forest_fire", "natural_disaster",
        text=words.format("不是葛家山那边的火过来的，"),
    )  # fmt: skip
    _value, reasons = duplicates.score(apart, first, gazetteer=tools[0], kinds=tools[2])
    assert not any("葛家山" in r for r in reasons)
    assert not sightings.flagged(tools, apart, first)
    spread = sightings.sight(
        tools, "飘峰山这边也起火了", "飘峰山那边，三组的山上", now, "forest_fire", "natural_disaster",
        text=words.format("葛家山那边的火烧过来了，"),
    )  # fmt: skip
    assert sightings.flagged(tools, spread, first)  # naming it without setting it apart still counts


def test_sparks_are_not_a_street(tools):
    caller = sightings.sight(
        tools, "今天是真的着火了", "楚东村狮子岩后面的山上", timezone.now(), "forest_fire", "natural_disaster",
        text="有游客在溪边搞烧烤，火星子飞到草里了，烟往山顶上走。",
    )  # fmt: skip
    assert "火星街道" not in caller.places and not caller.towns


def test_a_bridge_both_name_brings_the_other_report_however_far_its_point(api):
    """A 110 relay placed at the bridge and a friend's call with his phone's position 6 km
    off (the river bank he stands on): the bridge both name brings the relay among the
    candidates, as a road or a river would."""
    relay = report(
        api, received_at=ago(minutes=14), category="accident_disaster", subtype="production_safety",
        title="有人下湘江游泳未上岸", location_text="开福区湘江风光带福元路大桥下游",
        description="110转：报警人称其朋友在福元路大桥下游约200米处下河游泳，约10分钟前不见踪影。",
        latitude=28.2500, longitude=112.9750,
    )["incident"]  # fmt: skip
    friend = report(
        api, category="accident_disaster", subtype="production_safety", title="朋友下河游泳冇上来",
        location_text="福元路大桥东头往下走那个亲水平台", latitude=28.3080, longitude=112.9750,
        description="我们几个在河边喝酒，他说要游到对面去，游了几十米就看不到人了。",
    )  # fmt: skip
    assert relay in friend["possible_duplicates"]


# --- the twenty-first version ---------------------------------------------------------------


def _day(days_back=3):
    from zoneinfo import ZoneInfo

    local = timezone.now().astimezone(ZoneInfo("Asia/Shanghai")) - timedelta(days=days_back)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def test_which_way_the_traffic_goes_is_no_place(tools):
    one = sightings.sight(tools, "长张高速宁乡段大雾多车追尾", "长张高速往长沙方向宁乡段", timezone.now(), "traffic")
    assert not any("往" in run or "长沙" in run for run in one.written)


def test_a_village_set_beside_its_own_is_not_named(tools):
    """与桐溪村相邻的龙塘村…与桐溪村火场相距约3公里: 桐溪村 is the neighbour's fire, not this one's."""
    report = sightings.sight(
        tools, "龙塘村又起一处山火", "岳麓区莲花镇龙塘村三组", timezone.now(), "forest_fire", "natural_disaster",
        text="14时40分许，与桐溪村相邻的龙塘村三组也发生山火，与桐溪村火场相距约3公里，非同一火场。",
    )  # fmt: skip
    assert "桐溪村" not in report.places


def test_two_villages_of_one_town_within_the_hour_are_two_places(tools):
    """桐溪村's hill fire (a village the gazetteer knows) and 龙塘村's (one it does not) 75
    minutes apart in 莲花镇: two places. Another call from 桐溪村 is the first fire."""
    day = _day()
    first = sightings.sight(
        tools, "桐溪村发生山火", "岳麓区莲花镇桐溪村", day + timedelta(hours=13, minutes=40), "forest_fire",
        "natural_disaster", text="13时25分许，桐溪村七组祖山因群众祭扫焚烧纸钱引发山火，镇扑火队已出动。",
    )  # fmt: skip
    second = sightings.sight(
        tools, "龙塘村山上起火", "岳麓区莲花镇龙塘村三组", day + timedelta(hours=14, minutes=55), "forest_fire",
        "natural_disaster", text="龙塘村三组山上起火了，村民烧荒引起的，火往山顶走。",
    )  # fmt: skip
    assert not sightings.flagged(tools, second, first)
    again = sightings.sight(
        tools, "桐溪村祖山的火还在烧", "莲花镇桐溪村七组", day + timedelta(hours=14, minutes=10), "forest_fire",
        "natural_disaster", text="七组祖山上的火还冇灭，风又大起来了。",
    )  # fmt: skip
    assert sightings.flagged(tools, again, first)


def test_a_town_first_in_the_location_is_a_town_though_no_county_comes_before(tools):
    one = sightings.sight(tools, "白泉村山火续报", "喻家坎镇白泉村", timezone.now(), "forest_fire", "natural_disaster")
    assert one.unknown_towns == {"喻家坎镇"} and "白泉村" in one.villages


def test_a_written_report_two_days_on_is_at_the_minute_it_names(tools):
    """The 25th's morning report of a fall on the 23rd at 15时05分 is the 120 relay of 15时12分."""
    day = _day()
    relay = sightings.sight(
        tools, "黎托一工地有人从高处摔下", "雨花区黎托街道一工地", day + timedelta(hours=15, minutes=12),
        text="120转：黎托街道一在建工地有工人从楼上摔下，呼救人称伤者无意识。",
    )  # fmt: skip
    written = sightings.sight(
        tools, "关于黎托街道一在建项目高处坠落事故的报告", "雨花区黎托街道某安置房项目",
        day + timedelta(days=2, hours=9, minutes=30), "production_safety",
        text=f"{day.month}月{day.day}日15时05分许，黎托街道某安置房项目5#楼施工中，1名木工从8层楼面临边处坠落。",
    )  # fmt: skip
    assert written.stated == day + timedelta(hours=15, minutes=5)
    assert sightings.flagged(tools, written, relay)


# --- the twenty-second version --------------------------------------------------------------


def test_a_report_titled_as_another_one_is_not_the_one_before_on_the_same_road(tools):
    """Two fog pileups on 京港澳高速 within the hour: the second relay's title says it is
    another one (又一处追尾). The same words without saying so stay a candidate."""
    now = timezone.now()
    first = sightings.sight(
        tools, "京港澳高速团雾多车相撞", "京港澳高速长沙县段", now - timedelta(minutes=45), "traffic",
        text="122转：京港澳高速长沙县段团雾，多车相撞，有人受伤。",
    )  # fmt: skip
    words = "122转：京港澳高速安沙附近团雾，一辆货车追尾排队车辆，有人受伤。"
    another = sightings.sight(tools, "京港澳高速又一处追尾", "京港澳高速安沙附近", now, "traffic", text=words)
    assert another.another and not first.another
    plain = sightings.sight(tools, "京港澳高速追尾", "京港澳高速安沙附近", now, "traffic", text=words)
    assert (
        duplicates.score(another, first, gazetteer=tools[0], kinds=tools[2])[0]
        < (duplicates.score(plain, first, gazetteer=tools[0], kinds=tools[2])[0])
    )


def test_an_unnamed_village_and_the_countryside_are_no_village(tools):
    """某村 (a village not named) and 乡村流动厨师 (a country cook) name no village: the
    county's report of a wedding feast at 开慧镇某村 and the guest's call from 开慧村 share
    the town, and are not two villages."""
    now = timezone.now()
    guest = sightings.sight(
        tools, "吃了结婚酒回来一家人都拉", "开慧镇开慧村", now - timedelta(hours=20), "food_poisoning", "public_health",
        text="我们中午去亲戚屋里吃结婚酒，回来五个人都拉肚子，还发烧，好多人都一样。",
    )  # fmt: skip
    county = sightings.sight(
        tools, "关于开慧镇一起农村集体聚餐食物中毒事件的报告", "长沙县开慧镇某村", now, "food_poisoning",
        "public_health", text="开慧镇某村一农户办婚宴，共发病53人。宴席由乡村流动厨师制作。",
    )  # fmt: skip
    assert not county.villages and not any(kind == "村" for _name, kind in county.streets.firms)
    place, _reason = duplicates.place_score(county, guest, tools[0])
    assert place >= duplicates.NAME_PLACE["town"]  # 开慧镇 at least, not two villages (x 0.6)


def test_a_labs_confirmation_a_day_and_a_half_on_is_the_farmers_call(tools):
    """The vets' H5N1 confirmation 31 hours after a farmer's call from the same town: one event."""
    now = timezone.now()
    farmer = sightings.sight(
        tools, "鸡一夜死了几百只", "白箬铺镇光明村，我屋里的蛋鸡场", now - timedelta(hours=31), "animal_epidemic",
        "public_health", text="我养了一万多只蛋鸡，前天开始不吃食，昨天死了两百多，今天早上又死了四五百。",
    )  # fmt: skip
    vets = sightings.sight(
        tools, "关于白箬铺镇一养殖场H5N1亚型高致病性禽流感疫情的报告", "望城区白箬铺镇", now, "animal_epidemic",
        "public_health", text="白箬铺镇一蛋鸡养殖场送检样品H5N1亚型禽流感病毒核酸阳性，已扑杀疫点蛋鸡。",
    )  # fmt: skip
    assert sightings.flagged(tools, vets, farmer)


def test_a_parents_vomiting_child_and_the_health_bureaus_norovirus_report_are_one_event(tools):
    """Related kinds weigh 0.9 (the twenty-eighth version, 0.8 before): a parent guesses the
    canteen (food poisoning), the bureau names norovirus (an epidemic), both in one district
    the same day; one event, flagged though the two share no place finer than the district."""
    now = timezone.now()
    parent = sightings.sight(
        tools, "孩子在学校吐了一晚上", "开福区那个寄宿学校", now - timedelta(hours=5, minutes=40), "", "public_health",
        text="我崽在学校寄宿，昨天夜里一直吐，打电话给我说寝室里好几个都在吐，是不是学校食堂吃坏了？",
        guess="food_poisoning",
    )  # fmt: skip
    bureau = sightings.sight(
        tools, "开福区某中学诺如病毒感染聚集性疫情", "开福区某中学", now, "epidemic", "public_health",
        text="开福区某寄宿制中学累计报告呕吐、腹泻病例32例，诺如病毒核酸阳性7份，考虑为诺如病毒感染聚集性疫情，已对食堂留样送检。",
    )  # fmt: skip
    assert duplicates.kind_score(bureau, parent, tools[2].related)[0] == duplicates.KIND_RELATED
    assert sightings.flagged(tools, bureau, parent)


def test_a_school_named_after_the_town_set_apart_leaves_the_town_shared(tools):
    """与6月灰汤中心小学疫情无关 sets the school's outbreak apart, not 灰汤镇: the camp's written
    report and its teacher's call from 灰汤 an hour before are one event."""
    now = timezone.now()
    teacher = sightings.sight(
        tools, "夏令营好几个孩子夜里拉肚子", "灰汤那边的研学营地", now - timedelta(minutes=80), "", "public_health",
        text="我是营地带队老师，夜里营里有9个孩子肚子痛、拉肚子、发烧，早上已经送到镇卫生院了，怀疑是晚饭的问题。",
        guess="food_poisoning",
    )  # fmt: skip
    camp = sightings.sight(
        tools, "青禾研学营地学员疑似食物中毒", "宁乡市灰汤镇青禾研学营地", now, "food_poisoning", "public_health",
        text="夏令营学员晚餐后陆续出现腹痛腹泻，送医11人。营地食堂已封存。与6月灰汤中心小学疫情无关。",
    )  # fmt: skip
    assert "灰汤镇" not in camp.set_apart
    assert sightings.flagged(tools, camp, teacher)
    village = sightings.sight(
        tools, "屋后边坡滑塌", "达浒镇书园村", now, "geological", "natural_disaster",
        text="书园村一农户屋后边坡滑塌。此处与昨晚达浒镇金坑村塌方不是同一处。",
    )  # fmt: skip
    assert {"达浒镇", "金坑村"} <= village.set_apart  # a town before a village is still set apart


def test_one_junction_named_by_a_roads_part_and_with_gen_is_one_place(tools):
    """韶山路跟湘府路口 (a caller: 跟 for 与, the roads' short names) and 韶山南路与湘府中路交叉口
    (the police) are one junction; 韶山路 and 湘府路 crossing elsewhere are not 人民路口."""
    now = timezone.now()
    caller = sightings.sight(
        tools, "公交车撞了骑电动车的", "韶山路跟湘府路口那里", now - timedelta(minutes=75), "traffic",
        text="122转：报警人称湘府路口一台公交车右转撞了一个骑电动车的女的，人卷到车轮底下去了。",
    )  # fmt: skip
    police = sightings.sight(
        tools, "韶山南路一公交车与电动自行车碰撞致1人死亡", "雨花区韶山南路与湘府中路交叉口", now, "traffic",
        text="7时20分许，一辆公交车在韶山南路湘府中路口右转时与一辆直行电动自行车发生碰撞。",
    )  # fmt: skip
    assert ("韶山路", "湘府") in caller.streets.sections
    assert sightings.flagged(tools, police, caller)
    other = sightings.sight(
        tools, "公交车撞了骑电动车的", "韶山南路与人民中路交叉口", now, "traffic", text="一台公交车撞了骑电动车的。",
    )  # fmt: skip
    assert not geo.same_section(other.streets.sections, caller.streets.sections)


def test_gaosu_on_a_named_expressway_is_no_place_as_written(tools):
    """高速上 in a text naming 长张高速 is that expressway, not a spot both "name": two crashes
    17 km apart on it, one each way, an hour and a half apart, are not one place."""
    now = timezone.now()
    pileup = sightings.sight(
        tools, "高速上三台车撞到一起了", "长张高速往常德方向，过了宁乡出口一点", now - timedelta(minutes=96), "traffic",
        text="122转：报警人称长张高速往常德方向过了宁乡收费站不远，三台小车追尾。",
    )  # fmt: skip
    lorry = sightings.sight(
        tools, "一台货车侧翻在路上", "高速上，往长沙走的，夏铎铺附近", now, "traffic",
        text="110转：报警人称长张高速往长沙方向，一台拉砂石的大货车翻在路中间。",
    )  # fmt: skip
    assert not any("高速" in run for run in lorry.written)
    assert "京港澳高速临江段" not in lorry.places
    assert not sightings.flagged(tools, lorry, pileup)
