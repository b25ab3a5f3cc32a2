"""How well the words are understood, on the labelled evaluation set in tests/data/.

The set is events, each told by several reports. intake_eval_dev*.yaml: the parts the
lexicon and the duplicate weights were written from (dev2 and dev3 were held-out
parts, each measured once on a version and development data since);
intake_eval_heldout.yaml and intake_eval_heldout2.yaml (written and committed before
the fourth version of the duplicate scorer), intake_eval_heldout3.yaml (before the
fifth), intake_eval_heldout4.yaml (written blind to the sixth) and
intake_eval_heldout5.yaml (written blind to the seventh): kept out of their making,
each measured once and development data for the versions after it (heldout5's misses
were read for the eighth); intake_eval_heldout6.yaml, written blind to the eighth (its
misses were read for the ninth), intake_eval_heldout7.yaml, written blind to the ninth
(its misses were read for the tenth), intake_eval_heldout8.yaml, written blind to the
tenth (its misses were read for the eleventh), intake_eval_heldout9.yaml, written
blind to the eleventh (its misses were read for the twelfth),
intake_eval_heldout10.yaml, written blind to the twelfth (its misses were read for the
thirteenth), intake_eval_heldout11.yaml, written blind to the thirteenth (its misses
were read for the fourteenth), intake_eval_heldout12.yaml, written blind to the
fourteenth, intake_eval_heldout13.yaml, written blind to the fifteenth,
intake_eval_heldout14.yaml, written blind to the sixteenth; intake_eval_heldout15.yaml and
intake_eval_heldout16.yaml, written blind to the seventeenth; and heldout17 to heldout47,
each written blind to the eighteenth to forty-sixth versions in turn, while the next was
built from the part before's misses; from heldout40 on, two at once (heldout40 and heldout41
before the fortieth, heldout42 and heldout43 after the forty-second, heldout44 and heldout45
after the forty-third, heldout46 and heldout47 after the forty-fifth).
tests/data/README.md says who read what.
Two reports of one event are duplicates; of two events, not. Day N of a part is
2025-12-31 + N (BASE), the calendar its writers count by (heldout9: day 380 = 1月15日).

- Subtype: top-1 accuracy of the inference over every report, given the report's
  category (as the officer picks it on the console), and without it.
- Duplicates: every report is registered in time order as a new incident would be,
  and compared with the earlier ones the intake's SQL prefilter would return (same
  category and drill flag, within the time window, inside the box around the point);
  the finder flags its top five at or above the threshold. Precision and recall are
  over the labelled pairs (report_pairs.csv: every pair of one event, and every pair
  of two events of one category within 36 hours).

Pure Python on the data files (the lexicon file, the gazetteer CSV): no database.
"""

import csv
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from . import duplicates, geo, lexicon
from .seed import PLACES_FILES, SUBTYPES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SPLITS = {
    "dev": DATA / "intake_eval_dev.yaml",
    "dev2": DATA / "intake_eval_dev2.yaml",
    "dev3": DATA / "intake_eval_dev3.yaml",
    "dev4": DATA / "intake_eval_dev4.yaml",
    "heldout": DATA / "intake_eval_heldout.yaml",
    "heldout2": DATA / "intake_eval_heldout2.yaml",
    "heldout3": DATA / "intake_eval_heldout3.yaml",
    "heldout4": DATA / "intake_eval_heldout4.yaml",
    "heldout5": DATA / "intake_eval_heldout5.yaml",
    "heldout6": DATA / "intake_eval_heldout6.yaml",
    "heldout7": DATA / "intake_eval_heldout7.yaml",
    "heldout8": DATA / "intake_eval_heldout8.yaml",
    "heldout9": DATA / "intake_eval_heldout9.yaml",
    "heldout10": DATA / "intake_eval_heldout10.yaml",
    "heldout11": DATA / "intake_eval_heldout11.yaml",
    "heldout12": DATA / "intake_eval_heldout12.yaml",
    "heldout13": DATA / "intake_eval_heldout13.yaml",
    "heldout14": DATA / "intake_eval_heldout14.yaml",
    "heldout15": DATA / "intake_eval_heldout15.yaml",
    "heldout16": DATA / "intake_eval_heldout16.yaml",
    "heldout17": DATA / "intake_eval_heldout17.yaml",
    "heldout18": DATA / "intake_eval_heldout18.yaml",
    "heldout19": DATA / "intake_eval_heldout19.yaml",
    "heldout20": DATA / "intake_eval_heldout20.yaml",
    "heldout21": DATA / "intake_eval_heldout21.yaml",
    "heldout22": DATA / "intake_eval_heldout22.yaml",
    "heldout23": DATA / "intake_eval_heldout23.yaml",
    "heldout24": DATA / "intake_eval_heldout24.yaml",
    "heldout25": DATA / "intake_eval_heldout25.yaml",
    "heldout26": DATA / "intake_eval_heldout26.yaml",
    "heldout27": DATA / "intake_eval_heldout27.yaml",
    "heldout28": DATA / "intake_eval_heldout28.yaml",
    "heldout29": DATA / "intake_eval_heldout29.yaml",
    "heldout30": DATA / "intake_eval_heldout30.yaml",
    "heldout31": DATA / "intake_eval_heldout31.yaml",
    "heldout32": DATA / "intake_eval_heldout32.yaml",
    "heldout33": DATA / "intake_eval_heldout33.yaml",
    "heldout34": DATA / "intake_eval_heldout34.yaml",
    "heldout35": DATA / "intake_eval_heldout35.yaml",
    "heldout36": DATA / "intake_eval_heldout36.yaml",
    "heldout37": DATA / "intake_eval_heldout37.yaml",
    "heldout38": DATA / "intake_eval_heldout38.yaml",
    "heldout39": DATA / "intake_eval_heldout39.yaml",
    "heldout40": DATA / "intake_eval_heldout40.yaml",
    "heldout41": DATA / "intake_eval_heldout41.yaml",
    "heldout42": DATA / "intake_eval_heldout42.yaml",
    "heldout43": DATA / "intake_eval_heldout43.yaml",
    "heldout44": DATA / "intake_eval_heldout44.yaml",
    "heldout45": DATA / "intake_eval_heldout45.yaml",
    "heldout46": DATA / "intake_eval_heldout46.yaml",
    "heldout47": DATA / "intake_eval_heldout47.yaml",
}
PAIRS = DATA / "report_pairs.csv"
BASE = datetime(2025, 12, 31, tzinfo=UTC)  # day 380 = 1月15日, as heldout7-9's written reports count
WINDOW_HOURS = 24
PAIR_HOURS = 36
CATEGORIES = {code: category for code, _name, category in SUBTYPES}
NAMES = {code: name for code, name, _category in SUBTYPES}


@dataclass
class Item:
    id: str
    event: str
    split: str
    category: str
    truth: str
    drill: bool
    at: datetime
    unit: str
    phone: str
    place: str
    ll: tuple | None
    title: str
    text: str
    given: str
    raw: dict


def load(splits=tuple(SPLITS)):
    items = []
    for split in splits:
        with open(SPLITS[split], encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for event in doc["events"]:
            for n, r in enumerate(event["reports"]):
                hh, mm = map(int, str(r["at"]).split(":"))
                day = r.get("day", event["day"])
                items.append(
                    Item(
                        id=f"{event['id']}{chr(ord('a') + n)}",
                        event=event["id"],
                        split=split,
                        category=event["category"],
                        truth=event["subtype"],
                        drill=bool(r.get("drill", event.get("drill", False))),
                        at=BASE + timedelta(days=day, hours=hh, minutes=mm),
                        unit=str(r.get("unit", "")),
                        phone=str(r.get("phone", "")),
                        place=str(r.get("place", "")),
                        ll=tuple(r["ll"]) if r.get("ll") else None,
                        title=str(r.get("title", "")),
                        text=str(r.get("text", "")),
                        given=str(r.get("subtype", "")),
                        raw=r,
                    )
                )
    items.sort(key=lambda i: (i.at, i.id))
    return items


def tools():
    gazetteer = geo.gazetteer_from_csv(*PLACES_FILES)
    reader = lexicon.Lexicon(lexicon.entries_from_file(), CATEGORIES, gazetteer.names())
    return gazetteer, reader, duplicates.Kinds(*lexicon.kinds_of_events())


def report_text(item):
    return f"{item.title} {item.place} {item.text}"


# --- subtype ------------------------------------------------------------------------------


def subtype_accuracy(items, reader, with_category=True):
    """(right, total, [(item, inference)] of the wrong ones)."""
    wrong, right = [], 0
    for item in items:
        inference = reader.infer(report_text(item), item.category if with_category else None, title=item.title)
        if inference.code == item.truth:
            right += 1
        else:
            wrong.append((item, inference))
    return right, len(items), wrong


# --- duplicates ---------------------------------------------------------------------------


def sightings(items, gazetteer, reader):
    """{item id: Sighting as the incident the report would open}."""
    out = {}
    for item in items:
        inference = reader.infer(report_text(item), item.category, title=item.title)
        known = item.given or (inference.code if inference.confident else "")
        lat, lon = item.ll if item.ll else (geo_point(gazetteer, item.place) or (None, None))
        out[item.id] = duplicates.sighting(
            category=item.category,
            at=item.at,
            text=f"{item.title} {item.text}",
            location_text=item.place,
            subtype=known,
            guess=inference.code,
            lat=lat,
            lon=lon,
            gazetteer=gazetteer,
            reader=reader,
            is_drill=item.drill,
            unit=item.unit,
            title=item.title,
        )
    return out


def geo_point(gazetteer, place):
    row = gazetteer.locate(place) if place else None
    return (row[1], row[2]) if row else None


def prefiltered(new, old, km, kinds=duplicates.NO_KINDS, gazetteer=None):
    """Would the intake's SQL return `old` for `new`?"""
    if new.category != old.category or new.is_drill != old.is_drill:
        return False
    apart = abs((new.at - old.at).total_seconds())
    if new.stated and new.stated < new.at:  # the window reaches back from the time its words give
        apart = min(apart, abs((new.stated - old.at).total_seconds()))
    # a continuation (续报) looks at anything earlier in its window, as the intake's start does
    continued = new.continues and old.at <= new.at and apart <= WINDOW_HOURS * 3600 * duplicates.CONTINUES_WINDOW
    if not continued and apart > WINDOW_HOURS * 3600 * duplicates.slow_window(new):
        return False
    if (
        not continued
        and apart > WINDOW_HOURS * 3600
        and not (old.at < new.at and duplicates.may_be_slow(new, old.subtype, old.guess, kinds))
    ):
        return False
    if not (new.located and old.located):
        return True
    if old.area == "district":
        return True  # every district's point is among the candidates
    if gazetteer is not None and (old.lat, old.lon) in duplicates.named_town_points(new, gazetteer):
        return True  # so are the points of the towns and villages the new report names
    if gazetteer is not None and any(key in old.location for key in duplicates.named_place_keys(new.places, gazetteer)):
        return True  # and those whose location as written names a town, road or mountain it names (LIKE: any way of writing it)
    if new.villages and new.villages & old.written:
        return True  # and those whose location as written names a village it names that the gazetteer does not know
    if new.area == "district":
        km = max(km, duplicates.DISTRICT_KM)
        if gazetteer is not None and duplicates.in_box(
            (old.lat, old.lon), duplicates.district_box(gazetteer, new.area_name)
        ):
            return True  # a county's report: anywhere in the county (the intake's box is the county's)
    km = max(km, new.reach)
    if old.reach and geo.rough_km((new.lat, new.lon), (old.lat, old.lon)) <= old.reach:
        return True  # the towns' points it is within the reach of are among the candidates
    if "broad" in (new.spot_class, old.spot_class):
        km = max(km, duplicates.BROAD_KM)
    kind = duplicates.kind_of(new)
    if kind in kinds.wide_area and old.subtype == kind:
        km = max(km, duplicates.WIDE_AREA_KM)
    south, north, west, east = geo.bounding_box(new.lat, new.lon, km)
    return south <= old.lat <= north and west <= old.lon <= east


def flagged(items, gazetteer, reader, kinds, km):
    """{(earlier id, later id): (score, reasons)} for every pair the finder flags."""
    seen = sightings(items, gazetteer, reader)
    out = {}
    by_id = {i.id: i for i in items}
    for n, item in enumerate(items):
        new = seen[item.id]
        candidates = []
        for earlier in items[:n]:
            old = seen[earlier.id]
            if not prefiltered(new, old, km, kinds, gazetteer):
                continue
            old.id = earlier.id
            old.same_phone = duplicates.same_caller(item.phone, earlier.phone)
            candidates.append(old)
        for value, reasons, old in duplicates.ranked(new, candidates, gazetteer=gazetteer, kinds=kinds):
            out[(by_id[old.id].id, item.id)] = (value, reasons)
    return out


def labelled_pairs(items):
    """Every pair of one event, and every pair of two events of one category within
    PAIR_HOURS: [(earlier id, later id, same event, what kind of pair)]."""
    pairs = []
    for n, b in enumerate(items):
        for a in items[:n]:
            if a.split != b.split:
                continue
            same = a.event == b.event
            if not same and (a.category != b.category or (b.at - a.at) > timedelta(hours=PAIR_HOURS)):
                continue
            if same:
                what = "同一事件"
            elif a.drill != b.drill:
                what = "演练与真实事件"
            elif a.truth == b.truth:
                what = "同类不同事件"
            else:
                what = "同分类不同事件"
            pairs.append((a.id, b.id, same, what))
    return pairs


def write_pairs(items, path=PAIRS):
    by_id = {i.id: i for i in items}
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["split", "a", "b", "same_event", "pair", "a_title", "b_title"])
        for a, b, same, what in labelled_pairs(items):
            w.writerow([by_id[a].split, a, b, int(same), what, by_id[a].title, by_id[b].title])


def read_pairs(path=PAIRS):
    with open(path, newline="", encoding="utf-8") as f:
        return [(r["split"], r["a"], r["b"], r["same_event"] == "1", r["pair"]) for r in csv.DictReader(f)]


def duplicate_figures(pairs, found):
    """(precision, recall, true pos, false pos, false neg, [missed pairs], [false alarms])."""
    tp = fp = fn = 0
    missed, alarms = [], []
    for _split, a, b, same, what in pairs:
        hit = (a, b) in found
        if same and hit:
            tp += 1
        elif same:
            fn += 1
            missed.append((a, b, what))
        elif hit:
            fp += 1
            alarms.append((a, b, what))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn, missed, alarms
