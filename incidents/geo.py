"""Places: offline geocoding from the gazetteer, optional online geocoder, distances.

Intranets have no internet, so the gazetteer (Place) is the geocoder; an
online geopy geocoder can be switched on with settings.DUTYOPS_GEOCODER
(a geopy geocoder name, e.g. "nominatim"), off by default.

(About 620 lines on purpose: the gazetteer and the reading of streets, spots,
establishments and venues by their form are one vocabulary of places; the duplicate
scorer compares what they read.)
"""

import csv
import functools
import logging
import math
import re
from typing import NamedTuple

from django.conf import settings
from geopy.distance import geodesic

from dutyops.cache import Recent

log = logging.getLogger(__name__)


# Kinds of gazetteer places by how precisely a point geocoded from them places an
# event: a district, a road or a river spans many kilometres; a town, a mountain, a
# reservoir or an industrial park a few; the rest (a village, a bridge, a hospital)
# is a spot.
BROAD_KINDS = frozenset({"区县", "道路", "河流"})
TOWN_KINDS = frozenset({"镇", "乡", "街道", "山林", "水库", "园区", "商圈", "堤防"})
# Callers drop these endings: 乔口 for 乔口镇, 格塘 for 格塘村.
_STEMMED = ("镇", "乡", "街道", "村", "社区")
# How far a town-level place's point stands for (a rural township spans 10-20 km, a
# 街道 a few, a village's fields and hills a few): a report placed only by it may be
# about a spot that far (光明村's hill fire, 3 km from the village's point).
TOWN_REACH_KM = {"镇": 15.0, "乡": 15.0, "街道": 7.0, "村": 3.5}
# An alias written "!小河" says the name without its ending is not this place (小河乡's
# 小河 is any small river, 关口街道's 关口 any checkpoint).
NOT_A_STEM = "!"
_CLASS_RANK = {"spot": 2, "town": 1, "broad": 0}
# A place named after these is where the way leads (往黄材, 去沩山, 开往长沙), not where it is.
_HEADING = frozenset("往去向朝")


def place_class(kind):
    """spot, town or broad: how precisely a place of this kind locates an event."""
    if kind in BROAD_KINDS:
        return "broad"
    if kind in TOWN_KINDS:
        return "town"
    return "spot"


class Gazetteer:
    """The place names of the jurisdiction: rows of (name, latitude, longitude, kind,
    district[, aliases]). Finds every place a text mentions, by its name, by an alias
    (火车站 for 临江火车站) or by its name without 镇/乡/街道/村/社区 (乔口 for
    乔口镇; not when an alias says "!小河"), and places the text at the most precise of them (a village before its
    town, a town before a river), the longest name first among equals."""

    def __init__(self, rows):
        self.rows = sorted((tuple(r[:5]) for r in rows), key=lambda r: -len(r[0]))
        self.by_name = {r[0]: r for r in self.rows}
        self.by_point = {(r[1], r[2]): r for r in self.rows}
        explicit, stems = {}, {}
        for row in rows:
            name = row[0]
            explicit.setdefault(name, name)
            not_stems = set()
            for alias in _split_aliases(row[5] if len(row) > 5 else ""):
                if alias.startswith(NOT_A_STEM):
                    not_stems.add(alias[1:])  # !小河: 小河乡's stem is a common word
                else:
                    explicit.setdefault(alias, name)
            for suffix in _STEMMED:
                if name.endswith(suffix) and len(name) - len(suffix) >= 2 and name[: -len(suffix)] not in not_stems:
                    stems.setdefault(name[: -len(suffix)], name)
        self.aliases = {**stems, **explicit}
        self.broad = [(r[1], r[2]) for r in self.rows if place_class(r[3]) == "broad"]
        self.towns = [(r[1], r[2], TOWN_REACH_KM[r[3]]) for r in self.rows if r[3] in TOWN_REACH_KM]
        self.street_info = {}
        self.placed = [(r[1], r[2], r[4]) for r in self.rows if r[4]]
        self.explicit = frozenset(explicit)
        roads = [r[0] for r in self.rows if r[3] == ROAD_KIND]
        # A road's alias ending other roads' names (高速, 京港澳高速临江段's): any of them
        self.bare = frozenset(
            key
            for key, name in self.aliases.items()
            if key != name and self.by_name[name][3] == ROAD_KIND and any(r != name and r.endswith(key) for r in roads)
        )
        self.trie = Trie(self.aliases)

    def _found(self, text):
        if not text:
            return []
        return [(key, self.aliases[key]) for key in self.trie.words(text)]

    def read_street_info(self, key):
        """StreetInfo of a name or alias found in a text (kept: read once per key)."""
        name, _lat, _lon, kind, district = self.by_name[self.aliases[key]]
        area = name[:-2] if kind in TOWN_KINDS and name.endswith("街道") and name[:-2].endswith(ROAD_SUFFIXES) else ""
        found = StreetInfo(
            name,
            kind == ROAD_KIND,
            district if district and (place_class(kind) != "broad" or kind == "区县") else "",
            area,
            (_core(name), _core(key)) if kind in NAMED_KINDS else (),
        )
        self.street_info[key] = found
        return found

    def locate(self, text):
        """The row of the place the text is at, or None. A place the way leads to (龙田往黄材
        那条省道, 长韶娄高速黄材方向) is not where it is, when the text names another. A village
        named with a town it lies far outside (大围山镇楚东村 when the gazetteer's 楚东村 is
        another district's) is another village of that name: the text is at the town."""
        if not text:
            return None
        best, best_rank, best_start, towns = None, None, 0, []
        for start, end, key in self.trie.spans(text):
            row = self.by_name[self.aliases[key]]
            heading = text[start - 1 : start] in _HEADING or text.startswith("方向", end)
            kind = _CLASS_RANK[place_class(row[3])] if key not in self.bare else -1
            rank = (kind >= 0 and not heading, kind, key in self.explicit, len(key))
            if row[3] in TOWN_REACH_KM and row[3] != "村" and not heading:
                towns.append((start, row))
            if best_rank is None or rank > best_rank:
                best, best_rank, best_start = row, rank, start
        if best is not None and best[3] == "村":
            for start, town in towns:  # the town it is named under (not 东湖 of 静慎村东湖垂钓园)
                if start < best_start and rough_km(best[1:3], town[1:3]) > 2 * TOWN_REACH_KM[town[3]]:
                    return town
        return best

    def mentions(self, text):
        """Names of every place the text mentions."""
        return frozenset(name for _key, name in self._found(text))

    def scan(self, text, mask):
        """(names of the places the text mentions, the text with them replaced by `mask`)
        in one walk: a place name is not what happened (火星街道 is not a fire)."""
        text = text or ""
        spans = self.trie.spans(text)
        return frozenset(self.aliases[key] for _s, _e, key in spans), masked(text, spans, mask)

    def keys_of(self, names):
        """Every way of writing these places (name, aliases, stems): to tell cheaply
        whether another text may name one of them."""
        return [key for key, name in self.aliases.items() if name in names]

    def names(self):
        """Every name and alias (to mask before reading the words)."""
        return list(self.aliases)

    def broad_points_near(self, lat, lon, km):
        """Points of roads, rivers and districts within `km`: an incident geocoded from
        one of them may be anywhere along it."""
        return [point for point in _near(self.broad, lat, lon, km) if rough_km((lat, lon), point) <= km]

    def town_points_near(self, lat, lon):
        """Points of towns (镇, 乡, 街道) and villages the point lies within the reach of: an
        incident placed only by its town may be at any of its villages or streets."""
        near = _near(self.towns, lat, lon, max(TOWN_REACH_KM.values()))
        return [(p[0], p[1]) for p in near if rough_km((lat, lon), p[:2]) <= p[2]]

    def kind_at(self, lat, lon):
        """The kind of the place a point was geocoded from (None: not a gazetteer point)."""
        row = self.by_point.get((lat, lon))
        return row[3] if row else None

    def district_of(self, text="", lat=None, lon=None, within_km=5.0):
        """The district of the place the text names, else of the nearest place within
        `within_km` of the point; "" when neither tells."""
        row = self.locate(text or "") if text else None
        if row is None and lat is not None and lon is not None:
            near = [(rough_km((lat, lon), r[:2]), r[2]) for r in _near(self.placed, lat, lon, within_km)]
            km, district = min(near, default=(None, ""))
            return district if km is not None and km <= within_km else ""
        return row[4] if row else ""


def _near(points, lat, lon, km):
    """The points (lat, lon, ...) inside the box around (lat, lon) of `km`: a few
    comparisons each, before the distance of the few inside it."""
    south, north, west, east = bounding_box(lat, lon, km)
    return [p for p in points if south <= p[0] <= north and west <= p[1] <= east]


class Trie:
    """Finds words in a text the way a dictionary segmenter does: from the left, the
    longest word starting at each position, never overlapping (橘子洲大桥 before
    橘子洲, 森林火灾 before 火灾). A walk over nested dicts: about one lookup per
    character, where a regex alternation of a thousand words tries each in turn."""

    _END = ""

    def __init__(self, words):
        self.root = {}
        for word in words:
            if not word:
                continue
            node = self.root
            for ch in word:
                node = node.setdefault(ch, {})
            node[self._END] = word

    def __bool__(self):
        return bool(self.root)

    def spans(self, text):
        """[(start, end, word)] of the words found."""
        out, i, n, root, end_key = [], 0, len(text), self.root, self._END
        while i < n:
            node = root.get(text[i])
            if node is None:
                i += 1
                continue
            found = (i + 1, node[end_key]) if end_key in node else None
            j = i + 1
            while j < n:
                node = node.get(text[j])
                if node is None:
                    break
                j += 1
                if end_key in node:
                    found = (j, node[end_key])
            if found is None:
                i += 1
                continue
            out.append((i, found[0], found[1]))
            i = found[0]
        return out

    def words(self, text):
        return [w for _s, _e, w in self.spans(text)]

    def mask(self, text, char):
        """The text with every word found replaced by `char`s."""
        return masked(text, self.spans(text), char)


def masked(text, spans, char):
    """`text` with each (start, end, ...) span replaced by `char`s."""
    if not spans:
        return text
    parts, last = [], 0
    for start, end, *_rest in spans:
        parts.append(text[last:start])
        parts.append(char * (end - start))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _split_aliases(text):
    return [a.strip() for a in re.split(r"[、,，;；|]", text or "") if len(a.strip()) > 1]


def _load_gazetteer(_):
    from .models import Place

    return Gazetteer(list(Place.objects.values_list("name", "latitude", "longitude", "kind", "district", "aliases")))


def gazetteer_from_csv(*paths):
    """The gazetteer of CSV files (name,district,kind,latitude,longitude[,aliases]), without a database."""
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows += [
                (
                    r["name"],
                    float(r["latitude"]),
                    float(r["longitude"]),
                    r.get("kind") or "",
                    r.get("district") or "",
                    r.get("aliases") or "",
                )
                for r in csv.DictReader(f)
            ]
    return Gazetteer(rows)


# import_places and Place edits clear it.
gazetteer = Recent(_load_gazetteer, seconds=60)


def geocode(text):
    """(lat, lon) for a place name or a text mentioning one; None if unknown."""
    text = (text or "").strip()
    if not text:
        return None
    row = gazetteer.get(None).locate(text)
    if row is not None:
        return (row[1], row[2])
    name = getattr(settings, "DUTYOPS_GEOCODER", "")
    if name:
        return _online(name, text)
    return None


def _online(name, text):
    try:
        from geopy.geocoders import get_geocoder_for_service

        geocoder = get_geocoder_for_service(name)(user_agent="dutyops", timeout=3)
        found = geocoder.geocode(text)
    except Exception as exc:  # noqa: BLE001 - an online lookup must never break intake
        log.warning("online geocoder %s failed: %s", name, exc)
        return None
    return (found.latitude, found.longitude) if found else None


def distance_km(a, b):
    return geodesic(a, b).km


def rough_km(a, b):
    """Haversine on a sphere: within 0.5 % of geodesic, a hundred times cheaper.
    Used to discard far candidates before the exact geodesic distance."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat, lon, km):
    """A lat/lon box that contains the circle of radius km (SQL prefilter)."""
    dlat = km / 110.574
    dlon = km / (111.320 * max(math.cos(math.radians(lat)), 0.01))
    return (lat - dlat, lat + dlat, lon - dlon, lon + dlon)


def text_similarity(a, b):
    """Jaccard similarity of character bigrams: works for Chinese without a tokenizer.
    Either side may be given as a precomputed bigrams() set."""
    ga = a if isinstance(a, set) else bigrams(a)
    gb = b if isinstance(b, set) else bigrams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


_PUNCTUATION = str.maketrans("", "", "，。、；：,.;:！!？?（）()")


def bigrams(text):
    """Character pairs of the text, ignoring case, whitespace and punctuation."""
    text = "".join((text or "").lower().translate(_PUNCTUATION).split())  # split(): any Unicode space
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else ({text} if text else set())


# --- streets and named places the words give (a road is a line, not a point) ----------

ROAD_KIND = "道路"
# Suffixes of a road's name, and of a named spot's (a community, an estate, a tunnel...).
ROAD_SUFFIXES = ("大道", "路", "街", "巷")
SPOT_SUFFIXES = ("下穿通道", "下穿隧道", "隧道", "大桥", "大堤", "社区", "小区", "新村", "收费站", "服务区")
# An establishment named with its kind (鸿福酒楼, 小太阳幼儿园, 华泰精密电子有限公司, 嘉和大厦),
# and a village or reservoir the gazetteer does not know (金峰村, 金峰水库), is where its
# event happened: told by the characters before its kind, as a named spot is.
FIRM_SUFFIXES = (
    "酒楼", "酒家", "饭店", "饭馆", "餐馆", "餐厅", "食堂", "幼儿园", "小学", "中学", "敬老院", "养老院", "养老机构", "福利院",
    "有限公司", "公司", "大厦", "公园", "村", "水库", "酒店", "ktv", "金店", "金饰店", "黄金店", "超市", "便利店",
    "养殖场", "养猪场", "养鸭场", "养鸡场", "猪场", "鸭场", "鸡场", "养殖户", "鸭棚", "鸡棚",
)  # fmt: skip
# Kinds of establishment: two different ones of a kind named (向阳幼儿园, 春苗幼儿园) are two places.
FIRM_KINDS = {
    "酒家": "酒楼", "饭店": "酒楼", "饭馆": "酒楼", "餐馆": "酒楼", "餐厅": "酒楼", "中学": "小学", "养老院": "敬老院",
    "养老机构": "敬老院", "福利院": "敬老院", "有限公司": "公司", "站": "地铁站", "酒店": "酒楼", "金饰店": "金店", "黄金店": "金店",
    "便利店": "超市", "养猪场": "养殖场", "养鸭场": "养殖场", "养鸡场": "养殖场", "猪场": "养殖场", "鸭场": "养殖场",
    "鸡场": "养殖场", "养殖户": "养殖场", "鸭棚": "养殖场", "鸡棚": "养殖场",
}  # fmt: skip
# Kinds of venue a text may name without its name (一酒店, 吃喜酒的酒店, 一家KTV, 这所幼儿园):
# the venue of that kind the other text names, when nothing says they are apart.
VENUE_KINDS = frozenset(
    {"酒楼", "幼儿园", "小学", "敬老院", "ktv", "金店", "超市", "养殖场"}
)  # not 食堂: 该校食堂, 工地食堂, then 食堂 alone
_VENUE_SUFFIXES = {kind: tuple(s for s in FIRM_SUFFIXES if FIRM_KINDS.get(s, s) == kind) for kind in VENUE_KINDS}
# What an establishment's name ends in when it says only what kind it is, or which one of
# the text's (职工食堂, 问燃气公司, 第二食堂): not a name.
_GENERIC_FIRMS = (
    "职工", "员工", "教工", "学生", "学校", "高校", "单位", "机关", "燃气", "物业", "供电", "电力", "供水", "自来水",
    "水务", "施工", "建筑", "建设", "劳务", "保安", "运输", "物流", "快递", "外卖", "维保", "电梯", "房地产", "地产",
    "开发", "投资", "理财", "担保", "贷款", "保险", "科技", "集团", "分公司", "总公司", "子公司", "母公司", "第一",
    "第二", "第三", "工地", "项目工地", "企业", "孩子", "检测", "森林", "国家森林", "湿地", "儿童", "城市", "市政",
)  # fmt: skip
# The sort of school a text says, not its name (某寄宿制中学, 一所寄宿中学, 某民办幼儿园): a
# school of that kind it does not name.
_FIRM_SORT = {"小学": ("寄宿制", "寄宿", "民办", "公办", "私立"), "幼儿园": ("寄宿制", "民办", "公办", "私立", "全托")}


def _without_sort(firm, kind):
    for word in _FIRM_SORT.get(kind, ()):
        if firm.endswith(word):
            return firm[: -len(word)]
    return firm


# 一起农村集体聚餐: 农村 is the countryside, no village named X农 (checked for 村 alone).
# A time said right before a name (11时许沙龙村, 3日5时上坪村) ends where the name begins.
_TIME_ENDS = "时分许"
# A verb of going in (车开进小区, 冲进小区) before a named spot's suffix: where something went, no name.
_MOTION = ("进",)
# A verb of what was done to an establishment before its kind (已封存食堂剩余食品, 责令关闭饭店): no name.
_DONE_TO = ("封存", "查封", "关闭", "停用", "消毒", "排查", "检查", "整改")
# The ending begins a longer word (小学生, 村民, 村组): no name before it.
_GOES_ON = {"小学": "生", "中学": "生", "村": "民组里委干口头道庄部支书长级"}


_STATION = re.compile(r"(?:地铁|\d+号线)([\u4e00-\u9fff]{2,5}?)站|([\u4e00-\u9fff]{2,5}?)地铁站")


def _village_start(text, run, start, floor):
    """Whether the stop at text[run - 1] begins a village's name (上洪村): one of
    _VILLAGE_STARTS, not right before the suffix, with a place, a stop or nothing before it."""
    if run == start or text[run - 1] not in _VILLAGE_STARTS:
        return False
    before = text[run - 2] if run - 2 >= floor else ""
    return not before or before in _STOP or not "\u4e00" <= before <= "\u9fff"


def goes_on_after(suffix):
    """The characters that, right after this ending, make it a longer word (村道, 村民)."""
    return _GOES_ON.get(suffix, "")


def _goes_on(text, end, suffix):
    return end < len(text) and text[end] in _GOES_ON.get(suffix, "")


NAMED_KINDS = frozenset({"社区", "村", "小区"})
# Characters that do not begin or continue a place name in a caller's words.
_STOP = set(
    "的在了那这个一有是和与及往到从把被说里边上下我你他们着过也都就还很好么呢吗啊吧辆台条处位名某附近旁对面门口前后左右东西南北中等两各该"
    "称问"  # 来电人称德峰小区, 市民询问小区楼里: what the caller said, not the place
)
# A _STOP that may end a name right before its suffix: a named spot's (桐荫里小区), a road's
# direction (开元东路, 韶山中路), by whether the suffix is a road's.
_NAME_ENDS = {False: "里", True: "东西南北中"}
# Words ending in 路 that name no road (线路老化短路: what failed, not where).
# 路 beginning a longer word (路道, 路基, 路面, 路肩, 路况, 路政): no road's name before it (侧翻至路基下).
_ROAD_GOES_ON = ("道", "基", "面", "肩", "况", "政")
_NOT_NAMES = (
    "公路", "马路", "道路", "铁路", "小路", "大路", "山路", "水路", "线路", "电路", "管路", "半路", "过路", "走路", "让路", "短路", "断路", "回路",
    "通路", "出路", "迷路", "修路", "封路", "绕路", "上路", "赶路", "岔路",
)  # fmt: skip
# A community's or estate's name that says only what kind it is (老旧小区, 安置小区, 一个高层小区):
# not a name.
_GENERIC_SPOTS = ("老旧", "老式", "新建", "安置", "拆迁", "居民", "住宅", "高层", "农村", "周边", "整个", "隔壁", "对面")  # fmt: skip
# What may begin a village's name though it ends a word elsewhere (上洪村, 下湾村, 东山村),
# when nothing but a place or a stop stands before it.
_VILLAGE_STARTS = "上下东西南北中大小"
_SUFFIX = re.compile("|".join(sorted(ROAD_SUFFIXES + SPOT_SUFFIXES + FIRM_SUFFIXES, key=len, reverse=True)))


# What follows a road's name and places the event on it: a section (洞井段, 北段), a
# junction (与湘府路交叉口, 人民路口, 路口), an expressway's toll station, service area,
# interchange or exit (绕城高速黄花收费站).
_SECTION = re.compile(r"(?:与|和|跟|、)?([\u4e00-\u9fff]{1,5}?)(?:段|交叉口|交汇处|路口|收费站|服务区|互通|出口)")
# An expressway's kilometre marker (绕城高速K46+500, 长张高速西行K33+500, 长浏高速往浏阳方向
# K31+500): a section, pinned to the kilometre.
_KM_MARK = re.compile(r"[^，。；,;、\s]{0,10}?[kK](\d{1,4})(?:\+\d{1,3})?")
KM_NEAR = 2  # two markers this many kilometres apart are one section
# The carriageway a road's event is on, as where it leads (长张高速往长沙方向K44+100, 长浏高速
# 长沙往浏阳方向, 京港澳高速长沙段往广州方向): two texts naming two of one road are its two sides.
# Where the roads out of the city lead, beyond the gazetteer (approximate centres).
FAR_PLACES = {
    "长沙": (28.23, 112.94), "广州": (23.13, 113.26), "深圳": (22.54, 114.06), "武汉": (30.59, 114.31),
    "北京": (39.90, 116.40), "岳阳": (29.36, 113.13), "湘潭": (27.83, 112.94), "株洲": (27.83, 113.13),
    "益阳": (28.55, 112.36), "常德": (29.03, 111.70), "张家界": (29.12, 110.48), "娄底": (27.70, 112.00),
    "邵阳": (27.24, 111.47), "韶山": (27.92, 112.53), "衡阳": (26.89, 112.57), "郴州": (25.77, 113.01),
    "南昌": (28.68, 115.86), "萍乡": (27.62, 113.85), "醴陵": (27.65, 113.50), "吉首": (28.31, 109.74),
    "怀化": (27.55, 110.00), "江西": (28.68, 115.86), "上海": (31.23, 121.47), "重庆": (29.56, 106.55),
}  # fmt: skip
HEADING_MIN_KM = 3.0  # a heading this near the road's point tells no side
_HEADING_WAY = re.compile(
    r"[^，。；,;、\s]{0,8}?(?:(?:往|向|去|至|进|回)([\u4e00-\u9fff]{2,4}?)(?:方向|走|去)|(?:往|向)?([东南西北])(?:行|走|边|方向|向))"
)  # or a point of the compass (往北走, 东行)
COMPASS = {"北": (1.0, 0.0), "南": (-1.0, 0.0), "东": (0.0, 1.0), "西": (0.0, -1.0)}
_BARE_WAY = re.compile(r"([\u4e00-\u9fff]{2,3}?)方向")  # right after the road: 京港澳高速武汉方向K1478


class StreetInfo(NamedTuple):
    """What a gazetteer name gives read_streets (Gazetteer.read_street_info)."""

    name: str
    road: bool
    district: str  # of a place that is not a road or a river
    area: str  # the road a 街道 is named after
    named: tuple  # cores of a named spot's name and of the way it was written


class Streets(NamedTuple):
    roads: frozenset  # road names (known, read, or a 街道 named after its road)
    named: frozenset  # cores of named spots (西牌楼 of 西牌楼社区 and of 西牌楼巷)
    sections: frozenset  # (road, section) pairs: 韶山南路 at 洞井, at 湘府路
    districts: frozenset  # districts of the places named that are not roads or rivers
    areas: frozenset = frozenset()  # roads named by the 街道 named after them (城南路 of 城南路街道)
    firms: frozenset = frozenset()  # establishments: (name without its kind, kind): (鸿福, 酒楼) of 鸿福酒楼
    venues: frozenset = frozenset()  # kinds of venue named without a name (酒楼 of 一酒店)
    headings: frozenset = frozenset()  # (road, where its carriageway leads): (长张高速, 长沙) of 长张高速往长沙方向


NO_STREETS = Streets(frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


def read_streets(text, gazetteer, spans=None):
    """The roads, named spots, establishments and sections the words give, known to the
    gazetteer or read by their form (X路, X街, X大道, X巷; X社区, X小区, X新村, X隧道,
    X下穿通道, X大桥, X大堤; X酒楼, X幼儿园, X有限公司 ...; X路与Y路交叉口, X路Y段, X路口)."""
    text = (text or "").lower()
    spans = gazetteer.trie.spans(text) if spans is None else spans
    roads, named, sections, districts, areas, firms, venues = set(), set(), set(), set(), set(), set(), set()
    road_ends, known_ends, known_starts = [], {}, {}
    info = gazetteer.street_info
    for begin, end, key in spans:
        found = info.get(key) or gazetteer.read_street_info(key)
        known_ends[end], known_starts[end] = found, begin
        if found.road:
            roads.add(found.name)
            road_ends.append((end, found.name))
            continue
        if found.district:
            districts.add(found.district)
        if found.area:
            areas.add(found.area)  # 城南路街道 is around 城南路
        named.update(found.named)
    masked_text = masked(text, spans, "，")
    last = 0
    for match in _SUFFIX.finditer(masked_text):
        start, suffix = match.start(), match.group()
        run, floor, last = start, last, match.end()  # a name does not run into the one before it
        while run > floor and start - run < 4:
            ch = masked_text[run - 1]  # a Chinese character, a digit or a Latin letter, not a _STOP
            if (
                ch in _TIME_ENDS
                and run - 1 > floor
                and (masked_text[run - 2].isdigit() or masked_text[run - 2] in _TIME_ENDS)
            ):
                break  # 11时许沙龙村: the time said before it is no part of the name
            if ch in _STOP and not (run == start and ch in _NAME_ENDS.get(suffix in ROAD_SUFFIXES, "")):
                if suffix == "村" and _village_start(masked_text, run, start, floor):
                    run -= 1  # 张坊镇上洪村: 上 begins the village's name
                break  # (里 ends a community's name: 桐荫里社区; 东 a road's: 开元东路, 一环西路)
            if not ("\u4e00" <= ch <= "\u9fff" or ch.isascii() and ch.isalnum()):
                break
            run -= 1
        core = masked_text[run:start]
        if run in known_starts and (start - run == 1 or start == run and suffix in FIRM_SUFFIXES):
            core = text[known_starts[run] : start]  # a known name begins it: 火星村小区, 高桥小学
        if suffix in FIRM_SUFFIXES:
            kind = FIRM_KINDS.get(suffix, suffix)
            firm = _without_sort(core.lstrip("家所座"), kind)  # 一家湘菜馆, 这所小学, 某寄宿制中学
            if _goes_on(masked_text, match.end(), suffix) or core.endswith(_MOTION + _DONE_TO):
                continue  # 村道, 村民; 进村的公路: where the way goes; 已封存食堂: what was done to it
            if (
                len(firm) >= 2
                and not firm.endswith(_GENERIC_FIRMS)
                and not (suffix == "村" and firm.endswith(("农", "乡", "某")))
            ):
                firms.add((firm, kind))
            elif len(firm) < 2 and kind in VENUE_KINDS:
                venues.add(kind)  # no name (一酒店); 工地食堂 and 学校食堂 say whose, and differ
            continue
        if suffix in NAMED_KINDS and core.endswith(_GENERIC_SPOTS) and start not in known_ends:
            continue
        if core.endswith(_MOTION):
            continue  # 车开进小区: where something went, no name
        if start - run < 2:
            if suffix in SPOT_SUFFIXES and start in known_ends:
                named.add(_core(known_ends[start].name))  # 湘府路下穿通道, 湘江大堤
            elif suffix in SPOT_SUFFIXES and len(core) > 2:
                named.add(core)
            continue
        name = masked_text[run:start] + suffix
        if name.endswith(_NOT_NAMES) or masked_text.startswith(_ROAD_GOES_ON, match.end()):
            continue
        if suffix in ROAD_SUFFIXES:
            roads.add(name)
            road_ends.append((match.end(), name))
        else:
            named.add(masked_text[run:start])
    if "站" in text:  # a metro station: 地铁2号线溁湾镇站, 溁湾镇地铁站
        firms.update((a or b, "地铁站") for a, b in _STATION.findall(text))
    headings = set()
    for end, road in road_ends:
        way = _HEADING_WAY.match(text, end) or _BARE_WAY.match(text, end)
        if way:
            headings.add((road, next(g for g in way.groups() if g)))
        mark = _KM_MARK.match(text, end)
        if mark:
            sections.add((road, f"k{int(mark.group(1))}"))
            continue
        found = _SECTION.match(text, end)
        if found:
            part = road_stem(found.group(1))
            sections.add((road, part))
            for other in roads:  # X路与Y路交叉口 is also Y路's junction with X路
                if other != road and road_stem(other) == part:
                    sections.add((other, road_stem(road)))
    return Streets(
        frozenset(roads),
        frozenset(named),
        frozenset(sections),
        frozenset(districts),
        frozenset(areas),
        frozenset(firms),
        frozenset(venues),
        frozenset(headings),
    )


@functools.lru_cache(maxsize=1024)
def street_keys(streets):
    """The names another text must contain to share a street with these (of a named spot
    or an establishment, the last two characters: same_name; of a junction, the first two of
    the road it crosses: same_section)."""
    venues = streets.venues | {k for _f, k in streets.firms if k in VENUE_KINDS}
    return tuple(
        streets.roads
        | streets.areas
        | {part[:2] for _road, part in streets.sections if len(part) > 1 and _km(part) is None}
        | {n[-2:] for n in streets.named}
        | {f[-2:] for f, _k in streets.firms}
        | {suffix for kind in venues for suffix in _VENUE_SUFFIXES[kind]}
    )


def same_name(a, b):
    """A named spot or establishment both name (鸿福 of 鸿福酒楼 and of 东山鸿福酒楼), or None:
    one name ends the other, the words before it being the caller's (造成白鹤小区停气)."""
    for x in a:
        for y in b:
            if x.endswith(y) or y.endswith(x):
                return min(x, y, key=len)
    return None


def same_firm(a, b):
    """(an establishment both name, or None; whether each names another of one kind:
    向阳幼儿园 and 春苗幼儿园 are two kindergartens)."""
    name = same_name({f for f, _k in a}, {f for f, _k in b})
    return name, name is None and not {k for _f, k in a}.isdisjoint(k for _f, k in b)


def same_venue(a, b):
    """A kind of venue one text names without its name and the other names, with or
    without its name (一酒店 and 鸿福酒楼, 一家KTV and 星光KTV), or None."""
    if not a.venues and not b.venues:
        return None
    kinds_a = a.venues | {k for _f, k in a.firms}
    kinds_b = b.venues | {k for _f, k in b.firms}
    both = (a.venues & kinds_b) | (b.venues & kinds_a)
    return min(both) if both else None


def same_section(here, there):
    """One road's sections alike: 人民 and 人民东 (人民路口, 与人民东路交叉口) are one junction;
    K46 and K47 one stretch of an expressway. A junction of a road's part is the road's
    (韶山路跟湘府路口 and 韶山南路与湘府中路交叉口)."""
    return any(
        (r1 == r2 or (_km(p1) is None and _km(p2) is None and _alike(road_stem(r1), road_stem(r2)))) and _alike(p1, p2)
        for r1, p1 in here
        for r2, p2 in there
    )


def _alike(p1, p2):
    k1, k2 = _km(p1), _km(p2)
    if k1 is not None or k2 is not None:
        return k1 is not None and k2 is not None and abs(k1 - k2) <= KM_NEAR
    return p1.startswith(p2) or p2.startswith(p1)


def _km(part):
    return int(part[1:]) if part[:1] == "k" and part[1:].isdigit() else None


def two_ways(a, b, roads, gazetteer):
    """Whether the two name two carriageways of one of these roads: where each says its
    side leads lies on the other side of the road's point (长张高速往长沙方向 and 往张家界方向;
    not 往益阳方向 and 往张家界方向, one way west). A heading neither the gazetteer nor
    FAR_PLACES can place says nothing."""
    for road in roads:
        row = gazetteer.by_name.get(road)
        if row is None:
            continue
        here = [_bearing(row, gazetteer, w) for r, w in a.headings if r == road]
        there = [_bearing(row, gazetteer, w) for r, w in b.headings if r == road]
        here, there = [v for v in here if v], [v for v in there if v]
        if here and there and all(x[0] * y[0] + x[1] * y[1] < 0 for x in here for y in there):
            return True
    return False


@functools.lru_cache(maxsize=512)
def _bearing(row, gazetteer, heading):
    """(north, east) km from the road's point toward where a heading says it leads, or None:
    once per road and heading (score() asks for every candidate pair)."""
    if heading in COMPASS:
        return COMPASS[heading]
    point = next((p for name, p in FAR_PLACES.items() if heading.startswith(name)), None)
    if point is None:
        found = gazetteer.locate(heading)
        point = found[1:3] if found else None
    if point is None or rough_km(row[1:3], point) < HEADING_MIN_KM:
        return None
    north = (point[0] - row[1]) * 111.0
    east = (point[1] - row[2]) * 111.0 * math.cos(math.radians(row[1]))
    return north, east


def pinned(sections, roads):
    """Sections that pin a point on the road: a junction with another road the text
    names (与湘府路交叉口, 人民路口) or a side of it (北段); not a town's stretch (洞井段)."""
    stems = {road_stem(r) for r in roads}
    return {s for s in sections if len(s[1]) == 1 or s[1] in stems or _km(s[1]) is not None}


# A township's, 街道's, village's or community's own duty room or committee (沙田村委会,
# 靖港镇值班室, 桐荫里社区居委会): the place its caller is at when the words name none.
_UNIT = re.compile(
    r"([\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|村|社区))"
    r"(?:人民政府|政府|办事处|值班室|村民委员会|居民委员会|村委会|居委会|委会|党支部|党总支|卫生院)$"
)


def unit_place(unit, gazetteer):
    """(gazetteer names, the name when the gazetteer does not know it) of the place a
    reporting unit is at: 靖港镇值班室 gives ({靖港镇}, ""), 沙田村委会 ((), "沙田村");
    ((), "") for any other unit (a department, a hotline, a company)."""
    found = _UNIT.fullmatch((unit or "").strip())
    if not found:
        return frozenset(), ""
    name = found.group(1)
    known = frozenset(gazetteer.aliases[k] for k in gazetteer.trie.words(name))
    return (known, "") if known else (frozenset(), _core(name))


def road_stem(name):
    for suffix in ROAD_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _core(name):
    for suffix in SPOT_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name
