"""What a high-impact action will do, said before it is done (reads only).

The one confirmation dialog (static/forms.js, DutyForms.ask) shows these:
- activate plan P at level L on incident I: which departments get which tasks, and
  whether it starts now or waits for a leader's approval;
- change level: the tasks a raised level adds (lowering sends nothing);
- terminate: the open alerts that close with the response;
- approve a pending request: what that request does;
- close incident I: its open alerts and pending reporting clocks;
- merge incident I into N: both incidents, side by side.

Each returns {"action", "title", "lines", "sections": [{"heading", "items"}],
"departments": [{"id", "name", "tasks": [duty, ...]}], "confirm", "cancel"}: the
dialog's words, translated here (gettext), and the departments for a program.
"""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alerts.models import Alert
from alerts.selectors import alerts_for
from dutyops.api import as_id
from dutyops.errors import Conflict, Invalid
from dutyops.models import Department
from incidents.models import OPEN_STATUSES, Incident, IncidentClock

from .documents import effective_tasks
from .matching import LEVEL_CN
from .models import LEVELS, Activation, ActivationRequest, Plan
from .services import can_approve


def _when(value):
    return date_format(timezone.localtime(value), "n月j日 H:i") if value else "—"


def _level_name(level):
    return LEVEL_CN.get(level, level or "")


def _result(action, title, *, lines=(), sections=(), departments=(), confirm=None):
    return {
        "action": action,
        "title": title,
        "lines": [line for line in lines if line],
        "sections": [s for s in sections if s["items"]],
        "departments": list(departments),
        "confirm": confirm or _("确认"),
        "cancel": _("取消"),
    }


def _task_departments(tasks):
    """[{id, name, tasks: [duty..], ack_minutes}] in plan order, one entry per department."""
    names = dict(Department.objects.filter(pk__in=[t["department"] for t in tasks]).values_list("pk", "name"))
    out, index = [], {}
    for task in tasks:
        dept = task["department"]
        if dept not in names:  # removed from the organisation since the version was issued
            continue
        if dept not in index:
            index[dept] = len(out)
            out.append({"id": dept, "name": names[dept], "tasks": [], "ack_minutes": task.get("ack_minutes")})
        out[index[dept]]["tasks"].append(task["duty"])
    return out


def _task_section(heading, departments):
    items = [
        _("%(dept)s：%(tasks)s（%(m)s 分钟内签收）")
        % {"dept": d["name"], "tasks": "；".join(d["tasks"]), "m": d["ack_minutes"] or "—"}
        for d in departments
    ]
    return {"heading": heading, "items": items}


def _incident_line(incident):
    parts = [f"#{incident.pk} {incident.title}", incident.get_status_display()]
    if incident.grade:
        parts.append(incident.get_grade_display())
    if incident.location_text:
        parts.append(incident.location_text)
    parts.append(_("接报 %(t)s") % {"t": _when(incident.reported_at)})
    parts.append(_("报告 %(n)d 份") % {"n": incident.reports.count()})
    return " · ".join(parts)


def activation(user, incident, plan, level):
    """Activating `plan` at `level` on `incident`: the tasks that go to which departments."""
    if not isinstance(plan, Plan):
        plan = Plan.objects.filter(pk=plan).first()
    if plan is None:
        raise Invalid({"plan": [_("预案不存在。")]})
    if level not in LEVELS or level not in {lv["level"] for lv in plan.levels}:
        raise Invalid({"level": [_("该预案没有 %(l)s 级响应。") % {"l": level}]})
    departments = _task_departments(effective_tasks(plan.levels, level))
    now = can_approve(user, incident)
    title = _("启动“%(plan)s”%(level)s响应？") % {"plan": plan.title, "level": _level_name(level)}
    lines = [
        _("事件：%(i)s") % {"i": _incident_line(incident)},
        _("批准后立即向以下 %(n)d 个单位下发任务：") % {"n": len(departments)}
        if now
        else _("将提请领导审批；批准后向以下 %(n)d 个单位下发任务：") % {"n": len(departments)},
    ]
    if not departments:
        lines.append(_("该级别没有下发给任何单位的任务。"))
    section = _task_section(_("各单位任务"), departments)
    confirm = _("确认启动") if now else _("确认提请")
    return _result("activate", title, lines=lines, sections=[section], departments=departments, confirm=confirm)


def _new_tasks(activation_, level):
    sent = set(activation_.tasks.values_list("department_id", "duty"))
    levels = activation_.plan_version.content.get("levels", [])
    return [t for t in effective_tasks(levels, level) if (t["department"], t["duty"]) not in sent]


def change_level(user, activation_, level):
    if level not in LEVELS:
        raise Invalid({"level": [_("响应级别必须是 I、II、III 或 IV。")]})
    if activation_.state != Activation.State.ACTIVE:
        raise Conflict(_("只有响应中的预案可以调整级别。"))
    old = activation_.level
    raised = bool(old) and LEVELS.index(level) < LEVELS.index(old)
    title = _("“%(plan)s”由%(old)s响应调整为%(new)s响应？") % {
        "plan": activation_.plan.title,
        "old": _level_name(old),
        "new": _level_name(level),
    }
    departments = _task_departments(_new_tasks(activation_, level)) if raised else []
    lines = [_("事件：%(i)s") % {"i": _incident_line(activation_.incident)}]
    if not can_approve(user, activation_.incident):
        lines.append(_("将提请领导审批，批准后生效。"))
    if raised:
        lines.append(
            _("提高级别：向以下 %(n)d 个单位追加下发任务：") % {"n": len(departments)}
            if departments
            else _("提高级别：没有需要追加下发的任务。")
        )
    else:
        lines.append(_("降低级别：不下发新任务，已下发的通知继续办理。"))
    section = _task_section(_("追加任务"), departments)
    return _result("change_level", title, lines=lines, sections=[section], departments=departments)


def _open_alert_items(alerts):
    return [
        _("%(dept)s：%(duty)s（%(state)s）")
        % {"dept": a.department.name, "duty": a.duty[:60], "state": a.get_state_display()}
        for a in alerts
    ]


def terminate(user, activation_):
    if activation_.state != Activation.State.ACTIVE:
        raise Conflict(_("只有响应中的预案可以终止。"))
    alerts = list(  # those the person may see: never another department's (dutyops.policy)
        alerts_for(user)
        .filter(activation_id=activation_.pk)
        .exclude(state=Alert.State.CLOSED)
        .select_related("department")
        .order_by("department__code", "id")
    )
    title = _("终止“%(plan)s”%(level)s响应？") % {
        "plan": activation_.plan.title,
        "level": _level_name(activation_.level),
    }
    lines = [_("事件：%(i)s") % {"i": _incident_line(activation_.incident)}]
    if not can_approve(user, activation_.incident):
        lines.append(_("将提请领导审批，批准后生效。"))
    lines.append(
        _("终止后以下 %(n)d 条未办结通知随之办结：") % {"n": len(alerts)} if alerts else _("没有未办结的通知。")
    )
    section = {"heading": _("随之办结的通知"), "items": _open_alert_items(alerts)}
    departments = [{"id": a.department_id, "name": a.department.name, "tasks": [a.duty]} for a in alerts]
    return _result("terminate", title, lines=lines, sections=[section], departments=departments, confirm=_("确认终止"))


def approve(user, activation_):
    request = activation_.requests.filter(state=ActivationRequest.State.PENDING).first()
    if request is None:
        raise Conflict(_("没有待审批的事项。"))
    if request.action == ActivationRequest.Action.ACTIVATE:
        result = activation(user, activation_.incident, activation_.plan, request.level)
        if activation_.plan_version.number != activation_.plan.version:  # follows the version it was proposed on
            departments = _task_departments(
                effective_tasks(activation_.plan_version.content.get("levels", []), request.level)
            )
            result.update(departments=departments, sections=[_task_section(_("各单位任务"), departments)])
    elif request.action == ActivationRequest.Action.CHANGE_LEVEL:
        result = change_level(user, activation_, request.level)
    else:
        result = terminate(user, activation_)
    result["title"] = _("批准：%(t)s") % {"t": result["title"]}
    result["confirm"] = _("确认批准")
    result["action"] = "approve"
    return result


def close(user, incident):
    alerts = list(  # those the person may see: never another department's (dutyops.policy)
        alerts_for(user)
        .filter(incident=incident)
        .exclude(state=Alert.State.CLOSED)
        .select_related("department")
        .order_by("department__code", "id")
    )
    clocks = list(
        IncidentClock.objects.filter(incident=incident, satisfied_at__isnull=True, cancelled_at__isnull=True).order_by(
            "due_at"
        )
    )
    title = _("办结事件 #%(n)d %(t)s？") % {"n": incident.pk, "t": incident.title}
    lines = [
        _incident_line(incident),
        _("办结后需说明原因才能重新打开。"),
        _("仍有 %(n)d 条通知未办结，办结事件不会关闭它们。") % {"n": len(alerts)} if alerts else "",
        _("未完成的报告时限将取消：%(c)s")
        % {"c": "、".join(f"{c.get_kind_display()}（{_when(c.due_at)}）" for c in clocks)}
        if clocks
        else "",
    ]
    section = {"heading": _("未办结的通知"), "items": _open_alert_items(alerts)}
    return _result("close", title, lines=lines, sections=[section], confirm=_("确认办结"))


def merge(user, source, target):
    if source.pk == target.pk:
        raise Conflict(_("不能把事件合并到自身。"))
    if target.status not in OPEN_STATUSES:
        raise Conflict(_("只能合并到未办结的事件。"))
    if source.status not in OPEN_STATUSES:
        raise Conflict(_("只能合并未办结的事件。"))
    if source.is_drill != target.is_drill:
        raise Conflict(_("演练事件与真实事件不能合并。"))
    title = _("将 #%(s)d 合并到 #%(t)d？") % {"s": source.pk, "t": target.pk}
    sections = [
        {"heading": _("合并此事件（将标记为已合并）"), "items": [_incident_line(source)]},
        {"heading": _("到此事件（保留，接收全部报告和时间线）"), "items": [_incident_line(target)]},
    ]
    lines = [_("合并后，#%(s)d 的报告、时限和后续续报都归入 #%(t)d；不能撤销。") % {"s": source.pk, "t": target.pk}]
    return _result("merge", title, lines=lines, sections=sections, confirm=_("确认合并"))


ACTIONS = ("activate", "change_level", "terminate", "approve", "close", "merge")


def incident_for(user, visible, pk):
    """The incident by id among those `visible` (a queryset), or Invalid."""
    incident = visible.filter(pk=pk).first() if pk is not None else None
    if incident is None:
        raise Invalid({"incident": [_("事件不存在或无权查看。")]})
    return incident


def of(user, params, visible):
    """Dispatch on params["action"]; `visible` is the incidents this user may see."""
    action = params.get("action")
    if action not in ACTIONS:
        raise Invalid({"action": [_("未知的操作：%(a)s") % {"a": action}]})
    if action in ("change_level", "terminate", "approve"):
        act = (
            Activation.objects.select_related("plan", "plan_version", "incident")
            .filter(pk=as_id(params.get("activation")), incident__in=visible)
            .first()
        )
        if act is None:
            raise Invalid({"activation": [_("预案启动记录不存在或无权查看。")]})
        if action == "change_level":
            return change_level(user, act, params.get("level"))
        if action == "terminate":
            return terminate(user, act)
        return approve(user, act)
    incident = incident_for(user, visible, as_id(params.get("incident")))
    if action == "activate":
        return activation(user, incident, as_id(params.get("plan")), params.get("level"))
    if action == "close":
        return close(user, incident)
    into = Incident.objects.filter(pk=as_id(params.get("into"))).first()
    if into is None or not visible.filter(pk=into.pk).exists():
        raise Invalid({"into": [_("目标事件不存在或无权查看。")]})
    return merge(user, incident, into)
