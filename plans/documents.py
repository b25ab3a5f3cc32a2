"""A plan as a document: validation (API, admin, import) and export.

One function, clean_plan(), validates a whole plan document and is used by
the API serializer, the admin form and the import command alike, so a plan
is refused with the same field errors wherever it comes from. Errors are
keyed by a dotted path ("levels.1.tasks.0.department") so a user can find
the exact place in a file.
"""

import datetime as dt

from django.utils.translation import gettext as _

from dutyops.api import as_id
from dutyops.errors import Invalid
from dutyops.models import Department
from incidents.models import Subtype

from .models import LEVELS, Plan

CATEGORIES = {
    "natural_disaster": "自然灾害",
    "accident_disaster": "事故灾难",
    "public_health": "公共卫生事件",
    "social_security": "社会安全事件",
}
GRADES = ("I", "II", "III", "IV")
CRITERIA_KEYS = {
    "grades",
    "min_deaths",
    "min_injuries",
    "min_missing",
    "keywords_any",
    "within_km",
    "center_lat",
    "center_lon",
}
PLAN_KEYS = {
    "id",
    "code",
    "title",
    "kind",
    "status",
    "category",
    "subtypes",
    "keywords",
    "owner_department",
    "lead_department",
    "issued_on",
    "effective_on",
    "review_by",
    "filing_record",
    "levels",
    "version",
    "updated_at",
    "created_at",
}
MAX_ACK_MINUTES = 24 * 60
MAX_FEEDBACK_MINUTES = 30 * 24 * 60


def taxonomy():
    """{category: {subtype code: name}} from the incidents app's editable
    taxonomy; None while it is empty (subtypes are then checked for form only)."""
    rows = list(Subtype.objects.values_list("category", "code", "name"))
    if not rows:
        return None
    out = {}
    for category, code, name in rows:
        out.setdefault(category, {})[code] = name
    return out


def subtype_names(tx):
    """{subtype code: name} of a taxonomy() result (None counts as empty)."""
    return {code: name for subs in (tx or {}).values() for code, name in subs.items()}


class Errors:
    def __init__(self):
        self.errors = {}

    def add(self, path, message):
        self.errors.setdefault(path, []).append(message)

    def raise_if_any(self):
        if self.errors:
            raise Invalid(self.errors)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _string_list(value, path, errors, *, max_len=100):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(path, _("必须是字符串列表。"))
        return []
    cleaned = []
    for i, v in enumerate(value):
        v = v.strip()
        if not v:
            errors.add(f"{path}.{i}", _("不能为空。"))
        elif len(v) > max_len:
            errors.add(f"{path}.{i}", _("过长（最多 %(n)s 个字符）。") % {"n": max_len})
        elif v not in cleaned:
            cleaned.append(v)
    return cleaned


def _date(value, path, errors):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    errors.add(path, _("日期格式应为 YYYY-MM-DD。"))
    return None


class DepartmentResolver:
    """Departments referred to by id (API) or code (files), one query per document."""

    def __init__(self, refs):
        ids = {as_id(r) for r in refs} - {None}
        codes = {r for r in refs if isinstance(r, str) and as_id(r) is None}
        found = Department.objects.filter(pk__in=ids) if ids else Department.objects.none()
        by_code = Department.objects.filter(code__in=codes) if codes else Department.objects.none()
        self.by_id = {d.pk: d for d in found}
        self.by_code = {d.code: d for d in by_code}

    def get(self, ref):
        if as_id(ref) is not None:
            return self.by_id.get(as_id(ref))
        if isinstance(ref, str):
            return self.by_code.get(ref)
        return None


def _collect_department_refs(data):
    refs = [data.get("owner_department"), data.get("lead_department")]
    levels = data.get("levels")
    for level in levels if isinstance(levels, list) else []:
        if isinstance(level, dict) and isinstance(level.get("tasks"), list):
            refs.extend(t.get("department") for t in level["tasks"] if isinstance(t, dict))
    return [r for r in refs if r is not None and (_is_int(r) or isinstance(r, str))]


def clean_criteria(criteria, path, errors):
    if criteria is None:
        return {}
    if not isinstance(criteria, dict):
        errors.add(path, _("必须是对象。"))
        return {}
    out = {}
    for key in sorted(set(criteria) - CRITERIA_KEYS):
        errors.add(f"{path}.{key}", _("未知的启动条件。可用：%(keys)s") % {"keys": "、".join(sorted(CRITERIA_KEYS))})
    if "grades" in criteria:
        grades = criteria["grades"]
        if not isinstance(grades, list) or not grades or not all(g in GRADES for g in grades):
            errors.add(f"{path}.grades", _("必须是非空列表，取值 I、II、III、IV。"))
        else:
            out["grades"] = [g for g in GRADES if g in grades]
    for key in ("min_deaths", "min_injuries", "min_missing"):
        if key in criteria:
            value = criteria[key]
            if not _is_int(value) or value < 0:
                errors.add(f"{path}.{key}", _("必须是不小于 0 的整数。"))
            else:
                out[key] = value
    if "keywords_any" in criteria:
        words = _string_list(criteria["keywords_any"], f"{path}.keywords_any", errors, max_len=50)
        if not words and isinstance(criteria["keywords_any"], list) and not criteria["keywords_any"]:
            errors.add(f"{path}.keywords_any", _("不能是空列表。"))
        elif words:
            out["keywords_any"] = words
    has_area = any(k in criteria for k in ("within_km", "center_lat", "center_lon"))
    if has_area:
        for key, low, high in (("within_km", 0, 20_000), ("center_lat", -90, 90), ("center_lon", -180, 180)):
            value = criteria.get(key)
            if value is None:
                errors.add(f"{path}.{key}", _("within_km、center_lat、center_lon 必须同时给出。"))
            elif not _is_number(value) or not (low <= value <= high) or (key == "within_km" and value <= 0):
                errors.add(f"{path}.{key}", _("取值范围为 %(low)s 到 %(high)s。") % {"low": low, "high": high})
            else:
                out[key] = float(value)
    return out


def clean_task(task, path, errors, resolver):
    if not isinstance(task, dict):
        errors.add(path, _("必须是对象。"))
        return None
    for key in sorted(set(task) - {"department", "duty", "ack_minutes", "feedback_minutes", "department_name"}):
        errors.add(f"{path}.{key}", _("未知字段。"))
    ok = True
    dept = resolver.get(task.get("department"))
    if task.get("department") in (None, ""):
        errors.add(f"{path}.department", _("必须指定单位。"))
        ok = False
    elif dept is None:
        errors.add(f"{path}.department", _("单位 %(ref)s 不存在。") % {"ref": task.get("department")})
        ok = False
    duty = task.get("duty")
    if not isinstance(duty, str) or not duty.strip():
        errors.add(f"{path}.duty", _("必须填写职责。"))
        ok = False
    elif len(duty) > 500:
        errors.add(f"{path}.duty", _("过长（最多 500 个字符）。"))
        ok = False
    minutes = {}
    for key, high in (("ack_minutes", MAX_ACK_MINUTES), ("feedback_minutes", MAX_FEEDBACK_MINUTES)):
        value = task.get(key)
        if not _is_int(value) or not (1 <= value <= high):
            errors.add(f"{path}.{key}", _("必须是 1 到 %(high)s 之间的整数（分钟）。") % {"high": high})
            ok = False
        else:
            minutes[key] = value
    if ok and minutes["feedback_minutes"] < minutes["ack_minutes"]:
        errors.add(f"{path}.feedback_minutes", _("反馈时限不能早于签收时限。"))
        ok = False
    if not ok:
        return None
    return {
        "department": dept.pk,
        "duty": duty.strip(),
        "ack_minutes": minutes["ack_minutes"],
        "feedback_minutes": minutes["feedback_minutes"],
    }


def clean_levels(levels, errors, resolver):
    if not isinstance(levels, list):
        errors.add("levels", _("必须是列表。"))
        return []
    out, seen = [], set()
    for i, level in enumerate(levels):
        path = f"levels.{i}"
        if not isinstance(level, dict):
            errors.add(path, _("必须是对象。"))
            continue
        for key in sorted(set(level) - {"level", "criteria", "tasks", "label"}):
            errors.add(f"{path}.{key}", _("未知字段。"))
        name = level.get("level")
        if name not in LEVELS:
            errors.add(f"{path}.level", _("响应级别必须是 I、II、III 或 IV。"))
            continue
        if name in seen:
            errors.add(f"{path}.level", _("响应级别 %(level)s 重复。") % {"level": name})
            continue
        seen.add(name)
        criteria = clean_criteria(level.get("criteria"), f"{path}.criteria", errors)
        tasks_raw = level.get("tasks", [])
        tasks = []
        if not isinstance(tasks_raw, list):
            errors.add(f"{path}.tasks", _("必须是列表。"))
        else:
            depts = set()
            for j, task in enumerate(tasks_raw):
                cleaned = clean_task(task, f"{path}.tasks.{j}", errors, resolver)
                if cleaned is None:
                    continue
                if cleaned["department"] in depts:
                    # one task per department and level: that is what a higher level overrides
                    errors.add(f"{path}.tasks.{j}.department", _("同一级别中一个单位只能有一项任务。"))
                    continue
                depts.add(cleaned["department"])
                tasks.append(cleaned)
        out.append({"level": name, "criteria": criteria, "tasks": tasks})
    out.sort(key=lambda lv: LEVELS.index(lv["level"]))
    return out


def _unreadable(value, path=""):
    """Dotted paths of strings (keys or values) holding NUL or a lone surrogate:
    PostgreSQL refuses the first, UTF-8 cannot encode the second (a 500 otherwise)."""

    def bad(text):
        return isinstance(text, str) and any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in text)

    if bad(value):
        return [path or "non_field_errors"]
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if bad(key):
                found.append(path or "non_field_errors")
            else:
                found.extend(_unreadable(item, sub))
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _unreadable(item, f"{path}.{i}" if path else str(i))]
    return []


def clean_plan(data, *, instance=None):
    """Validate a plan document (full, or partial when `instance` is given).

    Returns {field: value} ready for the model (departments as objects).
    Raises errors.Invalid({dotted path: [messages]}) (a Django ValidationError too, so
    admin forms and serializers read it as they read Django's; pages get a message).
    """
    errors = Errors()
    if not isinstance(data, dict):
        raise Invalid({"non_field_errors": [_("预案必须是一个对象。")]})
    unreadable = _unreadable(data)
    if unreadable:
        raise Invalid({path: [_("包含无法识别的字符。")] for path in unreadable})
    for key in sorted(set(data) - PLAN_KEYS):
        errors.add(key, _("未知字段。"))
    partial = instance is not None

    def present(key):
        return key in data or not partial

    out = {}
    _clean_identity(data, instance, present, out, errors)
    _clean_contents(data, present, out, errors)
    _check_across_fields(out, instance, errors)
    errors.raise_if_any()
    return out


def _clean_identity(data, instance, present, out, errors):
    """Code (unique), title, kind, status and category."""
    if present("code"):
        code = data.get("code")
        if not isinstance(code, str) or not code.strip():
            errors.add("code", _("必须填写预案编号。"))
        elif len(code.strip()) > 40:
            errors.add("code", _("过长（最多 40 个字符）。"))
        else:
            code = code.strip()
            clash = Plan.objects.filter(code=code)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors.add("code", _("预案编号 %(code)s 已存在。") % {"code": code})
            out["code"] = code
    if present("title"):
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            errors.add("title", _("必须填写预案名称。"))
        elif len(title) > 200:
            errors.add("title", _("过长（最多 200 个字符）。"))
        else:
            out["title"] = title.strip()
    if present("kind"):
        if data.get("kind") not in Plan.Kind.values:
            errors.add("kind", _("类型必须是 general（总体）、specific（专项）或 department（部门）。"))
        else:
            out["kind"] = data["kind"]
    if "status" in data or instance is None:
        status = data.get("status", Plan.Status.DRAFT)
        if status not in Plan.Status.values:
            errors.add("status", _("状态必须是 draft、issued 或 retired。"))
        else:
            out["status"] = status
    if present("category"):
        category = data.get("category") or ""
        if not isinstance(category, str) or (category and category not in CATEGORIES):
            errors.add("category", _("类别必须是 %(c)s 之一。") % {"c": "、".join(CATEGORIES)})
        else:
            out["category"] = category


def _clean_contents(data, present, out, errors):
    """Subtypes, keywords, departments (by id or code), dates, filing record and levels."""
    resolver = DepartmentResolver(_collect_department_refs(data))
    if present("subtypes"):
        out["subtypes"] = _string_list(data.get("subtypes") or [], "subtypes", errors, max_len=40)
    if present("keywords"):
        out["keywords"] = _string_list(data.get("keywords") or [], "keywords", errors, max_len=50)
    for key in ("owner_department", "lead_department"):
        if present(key):
            ref = data.get(key)
            if ref in (None, ""):
                out[key] = None
            else:
                dept = resolver.get(ref)
                if dept is None:
                    errors.add(key, _("单位 %(ref)s 不存在。") % {"ref": ref})
                else:
                    out[key] = dept
    for key in ("issued_on", "effective_on", "review_by"):
        if present(key):
            out[key] = _date(data.get(key), key, errors)
    if present("filing_record"):
        record = data.get("filing_record") or ""
        if not isinstance(record, str) or len(record) > 300:
            errors.add("filing_record", _("必须是不超过 300 个字符的文本。"))
        else:
            out["filing_record"] = record
    if present("levels"):
        out["levels"] = clean_levels(data.get("levels") or [], errors, resolver)


def _check_across_fields(out, instance, errors):
    """Rules across fields, on the plan as it would be after this change."""

    def final(key, default=None):
        return out[key] if key in out else getattr(instance, key, default)

    category, subtypes, kind = final("category", ""), final("subtypes", []), final("kind")
    if kind == Plan.Kind.SPECIFIC and not category and "category" not in errors.errors:
        errors.add("category", _("专项预案必须指定事件类别。"))
    if subtypes and not category and "category" not in errors.errors:
        errors.add("subtypes", _("指定事件子类时必须同时指定类别。"))
    known = taxonomy()
    if known is not None and category in known and "subtypes" in out:
        for i, code in enumerate(subtypes):
            if code not in known[category]:
                errors.add(f"subtypes.{i}", _("子类 %(s)s 不属于类别 %(c)s。") % {"s": code, "c": category})
    if final("status") == Plan.Status.ISSUED and not final("levels", []) and "levels" not in errors.errors:
        errors.add("levels", _("发布的预案至少要有一个响应级别。"))
    issued_on, effective_on = final("issued_on"), final("effective_on")
    if issued_on and effective_on and effective_on < issued_on:
        errors.add("effective_on", _("施行日期不能早于印发日期。"))


def plan_document(plan, *, codes=False):
    """The plan as a document: department ids (API, snapshots) or codes (files)."""
    dept_code = {}
    if codes:
        ids = {t["department"] for lv in plan.levels for t in lv["tasks"]}
        ids |= {plan.owner_department_id, plan.lead_department_id} - {None}
        dept_code = dict(Department.objects.filter(pk__in=ids).values_list("pk", "code"))

    def ref(pk):
        return dept_code.get(pk, pk) if codes else pk

    return {
        "code": plan.code,
        "title": plan.title,
        "kind": plan.kind,
        "status": plan.status,
        "category": plan.category,
        "subtypes": list(plan.subtypes),
        "keywords": list(plan.keywords),
        "owner_department": ref(plan.owner_department_id),
        "lead_department": ref(plan.lead_department_id),
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "effective_on": plan.effective_on.isoformat() if plan.effective_on else None,
        "review_by": plan.review_by.isoformat() if plan.review_by else None,
        "filing_record": plan.filing_record,
        "levels": [
            {
                "level": lv["level"],
                "criteria": dict(lv["criteria"]),
                "tasks": [dict(t, department=ref(t["department"])) for t in lv["tasks"]],
            }
            for lv in plan.levels
        ],
    }


def effective_tasks(levels, level):
    """Tasks of a response level: its own, plus every lower level's tasks for
    departments it does not redefine (I is the highest level)."""
    by_name = {lv["level"]: lv for lv in levels}
    tasks, seen = [], set()
    for name in LEVELS[LEVELS.index(level) :]:  # this level first, then lower ones
        for task in by_name.get(name, {}).get("tasks", []):
            if task["department"] not in seen:
                seen.add(task["department"])
                tasks.append(dict(task, from_level=name))
    return tasks
