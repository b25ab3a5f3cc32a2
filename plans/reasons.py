"""Why a plan fits, read in the reader's language.

Matching (plans.matching) states its reasons as data: a list of dicts, each a `code`
and its values, e.g. `{"code": "subtype", "category": "natural_disaster",
"subtype": "flood", "subtype_name": "洪涝", "inferred": true, "words": ["积水"]}`.
That is what the plan.matched event stores and what the API returns as
`reason_codes`. This module is the one place that turns them into the lines a
person reads (`reasons`), in the active language, when they are read: the API
per request, the event's wire form once per language (registered in
plans/summaries.py), the incident's plans page.

Codes: general (subtype_pending), uncategorised, subtype (inferred, words),
subtype_unknown (plan_subtypes, suggested), category; level_held and level_missed
(level, criteria); plan_keywords (keywords). Criteria: grade, deaths, injuries,
missing, keywords, area, each with `held`. Names (subtypes, keywords) are stored
as they stood; categories and levels are codes rendered with their labels.

A reason that is already text (stored before the codes) is shown as written.
"""

import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.models import Category
from realtime.events import label

log = logging.getLogger(__name__)

LEVELS = {
    "I": gettext_lazy("一级"),
    "II": gettext_lazy("二级"),
    "III": gettext_lazy("三级"),
    "IV": gettext_lazy("四级"),
}
CASUALTIES = {"deaths": gettext_lazy("死亡"), "injuries": gettext_lazy("受伤"), "missing": gettext_lazy("失联")}


def level_label(code):
    return str(LEVELS.get(code, code or ""))


def _list(items):
    return _("、").join(str(i) for i in items)


def _km(km):
    return f"{km:.1f}".rstrip("0").rstrip(".") if km < 100 else f"{km:.0f}"


def _words(words):
    """The words the subtype was read from, or "the description"."""
    return _list(f"“{w}”" for w in words) or _("描述")


# --- criteria of a level ---------------------------------------------------------------


def _grade(c):
    values = {"grade": c.get("grade"), "want": _list(c.get("want") or [])}
    if c.get("grade") is None:
        return _("等级未评定（要求 %(want)s）") % values
    if c["held"]:
        return _("等级 %(grade)s 符合（要求 %(want)s）") % values
    return _("等级 %(grade)s 不符合（要求 %(want)s）") % values


def _casualties(c):
    values = {"label": str(CASUALTIES[c["code"]]), "have": c.get("have"), "need": c["need"]}
    if c.get("have") is None:
        return _("%(label)s人数未报（要求 ≥ %(need)s）") % values
    if c["held"]:
        return _("%(label)s %(have)s 人 ≥ %(need)s") % values
    return _("%(label)s %(have)s 人 < %(need)s") % values


def _keywords(c):
    if c["held"]:
        return _("关键词命中：%(words)s") % {"words": _list(_("「%(w)s」") % {"w": h} for h in c["hits"])}
    return _("关键词未命中（任一：%(words)s）") % {"words": _list(c.get("any") or [])}


def _area(c):
    if c.get("distance") is None:
        return _("事件未定位（要求距中心 %(km)s km 以内）") % {"km": _km(c["km"])}
    values = {"d": _km(c["distance"]), "km": _km(c["km"])}
    if c["held"]:
        return _("距中心 %(d)s km ≤ %(km)s km") % values
    return _("距中心 %(d)s km > %(km)s km") % values


CRITERIA = {
    "grade": _grade,
    "deaths": _casualties,
    "injuries": _casualties,
    "missing": _casualties,
    "keywords": _keywords,
    "area": _area,
}


def criterion(c):
    return CRITERIA[c["code"]](c)


def _criteria(items):
    return _("；").join(criterion(c) for c in items)


# --- why the plan is in play, and at which level ----------------------------------------


def _general(r):
    if r.get("subtype_pending"):
        return _("总体预案，适用于各类突发事件；事件子类未确定，总体预案先行")
    return _("总体预案，适用于各类突发事件")


def _subtype(r):
    values = {"name": r.get("subtype_name") or r.get("subtype"), "cat": label(Category, r.get("category"))}
    if r.get("inferred"):
        values["words"] = _words(r.get("words") or [])
        return _("事件子类 %(name)s（系统据%(words)s推断，待值班员确认）在本预案适用范围内（%(cat)s）") % values
    return _("事件子类 %(name)s 在本预案适用范围内（%(cat)s）") % values


def _subtype_unknown(r):
    line = _("可能适用：事件类别 %(cat)s 符合；事件子类未确定（本预案适用：%(subs)s）") % {
        "cat": label(Category, r.get("category")),
        "subs": _list(r.get("plan_subtypes") or []),
    }
    s = r.get("suggested")
    if s:
        line += _("；描述提示可能为%(name)s（%(words)s，置信度 %(c)s）") % {
            "name": s.get("subtype_name") or s.get("subtype"),
            "words": _words(s.get("words") or []),
            "c": f"{s.get('confidence') or 0:.2f}",
        }
    return line


def _level_held(r):
    if not r.get("criteria"):
        return _("%(level)s响应无附加条件") % {"level": level_label(r["level"])}
    return _("%(level)s响应条件全部满足：%(criteria)s") % {
        "level": level_label(r["level"]),
        "criteria": _criteria(r["criteria"]),
    }


REASONS = {
    "general": _general,
    "uncategorised": lambda r: _("部门预案，未限定事件类别"),
    "subtype": _subtype,
    "subtype_unknown": _subtype_unknown,
    "category": lambda r: (
        _("事件类别 %(cat)s 符合（适用本类别全部子类）") % {"cat": label(Category, r.get("category"))}
    ),
    "level_held": _level_held,
    "level_missed": lambda r: (
        _("%(level)s响应未达到：%(criteria)s")
        % {"level": level_label(r["level"]), "criteria": _criteria(r.get("criteria") or [])}
    ),
    "plan_keywords": lambda r: _("预案关键词命中：%(words)s") % {"words": _list(r.get("keywords") or [])},
}


def text(reason):
    """One reason's line in the active language. Text (stored before the codes) is shown
    as written; a reason this code does not know reads as its code, never as an error."""
    if isinstance(reason, str):
        return reason
    try:
        return REASONS[reason["code"]](reason)
    except Exception:  # noqa: BLE001 - a reader must never fail on a line of text
        log.exception("plan match reason %r could not be rendered", reason)
        return str(reason.get("code", "")) if isinstance(reason, dict) else str(reason)


def texts(reasons):
    return [text(r) for r in reasons or ()]


def with_texts(matches):
    """Each match (plans.matching) with `reasons`, its reason codes' lines in the active
    language, beside `reason_codes`."""
    for m in matches:
        m["reasons"] = texts(m.get("reason_codes"))
    return matches
