"""HTML pages: the department console, the office's alert list, figures, supervision ledger."""

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy
from dutyops import selectors as org
from dutyops.api import as_id
from dutyops.errors import Forbidden, Invalid
from realtime.selectors import latest_seq

from . import selectors, services
from .serializers import AlertPageSerializer
from .views import COLUMNS, figures_for


@login_required
def console(request):
    """A department's open alerts with live countdowns; sign-for and feedback in one or two taps."""
    user = request.user
    department = user.department
    # Not a number: the person's own department, as for no choice (not an error on a page).
    asked = org.department(as_id(request.GET.get("department")))
    if asked is not None and policy.may(user, "alert.view", asked):
        department = asked
    # The stream position is read before the list: whatever changes after is replayed.
    seq = latest_seq()
    alerts = selectors.open_alerts_of_department(department.pk) if department else []
    prefetch_related_objects(alerts, "feedback__author")
    return render(
        request,
        "alerts/console.html",
        {"department": department, "alerts_json": AlertPageSerializer(alerts, many=True).data, "seq": seq},
    )


@login_required
def office(request):
    """The duty office's view: every open alert, to close or return for more."""
    if not policy.may(request.user, "page.office"):
        raise Forbidden(_("通知督办页面仅对值班室人员和领导开放；部门的待办通知在“部门工作台”。"))
    seq = latest_seq()
    alerts = selectors.open_alerts_for(request.user)
    departments = selectors.alertable_departments()
    return render(
        request,
        "alerts/office.html",
        {"alerts_json": AlertPageSerializer(alerts, many=True).data, "seq": seq, "departments": departments},
    )


def _bars(rows, key, width=560, bar=18, gap=8, label_w=150):
    """An inline SVG bar chart (percentages), drawn server-side: no chart library, no CDN."""
    items = []
    for i, r in enumerate(rows):
        value = r[key]
        y = i * (bar + gap)
        length = 0 if value is None else (width - label_w - 60) * value / 100
        items.append(
            {"y": y, "ty": y + bar * 0.75, "name": r["department_name"], "w": round(length, 1), "value": value}
        )
    return {
        "items": items,
        "height": max(1, len(rows)) * (bar + gap),
        "width": width,
        "bar": bar,
        "label_w": label_w,
    }


@login_required
def performance(request):
    try:
        label, _start, _end, rows, duty_room = figures_for(request.GET, request.user)
        error = ""
    except Invalid:
        label, _start, _end, rows, duty_room = figures_for({}, request.user)
        error = _("期间格式无效，已显示本月。")
    table = [[r[k] for k, _h in COLUMNS] for r in rows]
    people = selectors.discipline_for(request.user, _start, _end)
    return render(
        request,
        "alerts/performance.html",
        {
            "label": label,
            "rows": rows,
            "table": table,
            "headers": [h for _k, h in COLUMNS],
            "duty_room": duty_room,
            "people": people,
            "sign_chart": _bars(rows, "signed_on_time_pct"),
            "feedback_chart": _bars(rows, "fed_back_on_time_pct"),
            "query": request.GET.urlencode(),
            "error": error,
        },
    )


@login_required
def supervision(request):
    """The supervision ledger (督办台账), with each case's next steps for whoever may take them:
    the office assigns, reviews and re-checks; the responsible departments report and complete."""
    user = request.user
    cases = selectors.ledger_cases_for(user)
    for case in cases:
        case.steps = services.case_steps(case, user)
    manages = services.is_office(user)
    departments = selectors.alertable_departments() if manages else []
    return render(
        request,
        "alerts/supervision.html",
        {"cases": cases, "now": timezone.now(), "departments": departments},
    )
