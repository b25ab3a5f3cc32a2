"""HTML pages of the plans domain (Chinese): registry, plan, version comparison,
coverage report, and an incident's matches with activation actions."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from incidents.selectors import visible_incidents

from . import matching, reasons, selectors, services
from .documents import CATEGORIES, subtype_names, taxonomy
from .models import Plan


def _subtype_choices(tx):
    return [
        (code, f"{CATEGORIES.get(cat, cat)} · {name}")
        for cat, subs in (tx or {}).items()
        for code, name in subs.items()
    ]


@login_required
def plan_list(request):
    params = {k: request.GET.get(k, "") for k in ("q", "status", "kind", "category", "subtype")}
    plans = list(selectors.filtered_plans(params))
    today = timezone.localdate()
    tx = taxonomy()
    names = subtype_names(tx)
    for plan in plans:
        plan.review_overdue = plan.status == Plan.Status.ISSUED and plan.review_by and plan.review_by < today
        plan.subtype_names = [names.get(s, s) for s in plan.subtypes]
    return render(
        request,
        "plans/list.html",
        {
            "plans": plans,
            "params": params,
            "statuses": Plan.Status.choices,
            "kinds": Plan.Kind.choices,
            "categories": list(CATEGORIES.items()),
            "subtypes": _subtype_choices(tx),
        },
    )


@login_required
def plan_detail(request, pk):
    plan = get_object_or_404(selectors.plans_with_departments(), pk=pk)
    number = request.GET.get("version")
    versions = list(selectors.versions_of(plan))
    shown = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    if shown is None:
        raise Http404
    content = shown.content
    names = subtype_names(taxonomy()) if content.get("subtypes") else {}
    departments = selectors.department_names([content])
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "shown": shown,
            "content": content,
            "category_name": CATEGORIES.get(content.get("category"), "—"),
            "subtype_names": [names.get(s, s) for s in content.get("subtypes", [])],
            "departments": departments,
            "levels": selectors.levels_for_display(content, departments),
            "versions": versions,
            "activations": selectors.recent_activations_of(plan),
            "review_overdue": plan.status == Plan.Status.ISSUED
            and plan.review_by
            and plan.review_by < timezone.localdate(),
        },
    )


@login_required
def plan_compare(request, pk):
    plan = get_object_or_404(selectors.plans_with_departments(), pk=pk)
    versions = {v.number: v for v in selectors.versions_of(plan)}
    try:
        a = versions[int(request.GET.get("a", plan.version - 1))]
        b = versions[int(request.GET.get("b", plan.version))]
    except (KeyError, ValueError):
        a = b = None
    changes = selectors.version_diff(a.content, b.content) if a and b else []
    return render(
        request,
        "plans/compare.html",
        {"plan": plan, "a": a, "b": b, "changes": changes, "numbers": sorted(versions, reverse=True)},
    )


@login_required
def coverage(request):
    return render(request, "plans/coverage.html", {"report": selectors.coverage_report()})


@login_required
def incident_plans(request, incident_id):
    incident = get_object_or_404(visible_incidents(request.user), pk=incident_id)
    results, total = matching.match_with_total(incident, limit=20)
    reasons.with_texts(results)
    activations = selectors.activations().filter(incident=incident).order_by("-proposed_at")
    levels = selectors.levels_of_plans([m["plan"] for m in results])
    for m in results:
        m["levels"] = levels.get(m["plan"], [])
    return render(
        request,
        "plans/incident.html",
        {
            "incident": incident,
            "matches": results,
            "total": total,
            "gap": not any(m["kind"] != "general" for m in results),
            "activations": activations,
            "can_propose": services.can_propose(request.user, incident),
            "can_approve": services.can_approve(request.user, incident),
            "level_names": matching.LEVEL_CN,
        },
    )
