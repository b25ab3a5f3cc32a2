"""Explainable plan matching: which issued plans fit an incident, at which level, and why.

Semantics (CONTRACT.md): a level's criteria are all optional and all must
hold; a level with no criteria always holds. A plan fits when at least one
of its levels holds; the recommended level is the highest one that holds
(I is the highest). General plans are candidates for every incident;
specific and department plans when the incident's category (and subtype,
if the plan lists subtypes) is in their scope.

Never absurd: plans are ranked in tiers before score. With a subtype (reported,
confirmed, or inferred from the words with confidence), the plans for that
subtype and for its whole category come first; plans for other subtypes are not
candidates at all. With no subtype, the general plan leads and the category's
subtype plans follow as "possible" (可能适用; those of a less confident
suggestion from the words first), and no plan is preferred (首选). A plan is
preferred only when it leads alone: equal scores are ties, shown as ties.

Speed: the issued plans are compiled once per process into an index keyed
by the registry token (RegistryState, changed on every plan or subtype
write), so a match costs reading that token (itself kept for
DUTYOPS_CACHE_SECONDS, see dutyops.cache) plus evaluating the few candidate
plans of the incident's category/subtype in Python. Reasons are only built
for plans that fit.
"""

import threading
from dataclasses import dataclass, field

from dutyops.cache import Recent
from incidents import geo
from incidents.models import Subtype

from .models import LEVELS, Plan, RegistryState

LEVEL_CN = {"I": "一级", "II": "二级", "III": "三级", "IV": "四级"}
KIND_SCORE = {"specific": 30, "department": 20, "general": 10}
LEVEL_SCORE = {"I": 20, "II": 15, "III": 10, "IV": 5}


# --- compiled plans -------------------------------------------------------------


@dataclass(slots=True)
class Criteria:
    grades: frozenset | None = None
    min_deaths: int | None = None
    min_injuries: int | None = None
    min_missing: int | None = None
    keywords: tuple | None = None  # lower-cased
    keywords_raw: tuple | None = None
    area: tuple | None = None  # (km, lat, lon)
    count: int = 0

    @classmethod
    def compile(cls, raw):
        c = cls()
        if raw.get("grades"):
            c.grades = frozenset(raw["grades"])
        for key in ("min_deaths", "min_injuries", "min_missing"):
            if raw.get(key) is not None:
                setattr(c, key, int(raw[key]))
        if raw.get("keywords_any"):
            c.keywords_raw = tuple(raw["keywords_any"])
            c.keywords = tuple(k.lower() for k in c.keywords_raw)
        if raw.get("within_km") is not None:
            c.area = (float(raw["within_km"]), float(raw["center_lat"]), float(raw["center_lon"]))
        c.count = sum(
            x is not None for x in (c.grades, c.min_deaths, c.min_injuries, c.min_missing, c.keywords, c.area)
        )
        return c


@dataclass(slots=True)
class CompiledPlan:
    id: int
    code: str
    title: str
    kind: str
    category: str
    subtypes: frozenset
    keywords: tuple
    version: int
    levels: tuple  # ((name, Criteria), ...) highest level first


@dataclass
class Index:
    token: str | None
    general: list = field(default_factory=list)
    uncategorised: list = field(default_factory=list)  # non-general plans without a category: always candidates
    by_category: dict = field(default_factory=dict)  # plans of a category with no subtype list
    by_subtype: dict = field(default_factory=dict)  # (category, subtype) -> plans
    all_of_category: dict = field(default_factory=dict)
    subtype_names: dict = field(default_factory=dict)  # code -> Chinese name, for reasons
    size: int = 0

    def add(self, plan):
        self.size += 1
        if plan.kind == "general":
            self.general.append(plan)
        elif not plan.category:
            self.uncategorised.append(plan)
        else:
            self.all_of_category.setdefault(plan.category, []).append(plan)
            if plan.subtypes:
                for sub in plan.subtypes:
                    self.by_subtype.setdefault((plan.category, sub), []).append(plan)
            else:
                self.by_category.setdefault(plan.category, []).append(plan)

    def candidates(self, category, subtype):
        """(plan, scope) pairs; scope says why the plan is in play."""
        out = [(p, "general") for p in self.general]
        out.extend((p, "uncategorised") for p in self.uncategorised)
        if not category:
            return out
        if subtype:
            out.extend((p, "subtype") for p in self.by_subtype.get((category, subtype), ()))
            out.extend((p, "category") for p in self.by_category.get(category, ()))
        else:
            out.extend(
                (p, "subtype_unknown" if p.subtypes else "category") for p in self.all_of_category.get(category, ())
            )
        return out


def compile_plan(row):
    levels = sorted(row["levels"] or [], key=lambda lv: LEVELS.index(lv["level"]))
    return CompiledPlan(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        kind=row["kind"],
        category=row["category"] or "",
        subtypes=frozenset(row["subtypes"] or ()),
        keywords=tuple(k for k in (row["keywords"] or ()) if k),
        version=row["version"],
        levels=tuple((lv["level"], Criteria.compile(lv.get("criteria") or {})) for lv in levels),
    )


def build_index(token=None):
    index = Index(token)
    fields = ("id", "code", "title", "kind", "category", "subtypes", "keywords", "version", "levels")
    for row in Plan.objects.filter(status=Plan.Status.ISSUED).values(*fields).iterator(chunk_size=2000):
        index.add(compile_plan(row))
    index.subtype_names = dict(Subtype.objects.values_list("code", "name"))
    return index


_lock = threading.Lock()
_cached: dict = {"index": None}


# Read before every match; bump_registry() clears it, other processes follow
# within DUTYOPS_CACHE_SECONDS.
registry_token = Recent(lambda _: RegistryState.objects.filter(pk=1).values_list("token", flat=True).first())


def current_index():
    """The compiled issued plans, rebuilt only when the registry token changed."""
    token = registry_token.get(None)
    cached = _cached["index"]
    if token is not None and cached is not None and cached.token == token:
        return cached
    index = build_index(token)
    if token is not None:
        with _lock:
            _cached["index"] = index
    return index


def forget_cache():
    _cached["index"] = None
    registry_token.clear()


# --- incident facts ----------------------------------------------------------------


@dataclass(slots=True)
class Facts:
    category: str
    subtype: str
    grade: str | None
    deaths: int | None
    injuries: int | None
    missing: int | None
    text: str  # lower-cased title + description + location
    lat: float | None
    lon: float | None
    subtype_source: str = ""  # reported / confirmed / inferred ("" = as reported)
    suggestion: dict = field(default_factory=dict)  # what the words suggest (Incident.subtype_suggestion)
    _distances: dict = field(default_factory=dict)
    subtype_names: dict = field(default_factory=dict)
    keys: list = field(default_factory=list)  # rank(): [(ranking key, match)], best first

    @classmethod
    def of(cls, incident):
        subtype = getattr(incident, "subtype", "") or ""
        subtype = getattr(subtype, "code", subtype)
        text = " ".join(str(getattr(incident, f, "") or "") for f in ("title", "description", "location_text")).lower()
        return cls(
            category=getattr(incident, "category", "") or "",
            subtype_source=getattr(incident, "subtype_source", "") or "",
            suggestion=getattr(incident, "subtype_suggestion", None) or {},
            subtype=subtype,
            grade=getattr(incident, "grade", None) or None,
            deaths=getattr(incident, "deaths", None),
            injuries=getattr(incident, "injuries", None),
            missing=getattr(incident, "missing", None),
            text=text,
            lat=getattr(incident, "latitude", None),
            lon=getattr(incident, "longitude", None),
        )

    def distance_km(self, lat, lon):
        """Geodesic (WGS-84) distance, cached per centre for this incident."""
        key = (lat, lon)
        if key not in self._distances:
            self._distances[key] = geo.distance_km((self.lat, self.lon), key)
        return self._distances[key]

    def display_km(self, lat, lon):
        """For reasons: the exact geodesic if it was needed for the decision,
        else the haversine (within 0.5 %, shown to 0.1 km)."""
        return self._distances.get((lat, lon)) or geo.rough_km((self.lat, self.lon), (lat, lon))

    def within(self, km, lat, lon):
        """distance_km(...) <= km, deciding by the ~1 us haversine when it is
        clearly in or out (it is within 0.5 % of the geodesic) and by the
        exact geodesic only near the boundary."""
        rough = geo.rough_km((self.lat, self.lon), (lat, lon))
        margin = 0.006 * km + 0.01
        if rough < km - margin:
            return True
        if rough > km + margin:
            return False
        return self.distance_km(lat, lon) <= km


# --- evaluation ---------------------------------------------------------------------


def holds(c, f):
    """Fast path: do all criteria hold? (no reasons)"""
    if c.grades is not None and f.grade not in c.grades:
        return False
    if c.min_deaths is not None and (f.deaths or 0) < c.min_deaths:
        return False
    if c.min_injuries is not None and (f.injuries or 0) < c.min_injuries:
        return False
    if c.min_missing is not None and (f.missing or 0) < c.min_missing:
        return False
    if c.keywords is not None and not any(k in f.text for k in c.keywords):
        return False
    if c.area is not None:
        if f.lat is None or f.lon is None:
            return False
        km, lat, lon = c.area
        if not f.within(km, lat, lon):
            return False
    return True


def explain(c, f):
    """[criterion] for every criterion of a level: data (a code, its values and whether
    it held), rendered to text when read (plans.reasons)."""
    out = []
    if c.grades is not None:
        want = [g for g in LEVELS if g in c.grades]
        out.append({"code": "grade", "held": f.grade in c.grades, "grade": f.grade, "want": want})
    for key in ("min_deaths", "min_injuries", "min_missing"):
        need = getattr(c, key)
        if need is None:
            continue
        have = getattr(f, key[4:])
        held = need <= 0 if have is None else have >= need
        out.append({"code": key[4:], "held": held, "have": have, "need": need})
    if c.keywords is not None:
        hits = [raw for raw, k in zip(c.keywords_raw, c.keywords, strict=True) if k in f.text]
        out.append({"code": "keywords", "held": bool(hits), "hits": hits, "any": list(c.keywords_raw)})
    if c.area is not None:
        km, lat, lon = c.area
        if f.lat is None or f.lon is None:
            out.append({"code": "area", "held": False, "km": km, "distance": None})
        else:
            ok = f.within(km, lat, lon)
            out.append({"code": "area", "held": ok, "km": km, "distance": f.display_km(lat, lon)})
    return out


def _words(f):
    return list((f.suggestion.get("words") or [])[:3])


def _scope_reason(plan, scope, f, names):
    """Why the plan is in play for this incident (data; plans.reasons renders it)."""
    if scope == "general":
        return {"code": "general", "subtype_pending": bool(not f.subtype and f.category)}
    if scope == "uncategorised":
        return {"code": "uncategorised"}
    if scope == "subtype":
        reason = {"code": "subtype", "category": f.category, "subtype": f.subtype}
        reason["subtype_name"] = names.get(f.subtype, f.subtype)
        if f.subtype_source == "inferred":
            reason.update(inferred=True, words=_words(f))
        return reason
    if scope == "subtype_unknown":
        subs = sorted(plan.subtypes)
        reason = {"code": "subtype_unknown", "category": f.category, "plan_subtypes": [names.get(s, s) for s in subs]}
        code = f.suggestion.get("code")
        if code and code in plan.subtypes:
            reason["suggested"] = {
                "subtype": code,
                "subtype_name": names.get(code, code),
                "words": _words(f),
                "confidence": f.suggestion.get("confidence") or 0,
            }
        return reason
    return {"code": "category", "category": f.category}


SCOPE_SCORE = {"subtype": 25, "category": 15, "subtype_unknown": 10, "uncategorised": 5, "general": 5}


def _match_one(plan, scope, f):
    """The plan's match for these facts, or None if no level holds."""
    for i, (name, crit) in enumerate(plan.levels):
        if not holds(crit, f):
            continue
        keyword_hits = [k for k in plan.keywords if k.lower() in f.text]
        score = KIND_SCORE.get(plan.kind, 10) + SCOPE_SCORE[scope] + LEVEL_SCORE[name]
        score += min(2 * crit.count, 10) + min(5 * len(keyword_hits), 15)
        return plan, scope, i, name, crit, keyword_hits, min(score, 100)
    return None


def _reasons(plan, scope, i, name, crit, keyword_hits, f, names):
    """[reason]: why the plan fits and at which level, as data (a code and its values);
    plans.reasons renders them in the reader's language when read."""
    reasons = [_scope_reason(plan, scope, f, names)]
    reasons.append({"code": "level_held", "level": name, "criteria": explain(crit, f)})
    for higher, hcrit in plan.levels[:i]:
        failed = [c for c in explain(hcrit, f) if not c["held"]]
        reasons.append({"code": "level_missed", "level": higher, "criteria": failed})
    if keyword_hits:
        reasons.append({"code": "plan_keywords", "keywords": keyword_hits})
    return reasons


def match(incident, *, index=None, limit=None):
    """Ranked [{"plan", "code", "title", "kind", "version", "level", "score", "reason_codes", ...}];
    [] when none fits. The reasons are data; plans.reasons.with_texts() adds their text.
    `limit` keeps the best N (ranking is over every candidate; reasons are
    built only for those returned)."""
    return match_with_total(incident, index=index, limit=limit)[0]


# Tiers, before score. Subtype known: its plans and its category's, then the rest.
# Subtype unknown: the general plan, then plans for the whole category or none, then
# the category's subtype plans as possible ones (of the words' unconfident suggestion first).
KNOWN_TIER = {"subtype": 0, "category": 0, "uncategorised": 1, "general": 1}
UNKNOWN_TIER = {"general": 0, "category": 1, "uncategorised": 1, "subtype_unknown": 2}
LEVEL_INDEX = {name: n for n, name in enumerate(LEVELS)}


def rank(incident, *, index=None):
    """Every fitting plan, best first, without reasons: [(plan, scope, i, level, criteria, keyword hits, score)].
    The facts keep each one's ranking key for roles()."""
    index = index or current_index()
    f = incident if isinstance(incident, Facts) else Facts.of(incident)
    known = bool(f.subtype or not f.category)
    tiers = KNOWN_TIER if known else UNKNOWN_TIER
    suggested = f.suggestion.get("code")
    decorated = []
    for plan, scope in index.candidates(f.category, f.subtype):
        m = _match_one(plan, scope, f)
        if m is not None:
            later = 1 if not known and scope == "subtype_unknown" and suggested not in plan.subtypes else 0
            decorated.append(((tiers.get(scope, 1), later, -m[6], LEVEL_INDEX[m[3]], plan.code), m))
    decorated.sort(key=lambda d: d[0])
    f.subtype_names = index.subtype_names
    f.keys = decorated
    return [m for _key, m in decorated], f


def roles(found, f, limit=None):
    """[(role, shared rank)] for the first `limit` ranked matches. role: preferred (首选:
    leads alone, the subtype known), tied (level with another in its tier: same tier
    and score), possible (可能适用: the subtype unknown), applies. Equal keys are
    adjacent, so each looks at its neighbours only."""
    keys = [d[0][:3] for d in f.keys[: (limit or len(found)) + 1]]
    lead = bool(f.subtype or not f.category)
    out, first = [], 1
    for n, m in enumerate(found[: limit or len(found)]):
        key = keys[n]
        if n == 0 or keys[n - 1] != key:
            first = n + 1
        tied = (n > 0 and keys[n - 1] == key) or (n + 1 < len(keys) and keys[n + 1] == key)
        if m[1] == "subtype_unknown":
            role = "possible"
        elif tied:
            role = "tied"
        elif n == 0 and lead:
            role = "preferred"
        else:
            role = "applies"
        out.append((role, first))
    return out


def explained(m, f, role="applies", position=1):
    plan, scope, i, name, crit, hits, score = m
    return {
        "plan": plan.id,
        "code": plan.code,
        "title": plan.title,
        "kind": plan.kind,
        "version": plan.version,
        "level": name,
        "score": score,
        "rank": position,
        "role": role,
        "preferred": role == "preferred",
        "tie": role == "tied",
        "possible": role == "possible",
        "reason_codes": _reasons(plan, scope, i, name, crit, hits, f, f.subtype_names),
    }


def match_with_total(incident, *, index=None, limit=None):
    """(ranked matches, how many plans fit in all)."""
    found, f = rank(incident, index=index)
    shown = found if limit is None else found[:limit]
    marks = roles(found, f, limit)
    return [explained(m, f, *mark) for m, mark in zip(shown, marks, strict=True)], len(found)
