"""换班 and 替班: request, answer, decide, cancel. Every step is kept and is an event."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy
from dutyops.errors import Conflict, Forbidden, Invalid
from realtime.services import emit

from .. import selectors
from ..models import Shift, SwapRequest
from .shifts import emit_shift_changed, lock_room_and_people, role_on, set_officers, validate_shift


def _emit_swap(swap, verb, actor):
    shift = swap.shift
    rooms = {shift.duty_room_id}
    if swap.counterpart_shift_id:
        rooms.add(swap.counterpart_shift.duty_room_id)
    data = {
        "id": swap.pk,
        "kind": swap.kind,
        "state": swap.state,
        "shift": swap.shift_id,
        "counterpart_shift": swap.counterpart_shift_id,
        "requester": swap.requester_id,
        "counterpart": swap.counterpart_id,
        "duty_room": shift.duty_room_id,
        "duty_room_name": shift.duty_room.name,
        "starts_at": shift.starts_at,
        "requester_name": str(swap.requester),
        "counterpart_name": str(swap.counterpart),
        "actor_name": str(actor),
    }
    emit(f"swap.{verb}", data, actor=actor, departments=sorted(rooms))


def _swap_plan(swap):
    """[(shift, new leader, new officers)] that approving `swap` would produce."""
    plan = []
    pairs = [(swap.shift_id, swap.requester, swap.counterpart)]
    if swap.kind == SwapRequest.Kind.SWAP:
        pairs.append((swap.counterpart_shift_id, swap.counterpart, swap.requester))
    for shift_id, out, into in pairs:
        shift = selectors.shifts_with_people().get(pk=shift_id)
        leader, officers = shift.leader, selectors.officers_of(shift)
        if shift.leader_id == out.pk:
            leader = into
        else:
            officers = [into if p.pk == out.pk else p for p in officers]
        plan.append((shift, leader, officers))
    return plan


def _check_plan(plan):
    excluded = [s.pk for s, _leader, _officers in plan]
    for shift, leader, officers in plan:
        validate_shift(shift.duty_room, shift.starts_at, shift.ends_at, leader, officers, exclude=excluded)


def _request_errors(actor, shift, counterpart, kind, counterpart_shift):
    errors = {}
    if role_on(shift, actor) is None:
        errors["shift"] = [_("只能为本人的班次申请换班或替班。")]
    if counterpart.pk == actor.pk:
        errors["counterpart"] = [_("不能与本人换班。")]
    if kind == SwapRequest.Kind.SWAP:
        if counterpart_shift is None:
            errors["counterpart_shift"] = [_("换班必须指定对方的班次。")]
        elif counterpart_shift.pk == shift.pk:
            errors["counterpart_shift"] = [_("对方班次不能是本班次。")]
        elif role_on(counterpart_shift, counterpart) is None:
            errors["counterpart_shift"] = [_("对方不在该班次上。")]
    elif counterpart_shift is not None:
        errors["counterpart_shift"] = [_("替班不需要对方班次。")]
    elif role_on(shift, counterpart) is not None:
        errors["counterpart"] = [_("对方已在本班次上。")]
    return errors


@transaction.atomic
def request_swap(*, actor, shift, counterpart, kind, counterpart_shift=None, reason=""):
    shift = Shift.objects.select_related("duty_room", "leader").get(pk=shift.pk)
    errors = _request_errors(actor, shift, counterpart, kind, counterpart_shift)
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    if shift.ends_at <= now or (counterpart_shift is not None and counterpart_shift.ends_at <= now):
        raise Conflict(_("已结束的班次不能换班。"))
    if SwapRequest.objects.filter(
        shift=shift, requester=actor, state__in=[SwapRequest.State.REQUESTED, SwapRequest.State.ACCEPTED]
    ).exists():
        raise Conflict(_("本班次已有一个待处理的换班申请。"))
    swap = SwapRequest(
        kind=kind,
        shift=shift,
        requester=actor,
        counterpart=counterpart,
        counterpart_shift=counterpart_shift,
        reason=reason,
    )
    _check_plan(_swap_plan(swap))
    swap.save()
    _emit_swap(swap, "requested", actor)
    return swap


def _locked_swap(swap):
    return (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("shift__duty_room", "counterpart_shift__duty_room", "requester", "counterpart")
        .get(pk=swap.pk)
    )


def may_approve_swap(person, swap):
    """Admins, or a duty leader of the room (or of a unit above it), not a party to the swap."""
    if person.pk in (swap.requester_id, swap.counterpart_id):
        return False
    return policy.may(person, "swap.approve", swap.shift.duty_room)


@transaction.atomic
def answer_swap(swap, actor, accept):
    swap = _locked_swap(swap)
    if actor.pk != swap.counterpart_id:
        raise Forbidden(_("只有被申请人可以同意或拒绝。"))
    if swap.state != SwapRequest.State.REQUESTED:
        raise Conflict(_("该申请当前状态为“%(state)s”，不能再答复。") % {"state": swap.get_state_display()})
    swap.state = SwapRequest.State.ACCEPTED if accept else SwapRequest.State.DECLINED
    swap.answered_at = timezone.now()
    swap.save(update_fields=["state", "answered_at"])
    _emit_swap(swap, "accepted" if accept else "declined", actor)
    return swap


def _apply_swap(swap, now):
    """Put the people where the approved swap says; returns the plan applied."""
    if swap.shift.ends_at <= now or (swap.counterpart_shift and swap.counterpart_shift.ends_at <= now):
        raise Conflict(_("班次已结束，不能再换班。"))
    plan = _swap_plan(swap)
    for shift, _leader, _officers in plan:
        if role_on(shift, swap.requester if shift.pk == swap.shift_id else swap.counterpart) is None:
            raise Conflict(_("班次人员已变动，原申请不再适用。"))
    rooms = {s.duty_room_id for s, _leader, _officers in plan}
    lock_room_and_people(min(rooms), {swap.requester_id, swap.counterpart_id})
    try:
        _check_plan(plan)
    except Invalid as exc:
        raise Conflict(" ".join(exc.messages)) from None
    for shift, leader, officers in plan:
        shift.leader = leader
        shift.pinned = True
        shift.save(update_fields=["leader", "pinned", "updated_at"])
        set_officers(shift, officers)
    return plan


@transaction.atomic
def decide_swap(swap, actor, approve, note=""):
    swap = _locked_swap(swap)
    if not may_approve_swap(actor, swap):
        raise Forbidden(_("只有该值班室的带班领导可以审批，且不能审批本人参与的换班。"))
    if swap.state != SwapRequest.State.ACCEPTED:
        raise Conflict(_("该申请当前状态为“%(state)s”，不能审批。") % {"state": swap.get_state_display()})
    now = timezone.now()
    plan = _apply_swap(swap, now) if approve else []
    swap.state = SwapRequest.State.APPROVED if approve else SwapRequest.State.REJECTED
    swap.decided_at, swap.decided_by, swap.decision_note = now, actor, note
    swap.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    for shift, _leader, officers in plan:
        emit_shift_changed(shift, "swapped", actor, officers)
    _emit_swap(swap, "approved" if approve else "rejected", actor)
    return swap


@transaction.atomic
def cancel_swap(swap, actor):
    swap = _locked_swap(swap)
    if actor.pk != swap.requester_id:
        raise Forbidden(_("只有申请人可以撤回。"))
    if swap.state not in (SwapRequest.State.REQUESTED, SwapRequest.State.ACCEPTED):
        raise Conflict(_("该申请当前状态为“%(state)s”，不能撤回。") % {"state": swap.get_state_display()})
    swap.state = SwapRequest.State.CANCELLED
    swap.decided_at = timezone.now()
    swap.save(update_fields=["state", "decided_at"])
    _emit_swap(swap, "cancelled", actor)
    return swap
