"""Grade suggestion: the national framework's thresholds (GradeRule, seeded from
incidents/data/grade_rules.yaml) against what the report says: the casualty fields,
and the counts and scale words in its text (3人死亡, 转移群众1200人, 过火面积约15亩,
4.5级地震, 溃坝). The officer confirms; nothing here changes a grade by itself.

Pure: the caller supplies the rules (dicts with GradeRule's fields).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "grade_rules.yaml"
GRADES = ("I", "II", "III", "IV")  # I is the gravest
GRADE_CN = {"I": "特别重大（I级）", "II": "重大（II级）", "III": "较大（III级）", "IV": "一般（IV级）"}
CRITERIA = (
    "min_deaths",
    "min_dead_missing",
    "min_injuries",
    "min_missing",
    "min_affected",
    "min_area_ha",
    "min_magnitude",
)
LABELS = {
    "min_deaths": ("死亡", "人"),
    "min_dead_missing": ("死亡和失联", "人"),
    "min_injuries": ("受伤（中毒、患病）", "人"),
    "min_missing": ("失联", "人"),
    "min_affected": ("转移、疏散或聚集", "人"),
    "min_area_ha": ("面积", "公顷"),
    "min_magnitude": ("震级", "级"),
}

# --- numbers as callers write them -----------------------------------------------------

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT = {"十": 10, "百": 100, "千": 1000}
# Vague amounts read as their lower bound: 十几 = 11, 几十 = 20, 上百 = 100.
_VAGUE = {"十几": 11, "十多": 11, "几十": 20, "数十": 20, "几百": 200, "数百": 200, "上百": 100, "几千": 2000}
_VAGUE.update({"数千": 2000, "上千": 1000, "上万": 10000, "数万": 20000, "几万": 20000})
NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万几数上]+)(?:万)?(?:余|多)?"


def number(text):
    """The value of a count as written (12, 1.2万, 十二, 三百余, 十几), or None."""
    text = (text or "").strip().rstrip("余多")
    if not text:
        return None
    scale = 1
    if text.endswith("万") and len(text) > 1:
        scale, text = 10000, text[:-1]
    if text in _VAGUE:
        return _VAGUE[text] * scale
    try:
        return int(float(text) * scale)
    except ValueError:
        pass
    total, current = 0, 0
    for ch in text:
        if ch in _DIGIT:
            current = _DIGIT[ch]
        elif ch in _UNIT:
            total += (current or 1) * _UNIT[ch]
            current = 0
        elif ch == "万":
            total = (total + current) * 10000
            current = 0
        else:
            return None
    value = (total + current) * scale
    return value or None


_PEOPLE = r"(?:人|名|位)"  # not 个: 疏散一个单元 is a building's part, not one person
_GAP = r"[^，。；,;！!？?]{0,8}?"
_NEG = re.compile(r"(?:无|未|没有|没)[^，。；,;]{0,4}$")

PATTERNS = {
    "deaths": [
        rf"(?:死亡|遇难|身亡|罹难){_GAP}({NUM}){_PEOPLE}",
        rf"({NUM}){_PEOPLE}{_GAP}(?:死亡|遇难|身亡|罹难)",
        rf"致({NUM})死",
        rf"({NUM})死(?:{NUM})?伤",
    ],
    "injuries": [
        rf"(?:受伤|伤员|重伤|轻伤|中毒|送医|就医|住院){_GAP}({NUM}){_PEOPLE}",
        rf"({NUM}){_PEOPLE}{_GAP}(?:受伤|重伤|轻伤|受轻伤|烧伤|烫伤|灼伤|中毒|送医|就医|住院|救治)",
        rf"(?:{NUM})?死({NUM})伤",
        rf"(?:病例|发病|患者){_GAP}({NUM})(?:例|人|名)",
        rf"({NUM})(?:例|人|名){_GAP}(?:出现|发热|腹泻|呕吐|腹痛|症状)",
    ],
    "missing": [
        rf"(?:失联|失踪|下落不明|被埋|被困){_GAP}({NUM}){_PEOPLE}",
        rf"({NUM}){_PEOPLE}{_GAP}(?:失联|失踪|下落不明|被埋)",
    ],
    "affected": [
        rf"(?:转移|疏散|安置|撤离|受威胁|滞留|聚集|参与){_GAP}({NUM}){_PEOPLE}",
        rf"({NUM}){_PEOPLE}{_GAP}(?:聚集|上访|围堵|堵路|被困|转移|疏散|受威胁)",
        rf"约?({NUM})(?:名|个)(?:群众|村民|居民|业主|农民工|民工|投资人|家长|骑手|司机|信众|旅客|游客|学生|员工|工人)",
    ],
}
_COMPILED = {k: [re.compile(p) for p in v] for k, v in PATTERNS.items()}
_AREA = re.compile(rf"(?:过火|受害|受灾|发生|着火|燃烧){_GAP}面积{_GAP}({NUM})(亩|公顷|平方米|平方公里)")
_MAGNITUDE = re.compile(r"(\d+(?:\.\d+)?)\s*级(?:地震|的地震)|[Mm]\s*(\d+(?:\.\d+)?)")
_MENTIONS_DEATH = re.compile(r"(?:死亡|身亡|遇难|罹难|当场死|抢救无效)")
_TO_HA = {"亩": 1 / 15, "公顷": 1.0, "平方米": 1 / 10000, "平方公里": 100.0}


@dataclass
class Facts:
    """What is known to count: the larger of the field and the text, with where each came from."""

    deaths: int | None = None
    injuries: int | None = None
    missing: int | None = None
    affected: int | None = None
    area_ha: float | None = None
    magnitude: float | None = None
    text: str = ""
    said: dict = field(default_factory=dict)  # measure -> the words it was read from

    @property
    def dead_missing(self):
        if self.deaths is None and self.missing is None:
            return None
        return (self.deaths or 0) + (self.missing or 0)

    def value(self, criterion):
        return {
            "min_deaths": self.deaths,
            "min_dead_missing": self.dead_missing,
            "min_injuries": self.injuries,
            "min_missing": self.missing,
            "min_affected": self.affected,
            "min_area_ha": self.area_ha,
            "min_magnitude": self.magnitude,
        }[criterion]


def _largest(text, patterns):
    best, said = None, ""
    for pattern in patterns:
        for m in pattern.finditer(text):
            if _NEG.search(text[max(0, m.start() - 6) : m.start()]):
                continue
            raw = next((g for g in m.groups() if g), None)
            value = number(raw)
            if value is not None and (best is None or value > best):
                best, said = value, m.group()
    return best, said


def read_facts(text, deaths=None, injuries=None, missing=None):
    """Facts from the casualty fields and the text (the text may only raise a count)."""
    text = text or ""
    facts = Facts(deaths=deaths, injuries=injuries, missing=missing, text=text)
    for measure in ("deaths", "injuries", "missing", "affected"):
        value, said = _largest(text, _COMPILED[measure])
        if value is not None and (getattr(facts, measure) is None or value > getattr(facts, measure)):
            setattr(facts, measure, value)
            facts.said[measure] = said
    if facts.deaths is None:
        m = _MENTIONS_DEATH.search(text)
        if m and not _NEG.search(text[max(0, m.start() - 6) : m.start()]):
            facts.deaths = 1
            facts.said["deaths"] = m.group()
    for m in _AREA.finditer(text):
        value = number(m.group(1))
        if value is not None:
            ha = value * _TO_HA[m.group(2)]
            if facts.area_ha is None or ha > facts.area_ha:
                facts.area_ha = round(ha, 2)
                facts.said["area_ha"] = m.group()
    for m in _MAGNITUDE.finditer(text):
        value = float(m.group(1) or m.group(2))
        if 0 < value < 10 and (facts.magnitude is None or value > facts.magnitude):
            facts.magnitude = value
            facts.said["magnitude"] = m.group()
    return facts


# --- rules --------------------------------------------------------------------------------


def applicable(rules, category, subtype):
    """The most specific rules: the subtype's, else the category's, else the general ones."""
    active = [r for r in rules if r.get("active", True)]
    for pick in (
        lambda r: subtype and r.get("subtype") == subtype,
        lambda r: not r.get("subtype") and r.get("category") == category,
        lambda r: not r.get("subtype") and not r.get("category"),
    ):
        chosen = [r for r in active if pick(r)]
        if chosen:
            return chosen
    return []


def _fmt(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def _holds(rule, facts):
    """(holds, [what held]) for one rule."""
    held = []
    for criterion in CRITERIA:
        need = rule.get(criterion)
        if need is None:
            continue
        have = facts.value(criterion)
        if have is None or have < need:
            return False, []
        label, unit = LABELS[criterion]
        held.append(f"{label} {_fmt(have)} {unit} ≥ {_fmt(need)}")
    words = [w for w in rule.get("words") or [] if w and w in facts.text]
    if rule.get("words") and not words:
        return False, []
    if words:
        held.append("描述提及" + "、".join(f"「{w}」" for w in words))
    return True, held


def suggest(rules, *, category, subtype, facts):
    """{"grade", "reasons": [..], "basis": {measure: value}}: the gravest grade whose
    rule holds, IV when none does."""
    chosen = applicable(rules, category, subtype)
    best = None
    for rule in sorted(chosen, key=lambda r: GRADES.index(r["grade"])):
        ok, held = _holds(rule, facts)
        if ok:
            best = (rule, held)
            break
    reasons = []
    if best is not None:
        rule, held = best
        grade = rule["grade"]
        text = "；".join(held) if held else "该类事件"
        reasons.append(f"建议{GRADE_CN[grade]}：{text}（{rule.get('note') or '分级标准'}）")
    else:
        grade = "IV"
        lowest = [r for r in chosen if r["grade"] == "III"]
        if lowest:
            needs = "；".join((r.get("note") or "").split("：", 1)[-1] for r in lowest[:3])
            reasons.append(f"建议{GRADE_CN['IV']}：未达到较大事件标准（{needs}）")
        else:
            reasons.append(f"建议{GRADE_CN['IV']}：无适用的更高等级标准")
    for said in facts.said.values():
        reasons.append(f"据描述「{said}」")
    basis = {
        k: v
        for k, v in (
            ("deaths", facts.deaths),
            ("injuries", facts.injuries),
            ("missing", facts.missing),
            ("affected", facts.affected),
            ("area_ha", facts.area_ha),
            ("magnitude", facts.magnitude),
        )
        if v is not None
    }
    return {"grade": grade, "reasons": reasons, "basis": basis}


def rules_from_file(path=DATA):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    out = []
    for raw in doc.get("rules") or []:
        rule = {"category": raw.get("category", ""), "subtype": raw.get("subtype", ""), "grade": raw["grade"]}
        for criterion in CRITERIA:
            if raw.get(criterion) is not None:
                rule[criterion] = raw[criterion]
        rule["words"] = [str(w) for w in raw.get("words") or []]
        rule["note"] = raw.get("note", "")
        out.append(rule)
    return out
