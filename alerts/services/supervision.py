"""Supervised cases (督办): open, assign (alerts go out), progress, complete,
review, re-check (回头看); chased a day before the deadline and at it."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy, timers
from dutyops.errors import Conflict, Forbidden, Invalid, NotFound
from dutyops.models import Department
from dutyops.times import short
from realtime.services import emit, lock_stream

from ..models import DEFAULT_ACK_MINUTES, Alert, CaseEntry, SupervisionCase
from ..timer_keys import cancel_keys
from .alerts import T_CASE_DUE, T_CASE_RECHECK, _require_office, dispatch_alert, is_office

DEFAULT_CASE_HOURS = 72
CASE_REMIND_BEFORE = dt.timedelta(hours=24)

CASE_FLOW = {
    SupervisionCase.State.REGISTERED: {SupervisionCase.State.ASSIGNED},
    SupervisionCase.State.ASSIGNED: {SupervisionCase.State.IN_PROGRESS, SupervisionCase.State.COMPLETED},
    SupervisionCase.State.IN_PROGRESS: {SupervisionCase.State.COMPLETED},
    SupervisionCase.State.COMPLETED: {SupervisionCase.State.REVIEWED, SupervisionCase.State.IN_PROGRESS},
    SupervisionCase.State.REVIEWED: set(),
}


def _case_emit(case, type, actor=None, **extra):
    departments = sorted(case.departments.values_list("pk", flat=True))
    emit(
        type,
        {
            "id": case.pk,
            "title": case.title,
            "state": case.state,
            "incident": case.incident_id,
            "deadline": case.deadline,
            "departments": departments,
            **extra,
        },
        actor=actor,
        incident_id=case.incident_id,
        departments=departments,
    )


def _entry(case, kind, actor, text="", state_from="", state_to=""):
    return CaseEntry.objects.create(
        case=case,
        kind=kind,
        text=text,
        state_from=state_from,
        state_to=state_to,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        at=timezone.now(),
    )


def _schedule_case(case):
    cancel_keys(Q(kind=T_CASE_DUE, key__in=[f"case:{case.pk}:before", f"case:{case.pk}:due"]))
    timers.reschedule(
        T_CASE_DUE, f"case:{case.pk}:before", case.deadline - CASE_REMIND_BEFORE, case=case.pk, when="before"
    )
    timers.reschedule(T_CASE_DUE, f"case:{case.pk}:due", case.deadline, case=case.pk, when="due")


@transaction.atomic
def open_case(
    *,
    title,
    content,
    deadline=None,
    actor=None,
    incident=None,
    standard="",
    responsible_leader=None,
    departments=(),
    instruction_id=None,
    recheck_at=None,
):
    """Register a supervised case; with departments it is assigned at once (alerts go out)."""
    title, content = (title or "").strip(), (content or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("请填写标题。")]
    if not content:
        errors["content"] = [_("请填写督办内容。")]
    now = timezone.now()
    deadline = deadline or now + dt.timedelta(hours=DEFAULT_CASE_HOURS)
    if deadline <= now:
        errors["deadline"] = [_("办理时限须晚于现在。")]
    if recheck_at and recheck_at <= deadline:
        errors["recheck_at"] = [_("回头看日期须晚于办理时限。")]
    if errors:
        raise Invalid(errors)
    case = SupervisionCase.objects.create(
        incident=incident,
        instruction_id=instruction_id,
        title=title[:200],
        content=content,
        standard=standard or "",
        responsible_leader=responsible_leader,
        deadline=deadline,
        recheck_at=recheck_at,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _entry(case, "registered", actor, content, "", case.state)
    _schedule_case(case)
    departments = list(departments)
    if departments:
        _assign(case, departments, actor)
    _case_emit(case, "supervision.created", actor=actor)
    return case


def _assign(case, departments, actor):
    case.departments.add(*departments)
    before = case.state
    case.state = SupervisionCase.State.ASSIGNED
    case.save(update_fields=["state"])
    names = "、".join(d.name for d in departments)
    _entry(case, "assigned", actor, names, before, case.state)
    if case.incident_id is not None:
        minutes = max(1, int((case.deadline - timezone.now()).total_seconds() // 60))
        for department in departments:
            if not Alert.objects.filter(supervision=case, department=department).exists():
                dispatch_alert(
                    incident=case.incident,
                    department=department,
                    duty=_("【督办】%(c)s") % {"c": case.content},
                    ack_minutes=min(DEFAULT_ACK_MINUTES, minutes),
                    feedback_minutes=minutes,
                    actor=actor,
                    source=Alert.Source.INSTRUCTION,
                    supervision=case,
                    instruction_id=case.instruction_id,
                )


def _locked_case(case_id):
    lock_stream()  # before the row lock, as in _locked
    try:
        return SupervisionCase.objects.select_for_update().get(pk=getattr(case_id, "pk", case_id))
    except SupervisionCase.DoesNotExist:
        raise NotFound() from None


def _case_act(actor, case):
    """Office staff drive every case; a responsible department's liaison reports progress on its own."""
    if not policy.may(actor, "case.act", case):
        raise Forbidden(_("只能办理本单位的督办事项。"))


def case_steps(case, person):
    """The steps `person` may take on `case` now, by the rules the steps below
    enforce: the office assigns, reviews and re-checks; the office and the
    responsible departments report progress and complete. (case.departments
    prefetched: no query.)"""
    office = is_office(person)
    handles = office or any(d.pk == person.department_id for d in case.departments.all())
    reachable = CASE_FLOW[case.state]
    steps = set()
    if office and case.state in (SupervisionCase.State.REGISTERED, SupervisionCase.State.ASSIGNED):
        steps.add("assign")
    if handles and SupervisionCase.State.COMPLETED in reachable:
        steps |= {"progress", "complete"}
    if office and SupervisionCase.State.REVIEWED in reachable:
        steps.add("review")
    if office and case.state == SupervisionCase.State.REVIEWED:
        steps.add("recheck")
    return steps


def _move(case, to):
    if to not in CASE_FLOW[case.state]:
        raise Conflict(
            _("督办事项当前为「%(s)s」，不能变为「%(t)s」。")
            % {"s": case.get_state_display(), "t": SupervisionCase.State(to).label}
        )
    before = case.state
    case.state = to
    return before


@transaction.atomic
def assign_case(case_id, actor, departments):
    case = _locked_case(case_id)
    _require_office(actor)
    if not departments:
        raise Invalid({"departments": [_("请选择责任单位。")]})
    if case.state not in (SupervisionCase.State.REGISTERED, SupervisionCase.State.ASSIGNED):
        raise Conflict(_("只有已登记或已交办的事项可以交办。"))
    _assign(case, list(departments), actor)
    _case_emit(case, "supervision.assigned", actor=actor)
    return case


@transaction.atomic
def report_progress(case_id, actor, text):
    """A progress note; the first one moves an assigned case to in_progress."""
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": [_("请填写办理进展。")]})
    case = _locked_case(case_id)
    _case_act(actor, case)
    if case.state in (SupervisionCase.State.REGISTERED, SupervisionCase.State.REVIEWED):
        raise Conflict(_("该督办事项当前不能报送进展。"))
    before = case.state
    if case.state == SupervisionCase.State.ASSIGNED:
        _move(case, SupervisionCase.State.IN_PROGRESS)
        case.save(update_fields=["state"])
    _entry(case, "progress", actor, text, before, case.state)
    _case_emit(case, "supervision.progress", actor=actor, text=text[:60])
    return case


@transaction.atomic
def complete_case(case_id, actor, text):
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": [_("请填写办结情况。")]})
    case = _locked_case(case_id)
    _case_act(actor, case)
    before = _move(case, SupervisionCase.State.COMPLETED)
    case.completed_at = timezone.now()
    case.save(update_fields=["state", "completed_at"])
    cancel_keys(Q(kind=T_CASE_DUE, key__in=[f"case:{case.pk}:before", f"case:{case.pk}:due"]))
    _entry(case, "completed", actor, text, before, case.state)
    _case_emit(case, "supervision.completed", actor=actor, on_time=case.completed_at <= case.deadline)
    return case


@transaction.atomic
def review_case(case_id, actor, text, accepted=True, recheck_at=None):
    """The office reviews a completed case: accept (with a re-check date) or send it back."""
    case = _locked_case(case_id)
    _require_office(actor)
    text = (text or "").strip()
    if recheck_at and case.completed_at and recheck_at <= timezone.now():
        raise Invalid({"recheck_at": [_("回头看日期须晚于现在。")]})
    if accepted:
        before = _move(case, SupervisionCase.State.REVIEWED)
        case.reviewed_at = timezone.now()
        case.recheck_at = recheck_at or case.recheck_at
        case.save(update_fields=["state", "reviewed_at", "recheck_at"])
        if case.recheck_at:
            timers.reschedule(T_CASE_RECHECK, f"case:{case.pk}:recheck", case.recheck_at, case=case.pk)
        _entry(case, "reviewed", actor, text, before, case.state)
    else:
        if not text:
            raise Invalid({"text": [_("请说明退回原因。")]})
        before = _move(case, SupervisionCase.State.IN_PROGRESS)
        case.completed_at = None
        case.save(update_fields=["state", "completed_at"])
        if case.deadline > timezone.now():
            _schedule_case(case)
        _entry(case, "sent_back", actor, text, before, case.state)
    _case_emit(case, "supervision.reviewed", actor=actor, accepted=accepted)
    return case


@transaction.atomic
def record_recheck(case_id, actor, text):
    """回头看: what the later re-check found, added to the ledger."""
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": [_("请填写回头看情况。")]})
    case = _locked_case(case_id)
    _require_office(actor)
    if case.state != SupervisionCase.State.REVIEWED:
        raise Conflict(_("复核通过后才能回头看。"))
    _entry(case, "rechecked", actor, text, case.state, case.state)
    timers.cancel(kind=T_CASE_RECHECK, key=f"case:{case.pk}:recheck")
    _case_emit(case, "supervision.rechecked", actor=actor, text=text[:60])
    return case


def case_timer(case_id, when):
    """Chasing a case: a day before its deadline, and at it."""
    case = _locked_case(case_id)
    if case.state in (SupervisionCase.State.COMPLETED, SupervisionCase.State.REVIEWED):
        return
    if when == "before":
        kind, summary = (
            "reminded",
            _("督办事项将于 %(due)s 到期：%(t)s") % {"due": short(case.deadline), "t": case.title},
        )
    else:
        kind, summary = "overdue", _("督办事项已超期：%(t)s") % {"t": case.title}
    _entry(case, kind, None, summary, case.state, case.state)
    _case_emit(case, f"supervision.{kind}")


def case_recheck_due(case_id):
    case = _locked_case(case_id)
    if case.state != SupervisionCase.State.REVIEWED:
        return
    summary = _("督办事项到回头看日期：%(t)s") % {"t": case.title}
    _entry(case, "recheck_due", None, summary, case.state, case.state)
    _case_emit(case, "supervision.recheck_due")


def open_case_for_instruction(instruction, departments=()):
    """A leader's instruction becomes a supervised case (督办).

    Responsible leader: the instruction's author. Departments: the responsible
    departments the leader named with the instruction; if none, those with plan
    or manual alerts on the incident. Deadline: DEFAULT_CASE_HOURS.
    """
    if SupervisionCase.objects.filter(instruction_id=instruction.pk).exists():
        return None
    incident = instruction.incident
    departments = (
        list(departments)
        or Department.objects.filter(
            alerts__incident=incident, alerts__source__in=[Alert.Source.PLAN, Alert.Source.MANUAL]
        ).distinct()
    )
    title = _("领导批示督办：%(t)s") % {"t": incident.title or instruction.text[:40]}
    return open_case(
        title=title,
        content=instruction.text or title,
        actor=instruction.author,
        incident=incident,
        responsible_leader=instruction.author,
        departments=departments,
        instruction_id=instruction.pk,
    )
