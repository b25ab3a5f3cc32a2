"""Alerts API: thin views over services (writes) and selectors (reads)."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops.api import Allowed, FileFormatNegotiation, require
from dutyops.errors import Invalid
from dutyops.exports import csv_response, xlsx_response
from dutyops.params import param_choice, param_int

from . import notify, selectors, services
from .models import Alert, Circular, EscalationStep, NotificationChannel, SupervisionCase
from .serializers import (
    AlertCloseSerializer,
    AlertDetailSerializer,
    AlertSerializer,
    CaseCreateSerializer,
    CircularCreateSerializer,
    CircularSerializer,
    DeliverySerializer,
    DepartmentsSerializer,
    DispatchSerializer,
    EscalationStepSerializer,
    FeedbackInputSerializer,
    FeedbackSerializer,
    NotificationChannelSerializer,
    ReturnSerializer,
    ReviewSerializer,
    SupervisionCaseDetailSerializer,
    SupervisionCaseSerializer,
    TextSerializer,
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=Alert.State.values),
            OpenApiParameter("department", int),
            OpenApiParameter("incident", int),
            OpenApiParameter("open", bool, description="true: all but closed ones"),
        ]
    )
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Alerts to departments. Liaisons see their own department's only.

    Filters: `state`, `department`, `incident`, `open=1` (not closed).
    """

    queryset = Alert.objects.none()  # for the schema; get_queryset decides

    def get_permissions(self):
        if self.action == "create":
            return [Allowed.to("alert.dispatch")()]
        if self.action in ("close", "return_for_more"):
            return [Allowed.to("alert.manage")()]
        if self.action in ("acknowledge", "feedback"):
            return [Allowed.to("alert.act")()]
        # Reads, sign-for and feedback: any signed-in person; the service decides who may act.
        return [IsAuthenticated()]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AlertDetailSerializer
        if self.action == "create":
            return DispatchSerializer
        return AlertSerializer

    def get_queryset(self):
        qs = selectors.alerts_for(self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("recipients__person", "feedback__author", "chases")
        if self.action != "list":
            return qs
        params = self.request.query_params
        state = params.get("state")
        if state:
            if state not in Alert.State.values:
                raise Invalid({"state": [_("状态无效。")]})
            qs = qs.filter(state=state)
        for name in ("department", "incident"):
            value = param_int(params, name, required=False)
            if value is not None:
                qs = qs.filter(**{f"{name}_id": value})
        if params.get("open") in ("1", "true"):
            qs = qs.exclude(state=Alert.State.CLOSED)
        return qs

    @extend_schema(request=DispatchSerializer, responses={201: AlertSerializer})
    def create(self, request, *args, **kwargs):
        data = DispatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.dispatch_alert(**data.validated_data, actor=request.user, source=Alert.Source.MANUAL)
        return Response(AlertSerializer(alert).data, status=status.HTTP_201_CREATED)

    def _target(self, pk):
        # Actions look the alert up unfiltered: another department's alert is 403, not 404.
        alert = get_object_or_404(selectors.alerts_to_act_on(), pk=pk)
        self.check_object_permissions(self.request, alert)  # before reading the body: 403 before 400
        return alert

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Sign for the alert (签收). Idempotent: a second call returns the first sign-for."""
        alert, _created = services.acknowledge(self._target(pk), request.user)
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=FeedbackInputSerializer, responses={201: FeedbackSerializer})
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        """Feed back (反馈); may be sent several times."""
        alert = self._target(pk)
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.add_feedback(
            alert, request.user, data.validated_data["text"], data.validated_data.get("attachments")
        )
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AlertCloseSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The office closes the alert (办结)."""
        data = AlertCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.close_alert(self._target(pk), request.user, data.validated_data["reason"])
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=ReturnSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_more(self, request, pk=None):
        """The office returns a fed-back alert asking for more (退回补充), with a new deadline."""
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.return_alert(
            self._target(pk), request.user, data.validated_data["reason"], data.validated_data.get("feedback_minutes")
        )
        return Response(AlertSerializer(alert).data)


class EscalationStepViewSet(viewsets.ModelViewSet):
    """The chasing policy: administrators edit, staff read."""

    serializer_class = EscalationStepSerializer
    queryset = EscalationStep.objects.all()
    permission_classes = [Allowed.to(write="reference.write")]


class NotificationChannelViewSet(viewsets.ModelViewSet):
    serializer_class = NotificationChannelSerializer
    queryset = NotificationChannel.objects.all()
    permission_classes = [Allowed.to("reference.write")]

    def perform_update(self, serializer):
        with transaction.atomic():
            channel = serializer.save()
            notify.channel_saved(channel, self.request.user)  # disabled: its queued deliveries are cancelled

    def perform_destroy(self, channel):
        notify.remove_channel(channel, self.request.user)  # a used channel is disabled, not deleted


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeliverySerializer
    queryset = selectors.deliveries()
    permission_classes = [Allowed.to("deliveries.view")]


class SupervisionCaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Supervised cases (督办) and their ledger. Liaisons see their department's cases."""

    queryset = SupervisionCase.objects.none()  # for the schema; get_queryset decides

    def get_permissions(self):
        if self.action in ("create", "assign", "review", "recheck"):
            return [Allowed.to("case.manage")()]
        return [IsAuthenticated()]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return SupervisionCaseDetailSerializer
        if self.action == "create":
            return CaseCreateSerializer
        return SupervisionCaseSerializer

    def get_queryset(self):
        qs = selectors.cases_for(self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("entries__author", "alerts")
        state = self.request.query_params.get("state")
        if state:
            if state not in SupervisionCase.State.values:
                raise Invalid({"state": [_("状态无效。")]})
            qs = qs.filter(state=state)
        return qs

    @extend_schema(request=CaseCreateSerializer, responses={201: SupervisionCaseSerializer})
    def create(self, request, *args, **kwargs):
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.open_case(**data.validated_data, actor=request.user)
        return Response(SupervisionCaseSerializer(case).data, status=status.HTTP_201_CREATED)

    def _case(self, pk):
        return get_object_or_404(selectors.all_cases(), pk=pk)

    def _act(self, pk, body_serializer, step, action=None):
        """A step on a case: the case first (an unknown one is a 404 whatever the body), then
        who may (`action` on it: 403), then the body."""
        case = self._case(pk)
        if action is not None:
            require(self.request.user, action, case)
        data = body_serializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        case = step(case, data.validated_data)
        case = selectors.case_with_departments(case.pk)
        return Response(SupervisionCaseSerializer(case).data)

    @extend_schema(request=DepartmentsSerializer, responses=SupervisionCaseSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._act(
            pk, DepartmentsSerializer, lambda c, v: services.assign_case(c, request.user, v["departments"])
        )

    @extend_schema(request=TextSerializer, responses=SupervisionCaseSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        return self._act(
            pk, TextSerializer, lambda c, v: services.report_progress(c, request.user, v["text"]), "case.act"
        )

    @extend_schema(request=TextSerializer, responses=SupervisionCaseSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(
            pk, TextSerializer, lambda c, v: services.complete_case(c, request.user, v["text"]), "case.act"
        )

    @extend_schema(request=ReviewSerializer, responses=SupervisionCaseSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._act(
            pk,
            ReviewSerializer,
            lambda c, v: services.review_case(c, request.user, v["text"], v["accepted"], v.get("recheck_at")),
        )

    @extend_schema(request=TextSerializer, responses=SupervisionCaseSerializer)
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        """回头看: record what the later re-check found."""
        return self._act(pk, TextSerializer, lambda c, v: services.record_recheck(c, request.user, v["text"]))


class CircularViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly circulars (通报). POST {"period": "YYYY-MM"} generates one (once)."""

    serializer_class = CircularSerializer
    queryset = Circular.objects.all()
    permission_classes = [Allowed.to(write="alert.manage")]

    @extend_schema(request=CircularCreateSerializer, responses={201: CircularSerializer, 200: CircularSerializer})
    def create(self, request):
        data = CircularCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        circular, created = services.generate_circular(data.validated_data["period"], request.user)
        return Response(CircularSerializer(circular).data, status=status.HTTP_201_CREATED if created else 200)


# --- performance figures --------------------------------------------------------

COLUMNS = [
    ("department_name", gettext_lazy("单位")),
    ("alerts_received", gettext_lazy("收到通知（件）")),
    ("signed_on_time_pct", gettext_lazy("按时签收率（%）")),
    ("median_minutes_to_sign", gettext_lazy("签收用时中位数（分钟）")),
    ("fed_back_on_time_pct", gettext_lazy("按时反馈率（%）")),
    ("overdue_count", gettext_lazy("超时（件）")),
    ("supervision_cases", gettext_lazy("督办事项（件）")),
    ("supervision_completion_pct", gettext_lazy("督办按期办结率（%）")),
]


def figures_for(params, user):
    """(label, start, end, rows, duty_room) for the period asked and what the user may see."""
    try:
        start, end, label = selectors.period_from_query(params)
    except ValueError as exc:
        raise Invalid({str(exc): [_("期间格式无效（month=YYYY-MM，或 from/to=YYYY-MM-DD）。")]}) from None
    department_ids = selectors.figure_departments(user)
    rows = selectors.performance(start, end, department_ids)
    duty_room = selectors.duty_room_figures(start, end) if department_ids is None else None
    return label, start, end, rows, duty_room


PERIOD_PARAMS = [
    OpenApiParameter("month", str, description="YYYY-MM (default: this month)"),
    OpenApiParameter("from", str, description="YYYY-MM-DD"),
    OpenApiParameter("to", str, description="YYYY-MM-DD (inclusive)"),
]


class PerformanceView(APIView):
    """Performance figures (考核) per department for a period; drills excluded."""

    @extend_schema(parameters=PERIOD_PARAMS, responses=dict)
    def get(self, request):
        label, start, end, rows, duty_room = figures_for(request.query_params, request.user)
        people = selectors.discipline_for(request.user, start, end)
        return Response(
            {"period": label, "from": start, "to": end, "departments": rows, "duty_room": duty_room, "people": people}
        )


class PerformanceExportView(APIView):
    """GET performance/export/?kind=csv|xlsx&month=..."""

    content_negotiation_class = FileFormatNegotiation  # the file answers with its own type

    @extend_schema(parameters=[*PERIOD_PARAMS, OpenApiParameter("kind", str, enum=["csv", "xlsx"])], responses=bytes)
    def get(self, request):
        kind = param_choice(request.query_params, "kind", ("csv", "xlsx"), "csv")
        label, _start, _end, rows, _duty = figures_for(request.query_params, request.user)
        header = [str(h) for _k, h in COLUMNS]
        table = [["" if r[k] is None else r[k] for k, _h in COLUMNS] for r in rows]
        filename = f"performance-{label}".replace("~", "_")
        if kind == "xlsx":
            return xlsx_response([(_("考核"), header, table)], f"{filename}.xlsx")
        return csv_response(header, table, f"{filename}.csv")
