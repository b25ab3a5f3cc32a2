"""Reads of the plans domain: listing, coverage report, version comparison."""

import json

from django.db.models import Prefetch, Q
from django.utils import timezone

from dutyops.models import Department
from incidents.models import OPEN_STATUSES, Subtype

from .documents import CATEGORIES, effective_tasks
from .matching import LEVEL_CN
from .models import LEVELS, Activation, ActivationRequest, ActivationTask, IncidentMatch, Plan

FIELD_LABELS = {
    "code": "预案编号",
    "title": "预案名称",
    "kind": "类型",
    "status": "状态",
    "category": "事件类别",
    "subtypes": "事件子类",
    "keywords": "关键词",
    "owner_department": "编制单位",
    "lead_department": "牵头单位",
    "issued_on": "印发日期",
    "effective_on": "施行日期",
    "review_by": "评估修订期限",
    "filing_record": "审核备案记录",
}
CRITERIA_LABELS = {
    "grades": "事件等级",
    "min_deaths": "死亡人数 ≥",
    "min_injuries": "受伤人数 ≥",
    "min_missing": "失联人数 ≥",
    "keywords_any": "关键词（任一）",
    "within_km": "距中心（km）≤",
    "center_lat": "中心纬度",
    "center_lon": "中心经度",
}


def activations():
    """Activations with their plan, version, requests and tasks, as the API and pages show them."""
    return Activation.objects.select_related("plan", "plan_version").prefetch_related(
        Prefetch("requests", queryset=ActivationRequest.objects.select_related("requested_by", "decided_by")),
        Prefetch("tasks", queryset=ActivationTask.objects.select_related("department")),
    )


def plans_with_departments():
    """Every plan with its lead and owner departments (the library is readable by all staff)."""
    return Plan.objects.select_related("lead_department", "owner_department")


def versions_of(plan):
    """A plan's versions with their authors, newest first."""
    return plan.versions.select_related("created_by").order_by("-number")


def recent_activations_of(plan, limit=20):
    """A plan's latest activations with their incident and version, newest first."""
    return plan.activations.select_related("incident", "plan_version").order_by("-proposed_at")[:limit]


def levels_of_plans(ids):
    """{plan id: the response levels it defines}, for the plans with these ids."""
    return {p.pk: [lv["level"] for lv in p.levels] for p in Plan.objects.filter(pk__in=ids)}


def filtered_plans(params):
    """Plans by status/kind/category/subtype and a code-or-title search `q`. NUL
    characters are dropped: PostgreSQL cannot take them in a query (a 500 otherwise)."""
    params = {
        k: str(params.get(k) or "").replace("\x00", "")[:200] for k in ("status", "kind", "category", "q", "subtype")
    }
    qs = Plan.objects.select_related("lead_department", "owner_department").order_by("code")
    for key in ("status", "kind", "category"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    if params.get("q"):
        qs = qs.filter(Q(code__icontains=params["q"]) | Q(title__icontains=params["q"]))
    if params.get("subtype"):
        # JSON list containment differs per database; the registry is small enough to filter here.
        ids = [pk for pk, subs in qs.values_list("pk", "subtypes") if params["subtype"] in (subs or [])]
        qs = qs.filter(pk__in=ids)
    return qs


def coverage_report(today=None):
    today = today or timezone.localdate()
    issued = list(Plan.objects.filter(status=Plan.Status.ISSUED).values("kind", "category", "subtypes"))
    specific = [p for p in issued if p["kind"] != Plan.Kind.GENERAL and p["category"]]
    covered_categories = {p["category"] for p in specific}
    whole_categories = {p["category"] for p in specific if not p["subtypes"]}
    covered_subtypes = {(p["category"], s) for p in specific for s in p["subtypes"]}
    subtypes = Subtype.objects.filter(active=True).values_list("category", "code", "name")
    uncovered_subtypes = [
        {"category": cat, "category_name": CATEGORIES.get(cat, cat), "code": code, "name": name}
        for cat, code, name in subtypes
        if cat not in whole_categories and (cat, code) not in covered_subtypes
    ]
    gaps = IncidentMatch.objects.filter(
        gap=True, incident__is_drill=False, incident__status__in=OPEN_STATUSES
    ).select_related("incident")
    return {
        "today": today,
        "has_general_plan": any(p["kind"] == Plan.Kind.GENERAL for p in issued),
        "issued_count": len(issued),
        "uncovered_categories": [{"code": c, "name": n} for c, n in CATEGORIES.items() if c not in covered_categories],
        "uncovered_subtypes": uncovered_subtypes,
        "overdue_review": list(
            Plan.objects.filter(status=Plan.Status.ISSUED, review_by__lt=today)
            .select_related("lead_department")
            .order_by("review_by")
        ),
        "drafts": list(Plan.objects.filter(status=Plan.Status.DRAFT).order_by("code")),
        "gap_incidents": [m.incident for m in gaps.order_by("-matched_at")[:200]],
    }


def department_names(contents):
    ids = set()
    for content in contents:
        ids |= {content.get("owner_department"), content.get("lead_department")} - {None}
        ids |= {t["department"] for lv in content.get("levels", []) for t in lv.get("tasks", [])}
    return dict(Department.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list("pk", "name"))


def _show(value, names=None):
    if value in (None, "", []):
        return "—"
    if names is not None:
        return names.get(value, str(value))
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _criteria_text(criteria):
    if not criteria:
        return "无附加条件"
    parts = []
    for key, label in CRITERIA_LABELS.items():
        if key in criteria:
            parts.append(f"{label} {_show(criteria[key])}")
    return "；".join(parts)


def version_diff(old, new):
    """Differences between two version snapshots, for people: [{"where", "old", "new"}]."""
    names = department_names([old, new])
    changes = []
    for key, label in FIELD_LABELS.items():
        a, b = old.get(key), new.get(key)
        if a != b:
            dept = names if key.endswith("_department") else None
            changes.append({"where": label, "old": _show(a, dept), "new": _show(b, dept)})
    old_levels = {lv["level"]: lv for lv in old.get("levels", [])}
    new_levels = {lv["level"]: lv for lv in new.get("levels", [])}
    for level in LEVELS:
        a, b = old_levels.get(level), new_levels.get(level)
        where = f"{LEVEL_CN[level]}响应"
        if a is None and b is None:
            continue
        if a is None or b is None:
            changes.append(
                {
                    "where": where,
                    "old": "未定义" if a is None else _criteria_text(a["criteria"]),
                    "new": "未定义" if b is None else _criteria_text(b["criteria"]),
                }
            )
            if a is None:
                continue
        if b is not None and a["criteria"] != b["criteria"]:
            changes.append(
                {
                    "where": f"{where} 启动条件",
                    "old": _criteria_text(a["criteria"]),
                    "new": _criteria_text(b["criteria"]),
                }
            )
        a_tasks = {t["department"]: t for t in a.get("tasks", [])}
        b_tasks = {t["department"]: t for t in (b or {}).get("tasks", [])}
        for dept in sorted(set(a_tasks) | set(b_tasks)):
            ta, tb = a_tasks.get(dept), b_tasks.get(dept)
            if ta != tb:
                changes.append(
                    {
                        "where": f"{where} 任务：{names.get(dept, dept)}",
                        "old": _task_text(ta),
                        "new": _task_text(tb),
                    }
                )
    return changes


def _task_text(task):
    if task is None:
        return "—"
    return f"{task['duty']}（签收 {task['ack_minutes']} 分钟，反馈 {task['feedback_minutes']} 分钟）"


def levels_for_display(content, names=None):
    """Levels I..IV of a snapshot with criteria text and the effective task list (inherited marked).
    `names`: department_names([content]) when the caller has it already."""
    names = department_names([content]) if names is None else names
    out = []
    for lv in content.get("levels", []):
        tasks = [
            dict(
                t, department_name=names.get(t["department"], t["department"]), inherited=t["from_level"] != lv["level"]
            )
            for t in effective_tasks(content["levels"], lv["level"])
        ]
        out.append(
            {
                "level": lv["level"],
                "label": LEVEL_CN[lv["level"]],
                "criteria": _criteria_text(lv["criteria"]),
                "tasks": tasks,
            }
        )
    return out
