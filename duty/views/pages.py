"""Duty pages: the roster month, check-in, handover, the daily report's print view."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dutyops import policy
from dutyops import selectors as org
from dutyops.api import as_id
from dutyops.pages import reported
from dutyops.params import YEARS
from realtime.selectors import latest_seq

from .. import selectors, services


def _chosen_room(request, rooms):
    wanted = as_id(request.GET.get("department"))
    by_id = {r.pk: r for r in rooms}
    if wanted in by_id:
        return by_id[wanted]
    if request.user.department_id in by_id:
        return by_id[request.user.department_id]
    return rooms[0] if rooms else None


def _month(request):
    try:
        first = datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
        if first.year not in YEARS:
            raise ValueError(first)
    except ValueError:
        first = timezone.localdate().replace(day=1)
    return first


@login_required
def roster_page(request):
    """Roster month view per duty room + who is on duty now + check-in button."""
    seq = latest_seq()  # before reading the roster: the live stream resumes from here
    rooms = selectors.rooms_for(request.user)
    room = _chosen_room(request, rooms)
    if room is None:
        raise Http404
    first, last = selectors.month_bounds(_month(request))
    now = timezone.now()
    return render(
        request,
        "duty/roster.html",
        {
            "rooms": rooms,
            "room": room,
            "month": first,
            "prev_month": (first - datetime.timedelta(days=1)).replace(day=1),
            "next_month": last + datetime.timedelta(days=1),
            "weeks_pad": [None] * first.weekday(),
            "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
            "days": selectors.roster_days(room, first, last),
            **selectors.my_duty(request.user, room, now),
            "issues": selectors.coverage(room.pk, now, now + datetime.timedelta(days=7)),
            "may_write": policy.may(request.user, "roster.write", room),
            "seq": seq,
        },
    )


@login_required
@require_POST
def check_in_page(request, shift_id):
    shift = get_object_or_404(selectors.all_shifts(), pk=shift_id)
    with reported(request):
        _checkin, created = services.check_in(shift, request.user)
        messages.success(request, _("已到岗签到。") if created else _("您已签到过。"))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(f"/duty/?department={shift.duty_room_id}")


@login_required
def handover_page(request, shift_id):
    """Outgoing writes the handover; incoming signs it."""
    shift = get_object_or_404(selectors.shifts_with_people(), pk=shift_id)
    if not policy.may(request.user, "duty.view", shift.duty_room):
        raise Http404
    if request.method == "POST":
        with reported(request):
            if request.POST.get("action") == "sign":
                handover = selectors.handover_of(shift)
                if handover is None:
                    raise Http404
                services.sign_handover(handover, request.user, request.POST.get("sign_note", "")[:500])
                messages.success(request, _("已签收交班记录。"))
            else:
                services.write_handover(shift, request.POST.get("note", ""), request.user)
                messages.success(request, _("交班记录已提交。"))
        return redirect("duty-handover", shift_id=shift.pk)
    handover = selectors.handover_of(shift)
    incoming = selectors.incoming_shift(shift, handover)
    # Offered only to who may act: the outgoing shift writes, the incoming shift signs
    # (the services refuse anyone else; the page does not let them type in vain).
    if incoming is not None:
        may_sign = policy.may(request.user, "handover.write", incoming)
    else:
        may_sign = policy.scope(request.user, "handover.write") is None
    return render(
        request,
        "duty/handover.html",
        {
            "shift": shift,
            "officers": selectors.officers_of(shift),
            "handover": handover,
            "incoming": incoming,
            "incoming_officers": selectors.officers_of(incoming) if incoming else [],
            "open_items": selectors.display_items(
                handover.open_items if handover else selectors.open_items_for_handover(shift.duty_room)
            ),
            "log": selectors.duty_log(shift),
            "now": timezone.now(),
            "may_write": policy.may(request.user, "handover.write", shift) and shift.starts_at <= timezone.now(),
            "may_sign": may_sign and (handover is None or request.user.pk != handover.written_by_id),
        },
    )


@login_required
def daily_report_page(request, department_id, day):
    """值班日报 print view (A4)."""
    room = org.department(department_id)
    if room is None or not policy.may(request.user, "duty.view", room):
        raise Http404
    try:
        day = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if day.year not in YEARS:
        raise Http404
    return render(request, "duty/daily_report.html", {"r": selectors.daily_report(room, day)})
