"""Subtype from the words: the lexicon of each subtype's terms, synonyms, colloquial
phrases and cues, read longest-first, and the subtype it points to with the words
that decided it.

Reading: the text's known place names are masked first (火星街道 is a place, not a
fire), then a trie of every lexicon word (geo.Trie: the longest word at each
position, 森林火灾 before 火灾, 火车站 before 火) walks it once. A word right after a
negation (未见明火, 无积水), or before a negative test in its clause (流感查了是阴性),
counts for nothing. Each subtype scores the weights of its distinct words (a repeat
adds a quarter, twice at most). Confidence is the winner's share of all the evidence of the candidate
subtypes plus a prior for "none of them"; the suggestion is confident when that
share and the winner's own evidence are both high enough.

Pure: the caller supplies the entries (from the LexiconTerm table in production,
from incidents/data/lexicon.yaml in the evaluation) and the subtypes' categories.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .geo import Trie

DATA = Path(__file__).resolve().parent / "data" / "lexicon.yaml"

KINDS = ("term", "synonym", "colloquial", "cue")
DEFAULT_WEIGHTS = {"term": 3.0, "synonym": 2.0, "colloquial": 2.0, "cue": 0.7}

PRIOR = 1.0  # evidence for "none of these": one strong word gives 0.75
CONFIDENT_SHARE = 0.6
CONFIDENT_SCORE = 2.0
REPEAT_SHARE, REPEATS = 0.25, 2
MAX_WORDS = 5

# A negation just before a word cancels it; 不排除 (cannot rule out) does not.
_NEGATED = re.compile(r"(?:未|无|没有|没|不是|并非|排除)(?:发现|见到|见|出现|有|造成|再)?$")
_NOT_NEGATED = ("不排除",)
# A test that came back negative after a word, in the same clause, cancels it too
# (流感查了是阴性, 流感、新冠抗原检测均阴性): the disease it names was ruled out.
_RULED_OUT = re.compile(r"[^，。；！？,;!?]{0,10}?阴性")
MASK = "，"  # a place name becomes punctuation: no word runs across it

# A title announcing a weather warning, or the flood-control response to one (长沙市气象台发布
# 暴雨橙色预警信号, 气象干旱橙色预警, 市防指启动防汛Ⅳ级应急响应, 启动抗旱Ⅳ级应急响应), says
# what the report is: the weather's. Its words list the harms to guard against (山洪、地质
# 灾害和城市内涝, 转移低洼地带群众), not harm done, so they do not decide it. A report of
# the harm itself (沩水宁乡站超警戒水位…已启动防汛四级应急响应) says so in its title, and a
# response to a river over its warning level (鉴于湘江长沙站超警且持续上涨…提升至Ⅲ级) is
# that flood's: (kind, the title's words, the text's words that take it back).
_WEATHER = r"(?:暴雨|大风|雷电|雷雨大风|强对流|冰雹|高温|寒潮|低温|冰冻|道路结冰|暴雪|大雾|台风|干旱)"
WEATHER = re.compile(_WEATHER)
ANNOUNCED = (
    ("meteorological", re.compile(_WEATHER + r"[^，。；\s]{0,4}预警"), None),
    ("meteorological", re.compile(r"(?:防汛|抗旱)[^，。；\s]{0,8}响应"), re.compile(r"超警|超保证|洪峰")),
)


def announced(title, text=""):
    """(kind, the title's words) when the title announces a warning or a response of that
    kind (ANNOUNCED), else ("", ""). A warning's words begin with its weather (大风黄色预警)."""
    for code, announces, unless in ANNOUNCED if title else ():
        said = announces.search(title)
        if said and not (unless and unless.search(text)):
            return code, said.group(0)
    return "", ""


@dataclass(frozen=True, slots=True)
class Inference:
    """What the words say: `code` ("" when nothing did), its confidence (0..1), the
    words that decided it, the runners-up, and a better fit outside the category."""

    code: str = ""
    confidence: float = 0.0
    words: tuple = ()
    alternatives: tuple = ()  # ((code, confidence), ...)
    confident: bool = False
    other_category: str = ""  # a subtype of another category the words fit better

    def as_dict(self):
        return {
            "code": self.code,
            "confidence": round(self.confidence, 2),
            "words": list(self.words),
            "alternatives": [{"code": c, "confidence": round(p, 2)} for c, p in self.alternatives],
            "confident": self.confident,
            "other_category": self.other_category,
        }


@dataclass(eq=False)  # compared and hashed as itself: a cache key (duplicates._read_text)
class Lexicon:
    """entries: (subtype code or "" for a neutral word, word, weight);
    categories: {subtype code: category}; places: names to mask before reading."""

    entries: list
    categories: dict
    places: list = field(default_factory=list)

    def __post_init__(self):
        index = defaultdict(dict)
        for code, word, weight in self.entries:
            word = str(word or "").strip().lower()
            if not word:
                continue
            slot = index[word]
            if code and code in self.categories:
                slot[code] = max(slot.get(code, 0.0), float(weight))
        self.index = {w: tuple(sorted(v.items())) for w, v in index.items()}
        self.trie = Trie(self.index)
        self.place_trie = Trie({p for p in self.places if p and len(p) > 1})

    def read(self, text, masked=False):
        """[(word, negated)] in the order they occur (`masked`: place names already masked)."""
        text = (text or "").lower()
        if not masked:
            text = self.place_trie.mask(text, MASK)
        out = []
        tested = "阴性" in text
        for start, end, word in self.trie.spans(text):
            before = text[max(0, start - 5) : start]
            negated = bool(_NEGATED.search(before)) and not before.endswith(_NOT_NEGATED)
            if tested and not negated and "阴性" not in word:
                negated = bool(_RULED_OUT.match(text, end))
            out.append((word, negated))
        return out

    def scores(self, text):
        """({code: score}, {code: [deciding words, strongest first]})."""
        scores, words, seen = defaultdict(float), defaultdict(list), defaultdict(int)
        for word, negated in self.read(text):
            if negated:
                continue
            for code, weight in self.index.get(word, ()):
                n = seen[code, word]
                seen[code, word] += 1
                if n == 0:
                    scores[code] += weight
                    words[code].append((weight, word))
                elif n <= REPEATS:
                    scores[code] += weight * REPEAT_SHARE
        ranked = {c: [w for _, w in sorted(ws, key=lambda x: -x[0])] for c, ws in words.items()}
        return dict(scores), ranked

    def infer(self, text, category=None, title=""):
        """The subtype the words point to, among the category's subtypes when given;
        a `title` announcing a warning or a response (ANNOUNCED) is that kind's report."""
        scores, words = self.scores(text)
        code, said = announced(title, text)
        if code in self.categories:
            # the announcement is a term of its kind; the other kinds' words are what to guard against
            scores = {code: scores.get(code, 0.0) + DEFAULT_WEIGHTS["term"]}
            words = {code: [said, *words.get(code, ())]}
        pool = {c: s for c, s in scores.items() if not category or self.categories.get(c) == category}
        if not pool:
            return Inference(other_category=_best_outside(scores, category, self.categories, 0.0))
        ranked = sorted(pool.items(), key=lambda cs: (-cs[1], cs[0]))
        total = sum(pool.values()) + PRIOR
        code, top = ranked[0]
        share = top / total
        return Inference(
            code=code,
            confidence=share,
            words=tuple(words.get(code, ())[:MAX_WORDS]),
            alternatives=tuple((c, s / total) for c, s in ranked[1:3]),
            confident=share >= CONFIDENT_SHARE and top >= CONFIDENT_SCORE,
            other_category=_best_outside(scores, category, self.categories, top),
        )

    def concepts(self, text, masked=False):
        """The lexicon words in the text that point to a subtype (for comparing two
        reports that say the same thing in different words)."""
        return {w for w, negated in self.read(text, masked) if not negated and self.index.get(w)}


def _best_outside(scores, category, categories, than):
    """A subtype of another category that the words fit clearly better (a forest
    fire registered as an accident), or ""."""
    if not category:
        return ""
    outside = [(s, c) for c, s in scores.items() if categories.get(c) != category]
    if not outside:
        return ""
    s, c = max(outside)
    return c if s >= than + CONFIDENT_SCORE and s >= 2 * CONFIDENT_SCORE else ""


# --- the data file ---------------------------------------------------------------------


def read_file(path=DATA):
    """The seed file as ({code: [(word, kind, weight)]}, neutral words, related pairs)."""
    return _read(path)[:3]


def kinds_of_events(path=DATA):
    """The duplicate finder's knowledge of kinds: (related pairs, wide-area kinds, slow
    kinds, fast kinds, warned kinds)."""
    _terms, _neutral, related, doc = _read(path)
    return (
        frozenset(frozenset(p) for p in related),
        frozenset(doc.get("wide_area") or ()),
        frozenset(doc.get("slow") or ()),
        frozenset(doc.get("fast") or ()),
        frozenset(doc.get("warned") or ()),
    )


def _read(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    weights = {**DEFAULT_WEIGHTS, **(doc.get("weights") or {})}
    terms = {}
    for code, kinds in (doc.get("subtypes") or {}).items():
        rows = terms.setdefault(code, [])
        for kind in KINDS:
            rows.extend((str(w), kind, float(weights[kind])) for w in (kinds or {}).get(kind) or [])
    neutral = [str(w) for w in doc.get("neutral") or []]
    related = [tuple(p) for p in doc.get("related") or []]
    return terms, neutral, related, doc


def entries_from_file(path=DATA):
    terms, neutral, _related = read_file(path)
    rows = [(code, w, weight) for code, items in terms.items() for w, _kind, weight in items]
    rows.extend(("", w, 0.0) for w in neutral)
    return rows
