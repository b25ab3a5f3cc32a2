"""Duty API: shifts (check-in, post checks, handover, log), duty/now, coverage,
rotations, swaps, reference data, absences, calendar feeds. Thin: the work is
in services (writes) and selectors (reads); who may do what in dutyops.policy."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops.api import Allowed, require
from dutyops.errors import Invalid, NotFound
from dutyops.params import local_times, param_datetime, param_int

from .. import selectors, services
from ..models import Absence, CalendarFeed, DutyRule, Holiday, Leave, Rotation, Shift, SwapRequest
from ..serializers import (
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

SIGNED_IN = [permissions.IsAuthenticated]


class ShiftViewSet(viewsets.ModelViewSet):
    """`shifts/`: id, duty_room, starts_at, ends_at, leader, officers. Filters:
    `duty_room` (or `department`), `from`, `to` (overlap), `person`."""

    serializer_class = ShiftSerializer
    queryset = Shift.objects.none()  # for the schema; get_queryset filters per user
    permission_classes = [Allowed.to(write="roster.write")]

    def get_queryset(self):
        qs = selectors.shifts_for(self.request.user)
        if self.action != "list":
            return qs
        params = self.request.query_params
        room = param_int(params, "duty_room", required=False) or param_int(params, "department", required=False)
        start, end = param_datetime(params, "from"), param_datetime(params, "to")
        return selectors.filter_shifts(qs, room, start, end, param_int(params, "person", required=False))

    def perform_create(self, serializer):
        data = serializer.validated_data
        require(self.request.user, "roster.write", data["duty_room"])  # never another room's roster
        serializer.instance = services.create_shift(
            duty_room=data["duty_room"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            leader=data.get("leader"),
            officers=data.get("officers", []),
            actor=self.request.user,
        )

    def perform_update(self, serializer):
        require(self.request.user, "roster.write", serializer.validated_data.get("duty_room"))
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
    @action(detail=True, methods=["post"], url_path="check-in", permission_classes=SIGNED_IN)
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
        permission_classes=[Allowed.to(write="post_check.write")],
        pagination_class=None,
    )
    def post_checks(self, request, pk=None):
        """查岗: list spot checks, or record one (leaders, duty leaders and admins)."""
        shift = self.get_object()
        if request.method == "GET":
            return Response(PostCheckSerializer(selectors.post_checks_of(shift), many=True).data)
        serializer = PostCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        check = services.record_post_check(
            shift, d["person"], d["answered"], request.user, d.get("method", ""), d.get("note", "")
        )
        return Response(PostCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=HandoverStateSerializer)
    @extend_schema(methods=["POST"], request=HandoverSerializer, responses={201: HandoverSerializer})
    @action(detail=True, methods=["get", "post"], permission_classes=SIGNED_IN)
    def handover(self, request, pk=None):
        """交接班: GET the handover (or, before it is written, an unsaved draft with
        the open items it would carry); POST {"note"} to write it (outgoing shift)."""
        shift = self.get_object()
        if request.method == "GET":
            return Response(HandoverStateSerializer(selectors.handover_state(shift)).data)
        serializer = HandoverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.write_handover(shift, serializer.validated_data["note"], request.user)
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SignSerializer, responses=HandoverSerializer)
    @action(detail=True, methods=["post"], url_path="handover/sign", permission_classes=SIGNED_IN)
    def sign_handover(self, request, pk=None):
        """The incoming shift signs the handover written by this shift."""
        handover = selectors.handover_of(self.get_object())
        if handover is None:
            raise NotFound(_("该班次尚未填写交班记录。"))
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.sign_handover(handover, request.user, serializer.validated_data["note"])
        return Response(HandoverSerializer(handover).data)

    @extend_schema(methods=["GET"], responses=DutyLogItemSerializer(many=True))
    @extend_schema(methods=["POST"], request=DutyLogEntrySerializer, responses={201: DutyLogEntrySerializer})
    @action(detail=True, methods=["get", "post"], permission_classes=SIGNED_IN, pagination_class=None)
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
        return Response(CheckInSerializer(selectors.checkins_of(self.get_object()), many=True).data)


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
            raise Invalid({"to": [_("结束时间必须晚于开始时间。")]})
        if end - start > datetime.timedelta(days=93):
            raise Invalid({"to": [_("一次最多检查 93 天。")]})
        rooms = selectors.coverage_rooms(request.user, start, end, param_int(params, "department", required=False))
        names = selectors.room_names(rooms)
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
    noun = ""
    permission_classes = [Allowed.to(write="reference.write")]

    def perform_create(self, serializer):
        serializer.instance = services.save_duty_record(serializer, self.request.user, self.noun)

    def perform_update(self, serializer):
        serializer.instance = services.save_duty_record(serializer, self.request.user, self.noun)

    def perform_destroy(self, obj):
        services.delete_duty_record(obj, self.request.user, self.noun)


class RotationViewSet(_ReferenceViewSet):
    serializer_class = RotationSerializer
    permission_classes = [Allowed.to(write="roster.write")]
    queryset = Rotation.objects.none()  # for the schema; get_queryset decides
    noun = "rotation"

    def get_queryset(self):
        return selectors.rotations_for(self.request.user)

    def perform_create(self, serializer):
        require(self.request.user, "roster.write", serializer.validated_data.get("duty_room"))
        serializer.instance = services.save_duty_record(
            serializer, self.request.user, self.noun, created_by=self.request.user
        )

    def perform_update(self, serializer):
        require(self.request.user, "roster.write", serializer.validated_data.get("duty_room"))
        super().perform_update(serializer)

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
        qs = selectors.swaps_for(self.request.user)
        state = self.request.query_params.get("state")
        return qs.filter(state=state) if state else qs

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
    noun = "holiday"

    def get_queryset(self):
        return selectors.holidays(self.request.query_params.get("year"))


class LeaveViewSet(_ReferenceViewSet):
    serializer_class = LeaveSerializer
    queryset = Leave.objects.none()
    noun = "leave"
    permission_classes = [Allowed.to(write="roster.write")]

    def get_queryset(self):
        return selectors.leaves_for(self.request.user)

    def perform_create(self, serializer):
        require(self.request.user, "roster.write", serializer.validated_data.get("person"))
        super().perform_create(serializer)

    def perform_update(self, serializer):
        require(self.request.user, "roster.write", serializer.validated_data.get("person"))
        super().perform_update(serializer)


class DutyRuleViewSet(_ReferenceViewSet):
    """值班规则: minimum officers, handover time, check-in grace, consecutive-hours limit."""

    serializer_class = DutyRuleSerializer
    noun = "duty_rule"
    queryset = DutyRule.objects.select_related("duty_room").order_by("id")


class AbsenceViewSet(viewsets.ReadOnlyModelViewSet):
    """脱岗/漏岗 records: read only, never edited or deleted."""

    serializer_class = AbsenceSerializer
    queryset = Absence.objects.none()

    def get_queryset(self):
        qs = selectors.absences_for(self.request.user)
        room = param_int(self.request.query_params, "department", required=False)
        return qs.filter(shift__duty_room_id=room) if room else qs


class CalendarFeedViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Secret-token iCal URLs: your own shifts, or a duty room's roster. DELETE revokes."""

    serializer_class = CalendarFeedSerializer
    queryset = CalendarFeed.objects.none()

    def get_queryset(self):
        return selectors.feeds_of(self.request.user)

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.create_calendar_feed(
            self.request.user, duty_room=d.get("duty_room"), person=d.get("person")
        )

    def perform_destroy(self, feed):
        services.revoke_calendar_feed(feed, self.request.user)
