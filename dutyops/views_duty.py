"""Duty API (shifts, duty/now, rotations, swaps, coverage, check-in, handover, log,
iCal, exports) and duty pages. Thin: the work is in services and selectors."""

import csv
import datetime
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from realtime.selectors import latest_seq

from . import selectors, services
from .api import ReadOrRoles, as_id
from .models import (
    Absence,
    CalendarFeed,
    Department,
    DutyRule,
    Handover,
    Holiday,
    Leave,
    PostCheck,
    Role,
    Rotation,
    Shift,
    SwapRequest,
)
from .serializers_duty import (
    YEARS,
    AbsenceSerializer,
    CalendarFeedSerializer,
    CheckInSerializer,
    DecisionSerializer,
    DutyLogEntrySerializer,
    DutyLogItemSerializer,
    DutyRuleSerializer,
    GenerateResultSerializer,
    GenerateRosterSerializer,
    HandoverSerializer,
    HandoverStateSerializer,
    HolidaySerializer,
    LeaveSerializer,
    OnDutySerializer,
    PostCheckSerializer,
    RotationSerializer,
    ShiftSerializer,
    SignSerializer,
    SwapRequestSerializer,
)

ROSTER_WRITERS = (Role.ADMIN, Role.DUTY_LEADER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- query parameter parsing (bad input -> 400 with the field named) -----------


def param_int(params, name, required=True):
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise DRFValidationError({name: [_("该参数是必填项。")]})
        return None
    number = as_id(value)
    if number is None:
        raise DRFValidationError({name: [_("必须是整数编号。")]})
    return number


def param_datetime(params, name, default=None):
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        parsed = parse_datetime(value.replace(" ", "+")) if "T" in value else None
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise DRFValidationError({name: [_("时间格式无效，请使用 ISO 8601，例如 2026-11-23T08:30:00+08:00。")]})
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=selectors.local_tz())
    _check_year(name, parsed)
    return parsed


def _check_year(name, value):
    if value.year not in YEARS:
        raise DRFValidationError({name: [_("年份超出范围（1970–2200）。")]})


def param_date(params, name, default=None):
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise DRFValidationError({name: [_("日期格式无效，请使用 YYYY-MM-DD。")]})
    _check_year(name, day)
    return day


def param_month(params, name="month"):
    value = params.get(name) or timezone.localdate().strftime("%Y-%m")
    try:
        first = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise DRFValidationError({name: [_("月份格式无效，请使用 YYYY-MM。")]})
    _check_year(name, first)
    return first


def local_times(value):
    """Datetimes in plain dicts rendered like DRF fields render them: local time with offset."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, selectors.local_tz()) if timezone.is_aware(value) else value
    if isinstance(value, dict):
        return {k: local_times(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [local_times(v) for v in value]
    return value


def can_see_room(user, room_id):
    return user.sees_everything or user.department_id == room_id


# --- shifts -----------------------------------------------------------------------


class ShiftViewSet(viewsets.ModelViewSet):
    """`shifts/`: id, duty_room, starts_at, ends_at, leader, officers. Filters:
    `duty_room` (or `department`), `from`, `to` (overlap), `person`."""

    serializer_class = ShiftSerializer
    queryset = Shift.objects.none()  # for the schema; get_queryset filters per user
    permission_classes = [ReadOrRoles.of(*ROSTER_WRITERS)]

    def get_queryset(self):
        qs = selectors.shifts_with_people().order_by("starts_at", "duty_room_id")
        user, params = self.request.user, self.request.query_params
        if not user.sees_everything:
            qs = qs.filter(
                Q(duty_room_id=user.department_id) | Q(leader=user) | Q(officer_links__person=user)
            ).distinct()
        if self.action != "list":
            return qs
        room = param_int(params, "duty_room", required=False) or param_int(params, "department", required=False)
        if room:
            qs = qs.filter(duty_room_id=room)
        start, end = param_datetime(params, "from"), param_datetime(params, "to")
        if start:
            qs = qs.filter(ends_at__gt=start)
        if end:
            qs = qs.filter(starts_at__lt=end)
        person = param_int(params, "person", required=False)
        if person:
            qs = qs.filter(Q(leader_id=person) | Q(officer_links__person_id=person)).distinct()
        return qs

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_shift(
            duty_room=data["duty_room"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            leader=data.get("leader"),
            officers=data.get("officers", []),
            actor=self.request.user,
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_shift(serializer.instance, serializer.validated_data, self.request.user)

    def perform_destroy(self, shift):
        services.delete_shift(shift, self.request.user)

    def _refetch(self, serializer):
        return self.get_serializer(selectors.shifts_with_people().get(pk=serializer.instance.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self._refetch(serializer), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self._refetch(serializer))

    @extend_schema(request=None, responses={200: CheckInSerializer, 201: CheckInSerializer})
    @action(detail=True, methods=["post"], url_path="check-in", permission_classes=[permissions.IsAuthenticated])
    def check_in(self, request, pk=None):
        """到岗: the signed-in person checks in on this shift (a second call returns the first)."""
        checkin, created = services.check_in(self.get_object(), request.user)
        return Response(CheckInSerializer(checkin).data, status=status.HTTP_201_CREATED if created else 200)

    @extend_schema(methods=["GET"], responses=PostCheckSerializer(many=True))
    @extend_schema(methods=["POST"], request=PostCheckSerializer, responses={201: PostCheckSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="post-checks",
        permission_classes=[permissions.IsAuthenticated],
        pagination_class=None,
    )
    def post_checks(self, request, pk=None):
        """查岗: list spot checks, or record one (leaders and admins)."""
        shift = self.get_object()
        if request.method == "GET":
            qs = PostCheck.objects.filter(shift=shift).order_by("-at")
            return Response(PostCheckSerializer(qs, many=True).data)
        if not request.user.has_role(Role.ADMIN, Role.DUTY_LEADER, Role.LEADER) and not request.user.is_superuser:
            raise PermissionDenied(_("只有领导、带班领导或管理员可以查岗。"))
        serializer = PostCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        check = services.record_post_check(
            shift, d["person"], d["answered"], request.user, d.get("method", ""), d.get("note", "")
        )
        return Response(PostCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=HandoverStateSerializer)
    @extend_schema(methods=["POST"], request=HandoverSerializer, responses={201: HandoverSerializer})
    @action(detail=True, methods=["get", "post"], permission_classes=[permissions.IsAuthenticated])
    def handover(self, request, pk=None):
        """交接班: GET the handover (or, before it is written, an unsaved draft with
        the open items it would carry); POST {"note"} to write it (outgoing shift)."""
        shift = self.get_object()
        if request.method == "GET":
            handover = selectors.handover_of(shift)
            if handover is None:
                handover = Handover(
                    from_shift=shift,
                    to_shift=selectors.incoming_shift(shift),
                    note="",
                    open_items=selectors.open_items_for_handover(shift.duty_room),
                )
            return Response(HandoverStateSerializer(handover).data)
        serializer = HandoverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.write_handover(shift, serializer.validated_data["note"], request.user)
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SignSerializer, responses=HandoverSerializer)
    @action(detail=True, methods=["post"], url_path="handover/sign", permission_classes=[permissions.IsAuthenticated])
    def sign_handover(self, request, pk=None):
        """The incoming shift signs the handover written by this shift."""
        shift = self.get_object()
        handover = selectors.handover_of(shift)
        if handover is None:
            raise NotFound(_("该班次尚未填写交班记录。"))
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.sign_handover(handover, request.user, serializer.validated_data["note"])
        return Response(HandoverSerializer(handover).data)

    @extend_schema(methods=["GET"], responses=DutyLogItemSerializer(many=True))
    @extend_schema(methods=["POST"], request=DutyLogEntrySerializer, responses={201: DutyLogEntrySerializer})
    @action(
        detail=True, methods=["get", "post"], permission_classes=[permissions.IsAuthenticated], pagination_class=None
    )
    def log(self, request, pk=None):
        """值班日志: GET the chronological log (own entries + report intakes with
        time-to-answer); POST an entry (call, instruction relayed, note)."""
        shift = self.get_object()
        if request.method == "GET":
            return Response(local_times(selectors.duty_log(shift)))
        serializer = DutyLogEntrySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.add_log_entry(shift, request.user, **serializer.validated_data)
        return Response(DutyLogEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CheckInSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def checkins(self, request, pk=None):
        """到岗记录 of this shift."""
        shift = self.get_object()
        return Response(CheckInSerializer(shift.checkins.select_related("person"), many=True).data)


_when = serializers.DateTimeField()


def _brief(person):
    if person is None:
        return None
    return {
        "id": person.pk,
        "username": person.username,
        "full_name": person.full_name,
        "phone": person.phone,
        "department": person.department_id,
    }


def on_duty_payload(on):
    """OnDutySerializer's output, built by hand: duty/now is the hot read
    (every alert addressed, every board refresh) and ModelSerializer field
    construction would cost more than the query."""
    shift = on.shift
    return {
        "shift": {
            "id": shift.pk,
            "duty_room": shift.duty_room_id,
            "starts_at": _when.to_representation(shift.starts_at),
            "ends_at": _when.to_representation(shift.ends_at),
            "leader": shift.leader_id,
            "officers": [p.pk for p in on.officers],
            "duty_room_name": shift.duty_room.name,
            "leader_name": str(on.leader) if on.leader else "",
            "officer_names": [str(p) for p in on.officers],
            "rotation": shift.rotation_id,
            "pinned": shift.pinned,
        },
        "leader": _brief(on.leader),
        "officers": [_brief(p) for p in on.officers],
    }


class DutyNowView(APIView):
    """`GET duty/now/?department=<id>&at=<iso>` → {shift, leader, officers}; 404 when nobody is on."""

    @extend_schema(
        parameters=[
            OpenApiParameter("department", int, required=True),
            OpenApiParameter("at", str, required=False, description="ISO 8601; default now"),
        ],
        responses=OnDutySerializer,
    )
    def get(self, request):
        department = param_int(request.query_params, "department")
        at = param_datetime(request.query_params, "at", default=timezone.now())
        on = selectors.on_duty(department, at)
        if on is None:
            raise NotFound(_("该时间无人值班。"))
        return Response(on_duty_payload(on))


class CoverageView(APIView):
    """`GET duty/coverage/?department=&from=&to=`: gaps, understaffed shifts, missing
    leader, consecutive-hours overruns. Without `department`: every room with shifts."""

    @extend_schema(
        parameters=[
            OpenApiParameter("department", int),
            OpenApiParameter("from", str, description="ISO 8601; default now"),
            OpenApiParameter("to", str, description="ISO 8601; default from + 7 days"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        start = param_datetime(params, "from", default=timezone.now())
        end = param_datetime(params, "to", default=start + datetime.timedelta(days=7))
        if end <= start:
            raise DRFValidationError({"to": [_("结束时间必须晚于开始时间。")]})
        if end - start > datetime.timedelta(days=93):
            raise DRFValidationError({"to": [_("一次最多检查 93 天。")]})
        room = param_int(params, "department", required=False)
        if room is not None:
            rooms = [room]
        else:
            rooms = list(
                Shift.objects.filter(starts_at__lt=end, ends_at__gt=start)
                .values_list("duty_room_id", flat=True)
                .distinct()
                .order_by("duty_room_id")
            )
        if not request.user.sees_everything:
            rooms = [r for r in rooms if r == request.user.department_id]
        names = dict(Department.objects.filter(pk__in=rooms).values_list("pk", "name"))
        results = []
        for r in rooms:
            for issue in selectors.coverage(r, start, end):
                issue["duty_room_name"] = names.get(r, "")
                results.append(issue)
        return Response(local_times({"count": len(results), "from": start, "to": end, "results": results}))


# --- rotations, swaps, reference data ----------------------------------------------


# Duty reference data: anyone reads, admins write; each write is an event.
# (A comment, not a docstring: the OpenAPI schema would show it for every subclass.)
class _ReferenceViewSet(viewsets.ModelViewSet):
    noun, describe = "", ""
    permission_classes = [ReadOrRoles.of(Role.ADMIN)]

    def perform_create(self, serializer):
        serializer.instance = services.save_duty_record(serializer, self.request.user, self.noun, self.describe)

    def perform_update(self, serializer):
        serializer.instance = services.save_duty_record(serializer, self.request.user, self.noun, self.describe)

    def perform_destroy(self, obj):
        services.delete_duty_record(obj, self.request.user, self.noun, self.describe)


class RotationViewSet(_ReferenceViewSet):
    serializer_class = RotationSerializer
    permission_classes = [ReadOrRoles.of(*ROSTER_WRITERS)]
    queryset = Rotation.objects.select_related("duty_room").order_by("duty_room_id", "name")
    noun, describe = "rotation", "轮班规则"

    def perform_create(self, serializer):
        serializer.instance = services.save_duty_record(
            serializer, self.request.user, self.noun, self.describe, created_by=self.request.user
        )

    @extend_schema(request=GenerateRosterSerializer, responses={201: GenerateResultSerializer})
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """Generate (or regenerate) the roster for local days [from, to]."""
        rotation = self.get_object()
        serializer = GenerateRosterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        days = serializer.validated_data
        result = services.generate_roster(rotation, days["from"], days["to"], request.user)
        return Response(result, status=status.HTTP_201_CREATED)


class SwapViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """换班/替班: POST to request; then accept/decline (counterpart), approve/reject
    (duty leader of the room), cancel (requester). History is never deleted."""

    serializer_class = SwapRequestSerializer
    queryset = SwapRequest.objects.none()

    def get_queryset(self):
        qs = SwapRequest.objects.select_related("requester", "counterpart", "shift").order_by("-requested_at", "-id")
        user = self.request.user
        if not (user.is_superuser or user.has_role(Role.ADMIN, Role.DUTY_LEADER, Role.LEADER)):
            qs = qs.filter(Q(requester=user) | Q(counterpart=user))
        state = self.request.query_params.get("state")
        if state:
            qs = qs.filter(state=state)
        return qs

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.request_swap(
            actor=self.request.user,
            shift=d["shift"],
            counterpart=d["counterpart"],
            kind=d["kind"],
            counterpart_shift=d.get("counterpart_shift"),
            reason=d.get("reason", ""),
        )

    def _act(self, fn, *args):
        swap = fn(self.get_object(), self.request.user, *args)
        return Response(SwapRequestSerializer(swap).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(services.answer_swap, True)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(services.answer_swap, False)

    @extend_schema(request=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(True)

    @extend_schema(request=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(False)

    def _decide(self, approve):
        serializer = DecisionSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return self._act(services.decide_swap, approve, serializer.validated_data["note"])

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(services.cancel_swap)


class HolidayViewSet(_ReferenceViewSet):
    """节假日安排 (holiday calendar with 调休 make-up days); `?year=`."""

    serializer_class = HolidaySerializer
    queryset = Holiday.objects.none()
    noun, describe = "holiday", "节假日安排"

    def get_queryset(self):
        qs = Holiday.objects.order_by("date")
        year = self.request.query_params.get("year")
        if year and year.isascii() and year.isdecimal() and len(year) <= 4:
            qs = qs.filter(date__year=int(year))
        return qs


class LeaveViewSet(_ReferenceViewSet):
    serializer_class = LeaveSerializer
    queryset = Leave.objects.none()
    noun, describe = "leave", "请假"
    permission_classes = [ReadOrRoles.of(*ROSTER_WRITERS)]

    def get_queryset(self):
        qs = Leave.objects.select_related("person").order_by("-starts_on")
        if not self.request.user.sees_everything:
            qs = qs.filter(person=self.request.user)
        return qs


class DutyRuleViewSet(_ReferenceViewSet):
    """值班规则: minimum officers, handover time, check-in grace, consecutive-hours limit."""

    serializer_class = DutyRuleSerializer
    noun, describe = "duty_rule", "值班规则"
    queryset = DutyRule.objects.select_related("duty_room").order_by("id")


class AbsenceViewSet(viewsets.ReadOnlyModelViewSet):
    """脱岗/漏岗 records: read only, never edited or deleted."""

    serializer_class = AbsenceSerializer
    queryset = Absence.objects.none()

    def get_queryset(self):
        qs = Absence.objects.select_related("person", "shift").order_by("-detected_at")
        user, params = self.request.user, self.request.query_params
        if not user.sees_everything:
            qs = qs.filter(Q(shift__duty_room_id=user.department_id) | Q(person=user))
        room = param_int(params, "department", required=False)
        if room:
            qs = qs.filter(shift__duty_room_id=room)
        return qs


class CalendarFeedViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Secret-token iCal URLs: your own shifts, or a duty room's roster. DELETE revokes."""

    serializer_class = CalendarFeedSerializer
    queryset = CalendarFeed.objects.none()

    def get_queryset(self):
        return CalendarFeed.objects.filter(owner=self.request.user, revoked_at__isnull=True).order_by("-created_at")

    def perform_create(self, serializer):
        d, user = serializer.validated_data, self.request.user
        person, room = d.get("person"), d.get("duty_room")
        is_admin = user.is_superuser or user.has_role(Role.ADMIN)
        if person is not None and person.pk != user.pk and not is_admin:
            raise PermissionDenied(_("只能订阅本人的值班日历。"))
        if room is not None and not can_see_room(user, room.pk):
            raise PermissionDenied(_("只能订阅本单位的值班日历。"))
        serializer.instance = services.create_calendar_feed(user, duty_room=room, person=person)

    def perform_destroy(self, feed):
        services.revoke_calendar_feed(feed, self.request.user)


# --- iCal, exports -------------------------------------------------------------------


def ical_bytes(shifts, title):
    """An RFC 5545 calendar of shifts (UTC times; one VEVENT per shift)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//DutyOps//duty roster//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for s in shifts:
        officers = selectors.officers_of(s)
        ev = Event()
        ev.add("uid", f"shift-{s.pk}@dutyops")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", s.starts_at)
        ev.add("dtend", s.ends_at)
        ev.add("summary", f"{s.duty_room.name} 值班")
        lines = [f"带班领导：{s.leader or '未安排'}", f"值班员：{'、'.join(map(str, officers)) or '未安排'}"]
        if s.duty_room.phone:
            lines.append(f"值班电话：{s.duty_room.phone}")
        ev.add("description", "\n".join(lines))
        ev.add("location", s.duty_room.name)
        ev.add("last-modified", s.updated_at)
        cal.add_component(ev)
    return cal.to_ical()


class IcalFeedView(APIView):
    """`GET duty/ical/<token>.ics`: no login (calendar apps cannot log in); the token is the secret."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY})
    def get(self, request, token):
        feed = CalendarFeed.objects.select_related("duty_room", "person").filter(token=token).first()
        if feed is None or feed.revoked_at is not None:
            raise NotFound()
        now = timezone.now()
        start, end = now - datetime.timedelta(days=31), now + datetime.timedelta(days=366)
        if feed.duty_room_id:
            shifts = selectors.shifts_between(start, end, duty_room_id=feed.duty_room_id)
            title = f"{feed.duty_room.name} 值班表"
        else:
            shifts = selectors.shifts_between(start, end, person_id=feed.person_id)
            title = f"{feed.person} 的值班"
        response = HttpResponse(ical_bytes(shifts, title), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="duty.ics"'
        return response


def roster_rows(room, first, last):
    tz = selectors.local_tz()
    start, end = selectors.local_days(first, last)
    header = [_("值班室"), _("日期"), _("开始"), _("结束"), _("带班领导"), _("值班员"), _("值班员电话")]
    rows = []
    for s in selectors.shifts_between(start, end, duty_room_id=room.pk):
        officers = selectors.officers_of(s)
        st, en = timezone.localtime(s.starts_at, tz), timezone.localtime(s.ends_at, tz)
        rows.append(
            [
                room.name,
                st.strftime("%Y-%m-%d"),
                st.strftime("%Y-%m-%d %H:%M"),
                en.strftime("%Y-%m-%d %H:%M"),
                str(s.leader or ""),
                "、".join(map(str, officers)),
                "、".join(p.phone for p in officers if p.phone),
            ]
        )
    return header, rows


def xlsx_response(sheets, filename):
    """sheets: [(title, header, rows)] → an .xlsx download."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        for col in ws.columns:
            width = max((len(str(c.value or "")) for c in col), default=8)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width * 2))
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class FileFormatNegotiation(DefaultContentNegotiation):
    """`?format=` names the file to export here, not a DRF renderer: always answer JSON otherwise."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RosterExportView(APIView):
    """`GET duty/roster-export/?department=&month=YYYY-MM&format=csv|xlsx`."""

    content_negotiation_class = FileFormatNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("department", int, required=True),
            OpenApiParameter("month", str, description="YYYY-MM; default this month"),
            OpenApiParameter("format", str, description="csv (default) or xlsx"),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request):
        params = request.query_params
        room = get_object_or_404(Department, pk=param_int(params, "department"))
        if not can_see_room(request.user, room.pk):
            raise PermissionDenied()
        first, last = selectors.month_bounds(param_month(params))
        fmt = params.get("format", "csv")
        header, rows = roster_rows(room, first, last)
        name = f"roster-{room.code}-{first:%Y-%m}"
        if fmt == "xlsx":
            return xlsx_response([(f"{first:%Y-%m}", header, rows)], f"{name}.xlsx")
        if fmt != "csv":
            raise DRFValidationError({"format": [_("只支持 csv 或 xlsx。")]})
        buf = io.StringIO()
        buf.write("\ufeff")  # BOM so Excel opens the Chinese text as UTF-8
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


def daily_report_tables(report):
    """The daily report as [(title, header, rows)]: the same content in every file format."""
    tz = selectors.local_tz()

    def t(dt):
        return timezone.localtime(dt, tz).strftime("%Y-%m-%d %H:%M") if dt else ""

    shifts = [
        [
            f"{t(b['shift'].starts_at)}–{t(b['shift'].ends_at)}",
            str(b["leader"] or ""),
            "、".join(map(str, b["officers"])),
            "、".join(f"{c.person} {t(c.at)}{'（迟到）' if c.late else ''}" for c in b["checkins"]),
            b["handover"].note if b["handover"] else "",
            str(b["handover"].signed_by or "") if b["handover"] else "",
        ]
        for b in report["blocks"]
    ]
    log = [
        [
            t(e["at"]),
            e["kind_label"],
            e["caller"],
            e["text"],
            "" if e["seconds_to_answer"] is None else round(e["seconds_to_answer"]),
            e["author"],
        ]
        for b in report["blocks"]
        for e in b["log"]
    ]
    checks = [
        [
            t(p.at),
            str(p.person),
            _("查岗（%(by)s）：%(ok)s") % {"by": p.checked_by, "ok": _("在岗") if p.answered else _("不在岗")},
        ]
        for p in report["post_checks"]
    ]
    checks += [
        [t(a.detected_at), str(a.person), f"{a.get_kind_display()} {a.note}".strip()] for a in report["absences"]
    ]
    items = [[i["kind_label"], i.get("title", ""), i["due_text"]] for i in report["open_items"]]
    return [
        (_("班次"), [_("时段"), _("带班领导"), _("值班员"), _("到岗"), _("交班事项"), _("接班人")], shifts),
        (_("值班日志"), [_("时间"), _("类型"), _("来电人/单位"), _("内容"), _("接听用时（秒）"), _("记录人")], log),
        (_("查岗与脱岗漏岗"), [_("时间"), _("人员"), _("情况")], checks),
        (_("待办事项"), [_("类型"), _("事项"), _("期限")], items),
    ]


def _report_title(report):
    return f"{report['duty_room'].name}{_('值班日报')}"


def _report_subtitle(report):
    day = report["day"]
    text = f"{day.year}年{day.month}月{day.day}日"
    if report["holiday"]:
        text += f"（{report['holiday'].name}{_('调休上班') if report['day_kind'] == 'workday' else ''}）"
    calls = _("来电/接报 %(n)s 次") % {"n": report["calls"]}
    if report["avg_seconds_to_answer"] is not None:
        calls += _("，平均接听用时 %(avg)s 秒") % {"avg": round(report["avg_seconds_to_answer"])}
    return f"{text}　{calls}"


def daily_report_xlsx(report):
    return xlsx_response(
        daily_report_tables(report), f"daily-report-{report['duty_room'].code}-{report['day']:%Y-%m-%d}.xlsx"
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(title, subtitle, tables, footer):
    """A minimal Word document (WordprocessingML in a zip, no dependency):
    centred title, subtitle, one bordered table per section, signature line."""
    import zipfile
    from xml.sax.saxutils import escape

    def run(text, bold=False, size=None):
        props = '<w:rFonts w:ascii="SimSun" w:hAnsi="SimSun" w:eastAsia="SimSun"/>'
        props += "<w:b/>" if bold else ""
        props += f'<w:sz w:val="{size}"/>' if size else ""
        parts = str(text).split("\n")
        body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in parts)
        return f"<w:r><w:rPr>{props}</w:rPr>{body}</w:r>"

    def para(text, bold=False, size=None, center=False):
        ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
        return f"<w:p>{ppr}{run(text, bold, size)}</w:p>"

    def table(header, rows):
        borders = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="666666"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        out = f'<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr>'

        def row(cells, bold=False):
            return "<w:tr>" + "".join(f"<w:tc>{para(c, bold=bold)}</w:tc>" for c in cells) + "</w:tr>"

        out += row(header, bold=True)
        out += "".join(row(r) for r in rows) if rows else row([_("无")] + [""] * (len(header) - 1))
        return out + "</w:tbl>"

    body = para(title, bold=True, size=36, center=True) + para(subtitle, center=True)
    for name, header, rows in tables:
        body += para(name, bold=True, size=28) + table(header, rows)
    body += para("") + para(footer)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        f'{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/>'
        "</w:sectPr></w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{DOCX}.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
        ' Target="word/document.xml"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", document)
    return buf.getvalue()


def daily_report_docx(report):
    footer = _("值班员（签字）：　　　　　　　　带班领导（签字）：")
    data = docx_bytes(_report_title(report), _report_subtitle(report), daily_report_tables(report), footer)
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="daily-report-{report["duty_room"].code}-{report["day"]:%Y-%m-%d}.docx"'
    )
    return response


class DailyReportView(APIView):
    """`GET duty/daily-report/?department=&date=&format=json|xlsx|docx` (值班日报); print view at /duty/daily/."""

    content_negotiation_class = FileFormatNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("department", int, required=True),
            OpenApiParameter("date", str, description="YYYY-MM-DD; default today"),
            OpenApiParameter("format", str, description="json (default), xlsx or docx"),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, XLSX): OpenApiTypes.BINARY,
            (200, DOCX): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        params = request.query_params
        room = get_object_or_404(Department, pk=param_int(params, "department"))
        if not can_see_room(request.user, room.pk):
            raise PermissionDenied()
        day = param_date(params, "date", default=timezone.localdate())
        report = selectors.daily_report(room, day)
        fmt = params.get("format", "json")
        if fmt == "xlsx":
            return daily_report_xlsx(report)
        if fmt == "docx":
            return daily_report_docx(report)
        if fmt != "json":
            raise DRFValidationError({"format": [_("只支持 json、xlsx 或 docx。")]})
        return Response(
            {
                "duty_room": room.pk,
                "date": day,
                "day_kind": report["day_kind"],
                "shifts": [
                    {
                        **ShiftSerializer(b["shift"]).data,
                        "checkins": CheckInSerializer(b["checkins"], many=True).data,
                        "log": local_times(b["log"]),
                        "handover": HandoverSerializer(b["handover"]).data if b["handover"] else None,
                    }
                    for b in report["blocks"]
                ],
                "absences": AbsenceSerializer(report["absences"], many=True).data,
                "calls": report["calls"],
                "avg_seconds_to_answer": report["avg_seconds_to_answer"],
                "max_seconds_to_answer": report["max_seconds_to_answer"],
                "open_items": report["open_items"],
            }
        )


# --- pages ------------------------------------------------------------------------------


def _page_rooms(user):
    qs = Department.objects.order_by("code")
    if not user.sees_everything:
        qs = qs.filter(pk=user.department_id)
    return list(qs)


def _chosen_room(request, rooms):
    wanted = as_id(request.GET.get("department"))
    by_id = {r.pk: r for r in rooms}
    if wanted in by_id:
        return by_id[wanted]
    if request.user.department_id in by_id:
        return by_id[request.user.department_id]
    return rooms[0] if rooms else None


@login_required
def roster_page(request):
    """Roster month view per duty room + who is on duty now + check-in button."""
    seq = latest_seq()  # before reading the roster: the live stream resumes from here
    rooms = _page_rooms(request.user)
    room = _chosen_room(request, rooms)
    if room is None:
        raise Http404
    try:
        first = datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
        if first.year not in YEARS:
            raise ValueError(first)
    except ValueError:
        first = timezone.localdate().replace(day=1)
    first, last = selectors.month_bounds(first)
    start, end = selectors.local_days(first, last)
    shifts = list(selectors.shifts_between(start, end, duty_room_id=room.pk))
    calendar = selectors.calendar_between(first, last)
    by_day = {}
    for s in shifts:
        by_day.setdefault(selectors.local_day_of(s), []).append(s)
    days = []
    d = first
    while d <= last:
        days.append(
            {
                "date": d,
                "kind": selectors.day_kind(d, calendar),
                "holiday": calendar.get(d),
                "shifts": [{"shift": s, "officers": selectors.officers_of(s)} for s in by_day.get(d, [])],
                "today": d == timezone.localdate(),
            }
        )
        d += datetime.timedelta(days=1)
    pad = [None] * first.weekday()
    on = selectors.on_duty(room.pk)
    my_checkin = None
    on_shift = False
    if on is not None:
        on_shift = request.user.pk in {p.pk for p in selectors.people_on(on.shift)}
        my_checkin = on.shift.checkins.filter(person=request.user).first()
    # Also the next shift the user is on (they may check in up to an hour early).
    upcoming = (
        selectors.shifts_between(timezone.now(), timezone.now() + services.EARLY_CHECKIN, person_id=request.user.pk)
        .exclude(checkins__person=request.user)
        .first()
    )
    issues = selectors.coverage(room.pk, timezone.now(), timezone.now() + datetime.timedelta(days=7))
    prev_month = (first - datetime.timedelta(days=1)).replace(day=1)
    next_month = last + datetime.timedelta(days=1)
    return render(
        request,
        "duty/roster.html",
        {
            "rooms": rooms,
            "room": room,
            "month": first,
            "prev_month": prev_month,
            "next_month": next_month,
            "weeks_pad": pad,
            "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
            "days": days,
            "on": on,
            "on_shift": on_shift,
            "my_checkin": my_checkin,
            "upcoming": upcoming,
            "issues": issues,
            "may_write": request.user.is_superuser or request.user.has_role(*ROSTER_WRITERS),
            "seq": seq,
        },
    )


@login_required
@require_POST
def check_in_page(request, shift_id):
    shift = get_object_or_404(Shift, pk=shift_id)
    try:
        _checkin, created = services.check_in(shift, request.user)
        messages.success(request, _("已到岗签到。") if created else _("您已签到过。"))
    except (DjangoValidationError, APIException) as exc:
        messages.error(request, _error_text(exc))
    return redirect(f"/duty/?department={shift.duty_room_id}")


def _error_text(exc):
    if isinstance(exc, DjangoValidationError):
        return "；".join(exc.messages)
    return str(exc.detail)


@login_required
def handover_page(request, shift_id):
    """Outgoing writes the handover; incoming signs it."""
    shift = get_object_or_404(selectors.shifts_with_people(), pk=shift_id)
    if not can_see_room(request.user, shift.duty_room_id):
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sign":
                handover = get_object_or_404(Handover, from_shift=shift)
                services.sign_handover(handover, request.user, request.POST.get("sign_note", "")[:500])
                messages.success(request, _("已签收交班记录。"))
            else:
                services.write_handover(shift, request.POST.get("note", ""), request.user)
                messages.success(request, _("交班记录已提交。"))
        except (DjangoValidationError, APIException) as exc:
            messages.error(request, _error_text(exc))
        return redirect("duty-handover", shift_id=shift.pk)
    handover = selectors.handover_of(shift)
    incoming = selectors.incoming_shift(shift, handover)
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
        },
    )


@login_required
def daily_report_page(request, department_id, day):
    """值班日报 print view (A4)."""
    room = get_object_or_404(Department, pk=department_id)
    if not can_see_room(request.user, room.pk):
        raise Http404
    try:
        day = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404
    if day.year not in YEARS:
        raise Http404
    report = selectors.daily_report(room, day)
    return render(request, "duty/daily_report.html", {"r": report})
