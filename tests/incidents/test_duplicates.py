"""Duplicates found by place, time, kind, caller and words together: one event in other
words is found, two events alike in words are not (realistic pairs, both ways)."""

import math
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from incidents import duplicates, evaluation, geo
from incidents.models import Incident

from . import sightings
from .api_steps import ago, report

# 郭亮村 (铜官街道): the second point is about 300 m from the first.
VILLAGE = (28.4400, 112.8750)
NEAR_VILLAGE = (28.4420, 112.8772)


VILLAGE_HEAD = {
    "title": "郭亮村大堤渗水、村庄进水",
    "description": "郭亮村这边大堤渗水，村庄进水了，好几户人家屋里都是水。",
    "location_text": "铜官街道郭亮村",
    "reporter_unit": "郭亮村委会",
    "reporter_phone": "13807316601",
    "latitude": VILLAGE[0],
    "longitude": VILLAGE[1],
}
DUTY_ROOM = {
    "title": "河堤出现管涌，村内严重内涝",
    "description": "铜官街道郭亮村段河堤出现管涌，村内严重内涝，已组织人员抢险。",
    "location_text": "铜官街道郭亮村",
    "channel": "lower_level",
    "reporter_unit": "铜官街道值班室",
    "reporter_phone": "0731-88101234",
    "latitude": NEAR_VILLAGE[0],
    "longitude": NEAR_VILLAGE[1],
}


@pytest.mark.parametrize("first,second", [(VILLAGE_HEAD, DUTY_ROOM), (DUTY_ROOM, VILLAGE_HEAD)])
def test_one_flood_in_two_callers_words_300_m_apart_minutes_later_is_flagged(api, first, second):
    original = report(api, received_at=ago(minutes=20), **first)["incident"]
    later = report(api, received_at=ago(minutes=12), **second)
    assert later["possible_duplicates"] == [original]


def test_the_same_kind_in_the_same_town_a_day_apart_is_not(api):
    report(api, received_at=ago(hours=23), **VILLAGE_HEAD)
    next_day = report(
        api,
        title="铜官老街低洼处积水",
        description="今日午后强降雨，铜官老街低洼路段积水约30厘米，沿街5家商铺进水。",
        location_text="铜官街道铜官老街",
        channel="lower_level",
        reporter_unit="铜官街道值班室",
    )
    assert next_day["possible_duplicates"] == []


def test_a_same_kind_report_from_the_same_place_minutes_later_is_a_candidate_without_shared_words(api):
    original = report(api, received_at=ago(minutes=8), **VILLAGE_HEAD)["incident"]
    terse = report(
        api,
        title="郭亮村有险情",
        description="情况紧急，请速派人。",
        latitude=VILLAGE[0],
        longitude=VILLAGE[1],
        reporter_phone="15000000000",
    )
    assert terse["possible_duplicates"] == [original]


def test_alike_words_in_another_town_or_a_drill_are_not_the_same_event(api):
    report(api, received_at=ago(minutes=30), **VILLAGE_HEAD)
    elsewhere = report(
        api,
        title="格塘村大堤渗水、村里进水",
        description="格塘村大堤渗水，村庄进水，好几户屋里都是水。",
        location_text="靖港镇格塘村",
    )
    assert elsewhere["possible_duplicates"] == []
    drill = report(api, is_drill=True, **DUTY_ROOM)
    assert drill["possible_duplicates"] == []


def test_the_same_caller_calling_back_is_found_a_duty_rooms_line_is_no_evidence(api):
    first = report(
        api,
        received_at=ago(minutes=40),
        title="村里进水了",
        description="水漫进来了，老人被困",
        reporter_phone="13974122108",
    )["incident"]
    again = report(api, title="还是我，水越来越大了", description="老人还没接出来", reporter_phone="139 7412 2108")
    assert again["possible_duplicates"] == [first]
    room_first = report(
        api, received_at=ago(minutes=40), title="某地塌方", reporter_phone="0731-88101234", category="accident_disaster"
    )["incident"]
    room_again = report(api, title="某处路灯不亮", reporter_phone="0731-88101234", category="accident_disaster")
    assert room_first not in room_again["possible_duplicates"]


def test_the_check_before_saving_gives_reasons_and_only_incidents_one_may_see(
    api, client_for, make_person, make_department
):
    original = report(api, received_at=ago(minutes=10), **VILLAGE_HEAD)["incident"]
    params = {
        "category": "natural_disaster",
        "text": "河堤出现管涌，村内严重内涝",
        "latitude": NEAR_VILLAGE[0],
        "longitude": NEAR_VILLAGE[1],
    }
    found = api.get("/api/v1/duplicates/", params).json()
    assert found["possible_duplicates"] == [original]
    [candidate] = found["incidents"]
    assert candidate["score"] >= duplicates.THRESHOLD
    assert any("相距" in r for r in candidate["reasons"]) and any("相隔" in r for r in candidate["reasons"])
    outsider = client_for(make_person("liaison", dept=make_department("外区民政局")))
    assert outsider.get("/api/v1/duplicates/", params).json() == {"possible_duplicates": [], "incidents": []}
    # Another room's duty staff (issue 16): not the office's incident's title either.
    bureau = make_department("外区水务局")
    for role in ("duty_leader", "duty_officer"):
        staff = client_for(make_person(role, dept=bureau))
        assert staff.get("/api/v1/duplicates/", params).json() == {"possible_duplicates": [], "incidents": []}


def test_an_inferred_subtype_counts_and_a_different_sure_kind_weighs_against(api):
    flood = report(api, received_at=ago(minutes=15), **VILLAGE_HEAD)["incident"]
    assert Incident.objects.get(pk=flood).subtype == "flood"  # inferred: the console has no subtype field
    quake = report(
        api,
        title="郭亮村房子在晃",
        description="刚才地震了，楼在摇，吊灯晃得厉害",
        latitude=NEAR_VILLAGE[0],
        longitude=NEAR_VILLAGE[1],
        reporter_phone="15100000000",
    )
    assert flood not in quake["possible_duplicates"]


# --- the scorer itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone,personal",
    [
        ("13807316601", "13807316601"),
        ("138 0731 6601", "13807316601"),
        ("+86 138-0731-6601", "13807316601"),
        ("0731-88101234", ""),
        ("12345", ""),
        ("", ""),
    ],
)
def test_only_a_personal_mobile_number_identifies_a_caller(phone, personal):
    assert duplicates.personal_phone(phone) == personal


def test_dropping_rows_that_cannot_reach_the_threshold_changes_nothing():
    """find() skips reading the words of rows whose upper bound is below the threshold:
    on every report of the evaluation set it flags exactly what scoring them all flags."""
    gazetteer, reader, kinds = evaluation.tools()
    items = evaluation.load()
    seen = evaluation.sightings(items, gazetteer, reader)
    for n, item in enumerate(items):
        new = seen[item.id]
        rows, olds = [], []
        for earlier in items[:n]:
            old = seen[earlier.id]
            if not evaluation.prefiltered(new, old, 2.5, kinds, gazetteer):
                continue
            same = duplicates.same_caller(item.phone, earlier.phone)
            lat, lon = old.lat, old.lon
            rows.append(
                duplicates.Row(
                    len(rows) + 1,
                    lat,
                    lon,
                    earlier.title,
                    earlier.place,
                    earlier.text,
                    old.subtype,
                    old.guess,
                    earlier.at,
                    same,
                    earlier.unit if lat is None else "",  # as the SQL reads it
                )
            )
            old.id, old.same_phone = len(rows), same
            olds.append(old)
        fast = duplicates.find(new, rows, gazetteer=gazetteer, reader=reader, kinds=kinds, limit=100)
        full = duplicates.ranked(new, olds, gazetteer=gazetteer, kinds=kinds, limit=100)
        assert [(v, r.id) for v, _why, r in fast] == [(v, o.id) for v, _why, o in full], item.id


# --- a town's or a district's report beside the spot's callers (fourth version) ---------------

# 雨敞坪镇嘉禾村 (岳麓区), where the village head stands; 岳麓区 is a district's point.
JIAHE = (28.1702, 112.7448)

SLIDE_VILLAGE_HEAD = {
    "title": "屋后的山垮了一块推到墙上",
    "description": "我屋后的山昨晚垮下来一块，泥巴推到墙上，墙开裂了，不敢住了。",
    "location_text": "雨敞坪镇嘉禾村",
    "reporter_unit": "嘉禾村",
    "reporter_phone": "13908471290",
    "latitude": JIAHE[0],
    "longitude": JIAHE[1],
}
SLIDE_BUREAU = {
    "title": "辖区一处小型滑坡险情",
    "description": "一农户屋后边坡发生小型滑坡，方量约80方，房屋墙体开裂，已转移1户4人。",
    "location_text": "岳麓区",
    "channel": "department",
    "reporter_unit": "岳麓区自然资源局",
    "reporter_phone": "0731-88999160",
}


@pytest.mark.parametrize(
    "first,second",
    [(SLIDE_VILLAGE_HEAD, SLIDE_BUREAU), (SLIDE_BUREAU, SLIDE_VILLAGE_HEAD)],
    ids=["spot-first", "bureau-first"],
)
def test_a_districts_report_hours_later_is_the_spot_callers_event_whichever_comes_first(api, first, second):
    """The bureau's point is the district's, 15 km from the village: the village lies in
    the district, and a department's summary comes hours after the callers."""
    original = report(api, received_at=ago(hours=2, minutes=10), **first)["incident"]
    later = report(api, received_at=ago(minutes=5), **second)
    assert later["possible_duplicates"] == [original]


def test_two_district_reports_naming_different_towns_are_not_one_event(api):
    report(
        api,
        received_at=ago(hours=1),
        **{
            **SLIDE_BUREAU,
            "title": "雨敞坪镇一处滑坡险情",
            "description": "雨敞坪镇一农户屋后边坡发生小型滑坡，已转移1户4人。",
        },
    )
    other = report(
        api,
        **{
            **SLIDE_BUREAU,
            "title": "莲花镇一处边坡垮塌",
            "description": "莲花镇一通组公路边坡垮塌，方量约50方，已设置警示。",
        },
    )
    assert other["possible_duplicates"] == []


def test_a_districts_report_of_another_district_is_not(api):
    report(api, received_at=ago(hours=2), **SLIDE_VILLAGE_HEAD)
    elsewhere = report(
        api,
        **{
            **SLIDE_BUREAU,
            "location_text": "望城区",
            "reporter_unit": "望城区自然资源局",
            "reporter_phone": "0731-88065160",
        },
    )
    assert elsewhere["possible_duplicates"] == []


def test_a_streets_duty_room_and_a_spot_in_the_next_street_on_one_storm_are_not_one_event(api):
    """东湖街道's "辖区一小区" and a 马坡岭街道 underpass 2.3 km away, minutes apart: the
    spot names another 街道, so the 街道's point says nothing of it."""
    report(
        api,
        received_at=ago(minutes=20),
        title="辖区一小区低洼处内涝",
        description="受强降雨影响，辖区一老旧小区低洼处内涝，一楼住户11户进水，已调抽水泵抽排。",
        location_text="东湖街道",
        channel="lower_level",
        reporter_unit="东湖街道值班室",
        reporter_phone="0731-84812100",
    )
    underpass = report(
        api,
        title="下穿通道有台车淹在水里熄火了",
        description="马坡岭那个下穿通道积水半米多，一台小车开进去熄火了，司机在车顶上。",
        location_text="马坡岭街道一下穿通道",
        latitude=28.2015,
        longitude=113.0690,
        reporter_phone="15874402231",
    )
    assert underpass["possible_duplicates"] == []


def test_filing_a_report_names_only_duplicates_one_may_open_and_so_do_its_events(
    api, client_for, make_person, make_department, department, admin_user
):
    """POST reports/ and the incident.created event (issue 16): a bureau's room or liaison
    filing a report is never told the id of an office incident it cannot open; the office is."""
    from realtime.models import Event

    def created_event(incident):
        return Event.objects.get(type="incident.created", incident_id=incident).data

    held_by_office = report(api, received_at=ago(minutes=20), **VILLAGE_HEAD)["incident"]
    water = make_department("水利局", parent=department)
    room_leader = client_for(make_person("duty_leader", dept=water))
    liaison = client_for(make_person("liaison", dept=water))
    by_room = report(room_leader, received_at=ago(minutes=15), **DUTY_ROOM)
    assert by_room["possible_duplicates"] == []
    assert created_event(by_room["incident"])["possible_duplicates"] == []
    by_liaison = report(liaison, received_at=ago(minutes=10), **{**VILLAGE_HEAD, "reporter_phone": "13807316602"})
    assert by_liaison["possible_duplicates"] == [by_room["incident"]]  # its own room's: shown
    assert created_event(by_liaison["incident"])["possible_duplicates"] == [by_room["incident"]]
    # The office sees all three, in its answer and in its event.
    by_office = report(api, received_at=ago(minutes=5), **{**DUTY_ROOM, "reporter_phone": "0731-88101299"})
    every = {held_by_office, by_room["incident"], by_liaison["incident"]}
    assert set(by_office["possible_duplicates"]) == every
    assert set(created_event(by_office["incident"])["possible_duplicates"]) == every
    # A liaison of the office itself would read less: then the office's events name less too.
    make_person("liaison")
    late = report(api, received_at=ago(minutes=1), **{**VILLAGE_HEAD, "reporter_phone": "13807316603"})
    assert set(late["possible_duplicates"]) >= every
    office_held = {held_by_office, by_office["incident"]}
    assert set(created_event(late["incident"])["possible_duplicates"]) == office_held


def test_a_rooms_system_is_told_only_the_duplicates_its_room_sees(api, make_department, department, admin_user):
    from rest_framework.test import APIClient

    from inbound import services as inbound

    held_by_office = report(api, received_at=ago(minutes=20), **VILLAGE_HEAD)["incident"]
    water = make_department("水利局", parent=department)
    _source, key = inbound.create_source(admin_user, name="水利局防汛系统", duty_room=water)
    system = APIClient()
    system.credentials(HTTP_X_API_KEY=key)
    body = {"kind": "first", "category": "natural_disaster", **DUTY_ROOM}
    body.pop("channel")
    answer = system.post("/api/v1/inbound/", body, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["possible_duplicates"] == []
    assert Incident.objects.get(pk=answer.json()["incident"]).possible_duplicates == [held_by_office]  # the office's
    _source, office_key = inbound.create_source(admin_user, name="12345 热线")
    system.credentials(HTTP_X_API_KEY=office_key)
    again = system.post("/api/v1/inbound/", {**body, "reporter_phone": "0731-88101298"}, format="json")
    assert held_by_office in again.json()["possible_duplicates"]


# --- the city's streets (a road is a line; its sections and junctions place an event) ---

CITIZEN_CRASH = {
    "category": "accident_disaster",
    "channel": "hotline",
    "title": "韶山南路上好几台车追尾了",
    "description": "早高峰韶山南路上几台车追尾，前面一台车里的人卡住了出不来。",
    "location_text": "韶山南路上",
    "reporter_phone": "13975100021",
}
POLICE_CRASH = {
    "category": "accident_disaster",
    "channel": "department",
    "subtype": "traffic",
    "title": "韶山南路五车追尾事故情况",
    "description": "雨花区韶山南路与湘府路交叉口北发生五车追尾事故，1人受伤被困已救出送医。",
    "location_text": "雨花区韶山南路与湘府路交叉口北",
    "reporter_unit": "市公安局交警支队雨花大队",
    "latitude": 28.1305,
    "longitude": 112.9968,
}


def test_a_citizens_crash_on_a_road_and_the_police_report_at_its_junction_an_hour_later_are_one(api):
    citizen = report(api, received_at=ago(minutes=70), **CITIZEN_CRASH)["incident"]
    police = report(api, received_at=ago(minutes=10), **POLICE_CRASH)
    assert police["possible_duplicates"] == [citizen]


def test_a_crash_on_the_same_named_road_in_another_district_the_same_day_is_not(api):
    report(api, received_at=ago(minutes=70), **CITIZEN_CRASH)
    north = report(
        api,
        category="accident_disaster",
        channel="hotline",
        title="韶山北路两台车追尾了",
        description="芙蓉区韶山北路上两台小车追尾，有人受伤。",
        location_text="芙蓉区韶山北路",
        reporter_phone="13975100099",
        received_at=ago(minutes=40),
    )
    assert north["possible_duplicates"] == []


@pytest.fixture(scope="module")
def city():
    return evaluation.tools()[0]


def test_streets_are_read_from_the_words_known_or_not(city):
    from incidents import geo

    junction = geo.read_streets("雨花区韶山南路与湘府路交叉口北", city)
    assert {"韶山南路", "湘府路"} <= junction.roads and ("韶山南路", "湘府") in junction.sections
    assert junction.districts == {"雨花区"}
    assert ("韶山南路", "洞井") in geo.read_streets("韶山南路洞井段", city).sections
    unknown = geo.read_streets("芙蓉区兴隆巷口子上，靠近桂花小区", city)  # neither in the gazetteer
    assert {"兴隆巷"} <= unknown.roads and "桂花" in unknown.named
    assert geo.read_streets("坡子街西牌楼巷12号", city).named == geo.read_streets("西牌楼社区", city).named
    assert not geo.read_streets("村里的马路上好几个人", city).roads


def sight(city, text, place, at, **kw):
    return duplicates.sighting(
        category="accident_disaster", at=at, text=text, location_text=place, gazetteer=city, **kw
    )


def test_one_road_in_two_districts_or_at_two_junctions_is_not_one_place(city):
    now = timezone.now()
    yuhua = sight(city, "韶山南路追尾", "雨花区韶山南路", now)
    tianxin = sight(city, "韶山南路追尾", "天心区城南路街道韶山南路", now)
    assert duplicates.street_score(yuhua.streets, tianxin.streets, yuhua.towns, tianxin.towns)[0] == 0
    north = sight(city, "万家丽路北段追尾", "万家丽路北段", now)
    junction = sight(city, "万家丽路与人民东路交叉口相撞", "万家丽路与人民东路交叉口", now)
    again = sight(city, "万家丽路人民路口电动车被撞", "万家丽路人民路口", now)
    assert duplicates.street_score(north.streets, junction.streets, frozenset(), frozenset())[2]  # apart
    same = duplicates.street_score(junction.streets, again.streets, frozenset(), frozenset())
    assert same[0] == duplicates.ROAD_SECTION and not same[2]


def test_on_a_flood_day_the_nearest_of_many_open_incidents_is_still_found_and_few_are_scored(api, tools):
    """Sixty open floods of the last hour inside the report's box, 0.6-2 km away and in
    the same words, and the one it repeats 300 m away, registered first: the duty room's
    report is still flagged with it, and the candidates' statement hands the scorer only
    the nearest CANDIDATES (each intake's cost stays flat however busy the day)."""
    original = report(api, received_at=ago(minutes=50), **VILLAGE_HEAD)["incident"]
    now = timezone.now()
    crowd = [
        Incident(
            title="大堤渗水、村庄进水",
            description="大堤渗水，村庄进水了，好几户人家屋里都是水。",
            category="natural_disaster",
            subtype="flood",
            latitude=VILLAGE[0] + 0.006 + (n % 10) * 0.0012,
            longitude=VILLAGE[1] - 0.006 - (n // 10) * 0.0015,
            reported_at=now - timedelta(minutes=n),
        )
        for n in range(60)
    ]
    Incident.objects.bulk_create(crowd)
    later = report(api, **DUTY_ROOM)
    assert original in later["possible_duplicates"]

    rows = duplicates.candidate_rows(
        category="natural_disaster",
        is_drill=False,
        start=now - timedelta(hours=24),
        end=now + timedelta(hours=1),
        new=duplicates.Sighting(id=None, category="natural_disaster", at=now, lat=NEAR_VILLAGE[0], lon=NEAR_VILLAGE[1]),
        exclude=later["incident"],
        gazetteer=tools[0],
        km=2.5,
    )
    assert len(rows) == duplicates.CANDIDATES < 62
    assert rows[0].id == original  # the nearest first
    km_lon = 111.320 * math.cos(math.radians(NEAR_VILLAGE[0]))
    near_to_far = [((r.lat - NEAR_VILLAGE[0]) * 110.574) ** 2 + ((r.lon - NEAR_VILLAGE[1]) * km_lon) ** 2 for r in rows]
    assert near_to_far == sorted(near_to_far)


# --- the fourteenth version: a follow-up's stated time, a county's reach, landmarks and towns --

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _day(days_back=2):
    """Midnight (Shanghai) some days back: the written reports' days are built from it."""
    local = timezone.now().astimezone(SHANGHAI) - timedelta(days=days_back)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def test_a_follow_ups_title_day_is_at_the_time_its_words_give_that_day(tools):
    """The fire brigade's next-morning report titled with the day only (X月D日…火灾) gives the
    minute in its words: it is the evening's factory fire, not the same town's noon fire."""
    day = _day()
    title = f"{day.month}月{day.day}日道林镇一加工厂火灾"
    brigade = sightings.sight(
        tools, title, "宁乡市道林镇", day + timedelta(hours=33, minutes=20), "fire",
        text=f"{day.month}月{day.day}日20时08分，道林镇一竹木制品加工厂起火，过火面积约600平方米，23时30分扑灭。",
    )  # fmt: skip
    assert brigade.stated == day + timedelta(hours=20, minutes=8)
    caller = sightings.sight(
        tools, "竹子厂着火了，火好大", "道林老街往后面走那个竹子厂", day + timedelta(hours=20, minutes=24), "",
        text="道林老街后面那个做竹凉席的厂子烧起来了，火冲得老高。",
    )  # fmt: skip
    assert sightings.flagged(tools, brigade, caller)
    noon = sightings.sight(
        tools, "镇上一家门面着火", "道林老街", day + timedelta(hours=12, minutes=5), "fire",
        text="老街上一家门面里冒烟起火了，人都跑出来了。",
    )  # fmt: skip
    assert not sightings.flagged(tools, brigade, noon)  # the noon fire is 8 hours before the minute it gives


def test_a_relatives_call_giving_only_the_part_of_the_day_is_at_that_time(tools):
    """A son far away calls in the evening: his father was swept off the causeway 早上. That
    is the morning's report from the town, not the evening before's."""
    day = _day()
    son = sightings.sight(
        tools, "家属询问搜救进展", "宁乡大成桥", day + timedelta(hours=20, minutes=15), "", "natural_disaster",
        text="来电人自称在广东打工，父亲早上在宁乡大成桥老家过桥被水冲走了，到现在没有消息。",
    )  # fmt: skip
    assert son.stated == day + timedelta(hours=7)
    villager = sightings.sight(
        tools, "有人过漫水桥被水冲走了", "大成桥那边河上的漫水桥", day + timedelta(hours=6, minutes=50), "", "natural_disaster",
        text="河里涨水了，漫水桥都淹了，刚刚隔壁组的老张骑摩托车要过桥，被水一冲连人带车都冲下去了。",
    )  # fmt: skip
    assert sightings.flagged(tools, son, villager)
    evening_before = replace(villager, at=day - timedelta(hours=4), stated=None)
    assert not sightings.flagged(tools, son, evening_before)


def test_a_countys_report_reaches_its_villages_50_km_from_its_point(api):
    """The forestry bureau's report placed at 宁乡市's point finds the township's hill fire at
    石门村, 40 km west (the candidates' box is the county's); 浏阳市's is not in it. (Six hours
    on: 沙田乡, a town both name since the twenty-fourth version's gazetteer, weighs a town's
    0.6, not the 0.75 of a spot written in the other's words it weighed while unknown.)"""
    shimen = report(
        api, received_at=ago(hours=6), title="石门村发生山火", subtype="forest_fire",
        description="石门村一村民烧田埂草引发山火，火线长约300米，乡半专业扑火队30人已上山。",
        location_text="宁乡市沙田乡石门村", latitude=28.1985, longitude=112.1532, reporter_phone="0731-87591128",
    )["incident"]  # fmt: skip
    liuyang = report(
        api, received_at=ago(hours=5), title="后山起火", subtype="forest_fire",
        description="村后山上烧起来了，烟很大。", location_text="浏阳市沿溪镇枫林村",
        latitude=28.2596, longitude=113.8897,
    )["incident"]  # fmt: skip
    bureau = report(
        api, title="沙田乡森林火情报告", subtype="forest_fire", channel="department", location_text="宁乡市",
        description="沙田乡一村民野外烧田埂草引发森林火情，过火面积约35亩，明火已扑灭。",
        reporter_unit="宁乡市林业局", reporter_phone="0731-87812236",
    )  # fmt: skip
    assert shimen in bureau["possible_duplicates"]
    assert liuyang not in bureau["possible_duplicates"]


def test_a_town_the_gazetteer_does_not_know_is_a_town(tools):
    """青石乡 (unknown) after 宁乡市: the caller's 青石这边 is it; 喻家坎镇's hill fire (unknown,
    placed at the county's point) and 横市镇's three hours before are two towns'."""
    now = timezone.now()
    caller = sightings.sight(
        tools, "后山烧起来了，风大", "青石这边石门村后山", now - timedelta(hours=2), "", "natural_disaster",
        text="隔壁屋的老倌子在田埂上烧草，风一吹火跑到后山上去了，满山都是烟。",
    )  # fmt: skip
    bureau = sightings.sight(
        tools, "青石乡森林火情", "宁乡市青石乡", now, "forest_fire", "natural_disaster",
        text="青石乡一村民野外烧田埂草引发森林火情，过火面积约35亩。",
    )  # fmt: skip
    assert bureau.unknown_towns == {"青石乡"} and "青石乡" in bureau.towns
    assert sightings.flagged(tools, bureau, caller)
    one = sightings.sight(
        tools, "横市镇森林火情", "宁乡市横市镇", now - timedelta(hours=3), "forest_fire", "natural_disaster",
        text="一处山林因祭扫用火引发森林火情，镇扑火队已上山。",
    )  # fmt: skip
    two = sightings.sight(
        tools, "喻家坎镇森林火情", "宁乡市喻家坎镇", now, "forest_fire", "natural_disaster",
        text="一村民野外烧田埂草引发山火，过火面积约10亩，已扑灭。",
    )  # fmt: skip
    assert two.towns == {"喻家坎镇"}
    assert not sightings.flagged(tools, two, one)


@pytest.mark.parametrize("order", ["caller-first", "town-first"])
def test_a_village_shortened_in_the_callers_location_is_the_village(tools, order):
    now = timezone.now()
    caller = sightings.sight(
        tools, "山上的土塌了把路堵了", "张坊往上坪去的那条路", now - timedelta(minutes=35), "", "natural_disaster",
        text="张坊往上坪那条路上山上的土塌下来了，好大一堆，车子过不去。",
    )  # fmt: skip
    town = sightings.sight(
        tools, "上坪村乡道发生山体滑坡阻断交通", "浏阳市张坊镇上坪村乡道", now, "geological", "natural_disaster",
        text="我镇上坪村乡道右侧山体发生滑坡，土方约300立方米，道路完全中断。",
    )  # fmt: skip
    assert tools[1].infer("山上的土塌了把路堵了", "natural_disaster").code == "geological"  # 土塌了: no hill fire
    new, old = (town, caller) if order == "caller-first" else (caller, town)
    assert sightings.flagged(tools, new, old)
    elsewhere = sightings.sight(
        tools, "上坪村乡道发生山体滑坡", "浏阳市大围山镇上坪村", now, "geological", "natural_disaster",
        text="大围山镇上坪村乡道山体发生滑坡，道路中断。",
    )  # fmt: skip
    assert not sightings.flagged(tools, elsewhere, caller)  # another town's 上坪村


@pytest.mark.parametrize("order", ["caller-first", "street-first"])
def test_a_landmark_is_in_the_jiedao_it_lies_in(tools, order):
    """高桥大市场's point lies in 高桥街道 (the next 街道's is five times as far): a passer-by
    at the market and the 120 at a junction of 高桥街道 tell one billboard. 捞刀河大桥 lies in
    another 街道; 开福寺 has three 街道's points within a kilometre and none is its own."""
    city = tools[0]
    assert duplicates.landmark_town(city, "高桥大市场") == "高桥街道"
    assert duplicates.landmark_town(city, "开福寺") == ""
    now = timezone.now()
    passer_by = sightings.sight(
        tools, "大风把广告牌吹下来砸到人了", "高桥大市场旁边那条路", now - timedelta(minutes=8), "", "natural_disaster",
        text="一阵大风突然刮过来，楼顶上的大广告牌被吹下来了，砸在人行道上，有两个人被砸到了。",
    )  # fmt: skip
    ambulance = sightings.sight(
        tools, "广告牌掉落砸伤行人", "雨花区高桥街道远大一路与东二环交叉口附近", now, "", "natural_disaster",
        text="120转：高桥附近一楼顶广告牌被风吹落砸伤行人，伤者3人。",
    )  # fmt: skip
    new, old = (ambulance, passer_by) if order == "caller-first" else (passer_by, ambulance)
    assert sightings.flagged(tools, new, old)
    bridge = sightings.sight(
        tools, "大风把广告牌吹下来了", "捞刀河大桥往北那个路口", now - timedelta(minutes=8), "", "natural_disaster",
        text="一阵大风把路口的广告牌吹下来了，砸到一辆车。",
    )  # fmt: skip
    assert not sightings.flagged(tools, ambulance, bridge)


def test_the_countryside_a_department_and_a_time_are_no_names(tools):
    """一起农村集体聚餐 names no village, 通知市场监管 no market, 11时许沙龙村 the village 沙龙村:
    the town's report on the clan banquet is the village's; another village's banquet is not."""
    city = tools[0]
    streets = geo.read_streets("4月3日一起农村集体聚餐食物中毒事件报告，11时许沙龙村一处，车开进小区", city)
    assert ("起农", "村") not in streets.firms and ("沙龙", "村") in streets.firms and "车开进" not in streets.named
    assert duplicates.sites_of("通知市场监管和疾控") == frozenset()
    now = timezone.now()
    village = sightings.sight(
        tools, "梅田村清明会聚餐后多人出现腹痛腹泻", "浏阳市古港镇梅田村罗氏宗祠", now - timedelta(hours=12),
        "food_poisoning", "public_health",
        text="梅田村罗氏家族今日中午在宗祠举办清明会聚餐，多人出现腹痛、腹泻、呕吐。镇里已通知市场监管和疾控。",
    )  # fmt: skip
    county = sightings.sight(
        tools, "一起农村集体聚餐食物中毒事件报告", "浏阳市古港镇", now, "food_poisoning", "public_health",
        text="古港镇一农村家族清明聚餐后发生食物中毒，累计发病51人，已采样送检。",
    )  # fmt: skip
    assert sightings.flagged(tools, county, village)
    other = sightings.sight(
        tools, "石湾村寿宴后多人呕吐", "浏阳市沿溪镇石湾村", now - timedelta(hours=12), "food_poisoning", "public_health",
        text="石湾村一户办寿宴，多人呕吐。",
    )  # fmt: skip
    assert not sightings.flagged(tools, county, other)


def test_a_report_saying_it_has_no_link_with_another_towns_outbreak_is_not_it(tools):
    now = timezone.now()
    school = sightings.sight(
        tools, "黄花镇一中学流行性腮腺炎聚集性疫情处置情况", "长沙县黄花镇", now - timedelta(hours=20), "epidemic",
        "public_health", text="黄花镇一中学累计报告流行性腮腺炎病例12例，已落实隔离和消毒。",
    )  # fmt: skip
    langli = sightings.sight(
        tools, "榔梨街道一小学腮腺炎病例调查情况", "长沙县榔梨街道", now, "epidemic", "public_health",
        text="榔梨街道一小学累计报告流行性腮腺炎8例，经流调与黄花镇中学疫情无流行病学关联，为独立的聚集性疫情。",
    )  # fmt: skip
    assert "黄花镇" not in langli.places
    assert not sightings.flagged(tools, langli, school)
    parent = sightings.sight(
        tools, "家长反映学校很多学生脸肿", "黄花镇的中学", now - timedelta(hours=26), "", "public_health",
        text="小孩在黄花镇上的中学读初一，班上好多同学脸肿起来了，怀疑是传染病。",
    )  # fmt: skip
    assert sightings.flagged(tools, school, parent)


def test_a_departments_statistics_are_at_the_time_they_give(tools):
    """…灾情统计 is a department's written report: at the afternoon it gives, the town's hail
    (found), not the next afternoon's in the same town (kept apart)."""
    day = _day()
    stats = sightings.sight(
        tools, f"{day.month}月{day.day}日横市镇冰雹灾情统计", "宁乡市横市镇", day + timedelta(hours=33), "meteorological",
        "natural_disaster", text=f"{day.month}月{day.day}日16时许，横市镇局部遭受冰雹、大风袭击，农作物受灾面积620亩。",
    )  # fmt: skip
    assert stats.follow_up and stats.stated == day + timedelta(hours=16)
    caller = sightings.sight(
        tools, "下冰雹了，菜棚子打烂了", "横市镇", day + timedelta(hours=16, minutes=20), "", "natural_disaster",
        text="刚才下了好大的冰雹，菜棚子全打烂了。",
    )  # fmt: skip
    assert sightings.flagged(tools, stats, caller)
    next_day = replace(caller, at=day + timedelta(hours=40))
    assert not sightings.flagged(tools, stats, next_day)


@pytest.mark.parametrize("order", ["bureau first", "caller first"])
def test_another_event_a_report_names_beside_its_own_is_not_its_place(tools, order):
    """The forestry bureau's report on 九峰山's fire ends with the other village's fire, 已另报;
    a town's report on that one says how far it is from the first fire ground and that its
    crews came from there: those places are not theirs. The caller on 九峰山 is the bureau's
    event; the caller at 惠农村 is not."""
    day = _day()
    bureau = sightings.sight(
        tools, "关于茶亭镇九峰山森林火灾的情况报告", "望城区茶亭镇九峰山", day + timedelta(hours=16, minutes=50), "forest_fire",
        text=f"{day.month}月{day.day}日14时05分，茶亭镇静慎村九峰山西坡发生森林火灾，16时30分明火扑灭。"
        "另，同日14时40分茶亭镇惠农村发生一起烧田埂引发的小面积山火，已另报。",
    )  # fmt: skip
    hiker = sightings.sight(
        tools, "九峰山上起火了", "九峰山西边那面山坡", day + timedelta(hours=14, minutes=8), "forest_fire",
        text="我们在九峰山爬山，看到西边山坡上一股好浓的烟，往山顶上烧。",
    )  # fmt: skip
    villager = sightings.sight(
        tools, "烧田埂烧到山上去了", "惠农村塘坝冲那边的后山", day + timedelta(hours=14, minutes=44), "forest_fire",
        text="隔壁屋里的老倌子烧田埂草，风一吹烧到后山上去了，我们几个在用树枝子打。",
    )  # fmt: skip
    pairs = [(bureau, hiker, True), (bureau, villager, False)]
    for report_, caller, one in pairs:
        new, old = (report_, caller) if order == "bureau first" else (caller, report_)
        assert sightings.flagged(tools, new, old) is one
    town = sightings.sight(
        tools, "惠农村七组烧田埂引发山火", "望城区茶亭镇惠农村七组", day + timedelta(hours=14, minutes=52), "forest_fire",
        text="14时40分，我镇惠农村七组村民烧田埂引发山火，该处距静慎村九峰山火场约4公里，镇里已从九峰山火场抽调10名扑火队员前往。",
    )  # fmt: skip
    assert "静慎村" not in town.places and "九峰山" not in town.told
    assert "惠农村" in town.villages


def test_a_day_named_two_days_before_the_report_is_that_day(tools):
    """The county's rain report written on the third morning (关于D日夜至D+1日强降雨灾情的报告)
    is about the night it names, 34 hours before it: the homestay's call that night is its event."""
    day = _day(days_back=3)
    county = sightings.sight(
        tools, f"关于{day.month}月{day.day}日夜强降雨灾情的报告", "浏阳市", day + timedelta(hours=32, minutes=30), "flood",
        "natural_disaster", text="我市东北部普降暴雨，大围山镇楚东村发生山洪，一民宿13人被困，经消防救援全部脱险。",
    )  # fmt: skip
    assert county.stated == day + timedelta(hours=22)
    homestay = sightings.sight(
        tools, "楚东村突发山洪，一民宿人员被困", "浏阳市大围山镇楚东村", day + timedelta(hours=29, minutes=40), "flood",
        "natural_disaster", text="我镇楚东村楚东溪暴涨，一民宿一楼进水，13人被困二楼。",
    )  # fmt: skip
    assert sightings.flagged(tools, county, homestay)
    assert not sightings.flagged(tools, county, replace(homestay, at=day - timedelta(hours=30), stated=None))


def test_a_bare_expressway_in_a_text_naming_another_expressway_is_that_one(tools):
    """高速 alone is 京港澳高速临江段's alias; in a text naming 长张高速 (高速上, 高速交警) it is
    长张高速: two crashes on 长张高速 no longer share 京港澳's section."""
    now = timezone.now()
    driver = sightings.sight(
        tools,
        "高速上好几台车追尾了",
        "长张高速往宁乡方向",
        now,
        "traffic",
        text="长张高速往宁乡方向，前面好几台车撞到一起了。",
    )
    county = sightings.sight(
        tools, "关于长张高速宁乡段一起交通事故的报告", "宁乡市", now, "traffic",
        text="长张高速宁乡段一辆小型客车发生单车侧翻事故。据高速交警初步判断，驾驶人疲劳驾驶。",
    )  # fmt: skip
    assert "长张高速" in driver.places and "京港澳高速临江段" not in driver.places | county.places
    alone = sightings.sight(tools, "高速上一台货车翻了", "", now, "traffic", text="高速上一台货车翻了。")
    assert "京港澳高速临江段" in alone.places  # with no other expressway named, the alias's own


@pytest.mark.parametrize(
    "words",
    [
        "110转：景区高空滑索故障停运，多名游客悬停于湖面上空，已通知消防到场协助。",
        "119转：游乐场大摆锤设备故障，约20人滞留高空，已调派消防救援站出动。",
    ],
)
def test_a_ride_stopped_with_its_riders_in_the_air_is_special_equipment_not_a_fire(tools, words):
    assert tools[1].infer(words, "accident_disaster").code == "special_equipment"


def test_downstream_of_two_places_on_a_river_is_no_spot_of_their_own(city):
    """下游约150米 and 下游约800米 below two bridges or piers of one river say which way the
    water runs, not a place both name; a pier both name still is one."""
    now = timezone.now()
    pier = sight(city, "一名学生游泳溺水", "榔梨街道浏阳河陶公庙码头下游约150米", now)
    bridge = sight(city, "失踪男子已找到", "黄兴镇浏阳河黄兴大桥下游约800米", now)
    assert not pier.written & bridge.written
    again = sight(city, "一少年游泳溺水", "榔梨街道陶公庙码头上游约50米", now)
    assert "陶公庙" in pier.written & again.written


def test_a_drowning_relayed_with_the_fire_service_called_is_the_villagers_drowning(tools):
    """消防救援 names who was called, not what happened: a 110 relay of a child drowned
    that says the fire service was told reads as the villager's drowning minutes earlier,
    one kind, and is flagged; a fire relayed in the same words is still a fire."""
    city, reader, kinds = tools
    now = timezone.now()

    def seen(text, place, at):
        return duplicates.sighting(
            category="accident_disaster", at=at, text=text, location_text=place, gazetteer=city,
            reader=reader, guess=reader.infer(text, "accident_disaster").code,
        )  # fmt: skip

    villager = seen("有小孩在河里游泳沉下去了", "浏阳市集里街道浏阳河边", now - timedelta(minutes=8))
    relay = seen("110转：集里街道河段一名儿童溺水，已通知消防救援", "浏阳市集里街道", now)
    assert relay.guess == villager.guess == "production_safety"
    assert duplicates.score(relay, villager, gazetteer=city, kinds=kinds)[0] >= duplicates.THRESHOLD
    fire = seen("110转：集里街道一民房起火，已通知消防救援", "浏阳市集里街道", now)
    assert fire.guess == "fire"
