"""Thin API views and pages of the incidents domain; logic lives in services/selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops import policy
from dutyops.api import Allowed, as_id
from dutyops.errors import NotFound

from . import geo, selectors, services
from .models import (
    Category,
    Channel,
    Grade,
    ReportKind,
    Status,
    Subtype,
)
from .serializers import (
    ClassifiedDeliverySerializer,
    ConfirmGradeSerializer,
    ConfirmSubtypeSerializer,
    IncidentListSerializer,
    IncidentSerializer,
    InstructionSerializer,
    MergeSerializer,
    ReportSerializer,
    SubtypeSerializer,
    TransitionSerializer,
)


def _flag(value):
    return str(value).lower() in ("1", "true", "yes")


class ReportViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Intake register. POST registers a report (a new incident when `incident` is
    omitted); reports are kept as sent and never edited or deleted."""

    serializer_class = ReportSerializer
    # The office, and every duty room and liaison within its scope (the service checks the scope).
    permission_classes = [Allowed.to(write="report.file")]

    def get_queryset(self):
        return selectors.reports_for(self.request.user, as_id(self.request.query_params.get("incident")))

    def perform_create(self, serializer):
        report, incident, duplicates = services.intake(serializer.validated_data, self.request.user)
        report.possible_duplicates = selectors.visible_among(self.request.user, duplicates)  # never another room's
        serializer.instance = report


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Incidents with their current picture, reports and timeline.
    Incidents are opened by intake (POST reports/), never edited directly."""

    serializer_class = IncidentSerializer
    permission_classes = [Allowed.to(write="incident.operate")]

    def get_queryset(self):
        qs = selectors.visible_incidents(self.request.user)
        # The serializers' clocks, and the list's report ids; actions only check visibility.
        if self.action in ("list", "retrieve"):
            qs = selectors.with_clocks(qs)
        if self.action == "list":
            qs = selectors.with_report_ids(qs)
        params = self.request.query_params
        return selectors.filter_incidents(
            qs,
            status=params.get("status"),
            category=params.get("category"),
            is_drill=_flag(params["is_drill"]) if "is_drill" in params else None,
            open_only=_flag(params.get("active", "")),
            q=params.get("q"),
        )

    def get_serializer_class(self):
        return IncidentListSerializer if self.action == "list" else IncidentSerializer

    def _incident(self):
        return self.get_object()

    @extend_schema(request=TransitionSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Change status: {"to", "reason"?, "department"? (transfer), "into"? (merge)}. 409 if illegal."""
        incident = self._incident()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        result = services.transition(
            incident, v["to"], request.user, reason=v["reason"], department=v.get("department"), into=v.get("into")
        )
        return Response(self._fresh(result))

    @extend_schema(request=MergeSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge this incident into `into`; the target keeps every report."""
        incident = self._incident()
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = services.merge(
            incident, body.validated_data["into"], request.user, reason=body.validated_data["reason"]
        )
        return Response(self._fresh(target))

    @extend_schema(request=ConfirmSubtypeSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-subtype")
    def confirm_subtype(self, request, pk=None):
        """The officer confirms the subtype the words suggested, or picks another (its
        category follows); subtype_source becomes "confirmed"."""
        incident = self._incident()
        body = ConfirmSubtypeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self._fresh(services.confirm_subtype(incident, request.user, body.validated_data["subtype"])))

    @extend_schema(request=ConfirmGradeSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-grade")
    def confirm_grade(self, request, pk=None):
        """The officer confirms the suggested grade, or sets another; grade_source becomes "confirmed"."""
        incident = self._incident()
        body = ConfirmGradeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self._fresh(services.confirm_grade(incident, request.user, body.validated_data["grade"])))

    @extend_schema(request=None, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-transfer", permission_classes=[IsAuthenticated])
    def confirm_transfer(self, request, pk=None):
        """The receiving duty room confirms a transfer (accept first, transfer later).
        It sees the incident (it holds it by the transfer); one who may not see it gets a 404."""
        incident = get_object_or_404(selectors.visible_incidents(request.user), pk=pk)
        return Response(self._fresh(services.confirm_transfer(incident, request.user)))

    @extend_schema(methods=["GET"], responses=InstructionSerializer(many=True))
    @extend_schema(methods=["POST"], request=InstructionSerializer, responses={201: InstructionSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[Allowed.to(write="incident.instruct")],
        pagination_class=None,
    )
    def instructions(self, request, pk=None):
        """A leader's instruction (批示) on the incident: leader and duty_leader roles write."""
        incident = self._incident()
        if request.method == "GET":
            return Response(InstructionSerializer(selectors.instructions_of(incident), many=True).data)
        body = InstructionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = body.validated_data.get("report")
        if report is not None and report.incident_id not in selectors.incident_family_ids(incident):
            return Response({"report": [_("该报告不属于此事件。")]}, status=status.HTTP_400_BAD_REQUEST)
        instruction = services.create_instruction(
            incident,
            request.user,
            body.validated_data["text"],
            report=report,
            departments=body.validated_data.get("departments", []),
        )
        return Response(InstructionSerializer(instruction).data, status=status.HTTP_201_CREATED)

    def _fresh(self, incident):
        return IncidentSerializer(
            selectors.incident_with_rooms(incident.pk), context=self.get_serializer_context()
        ).data


class SubtypeViewSet(viewsets.ModelViewSet):
    """The editable taxonomy of subtypes (admins write)."""

    serializer_class = SubtypeSerializer
    permission_classes = [Allowed.to(write="reference.write")]
    queryset = Subtype.objects.all()
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]


class ClassifiedDeliveryViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Classified (涉密) matters: only the metadata of an offline delivery."""

    serializer_class = ClassifiedDeliverySerializer
    permission_classes = [Allowed.to(read="classified.view", write="classified.write")]

    def get_queryset(self):
        return selectors.classified_deliveries()

    def perform_create(self, serializer):
        serializer.instance = services.record_classified_delivery(self.request.user, **serializer.validated_data)


class GeocodeView(APIView):
    """GET geocode/?q=<place name>: offline lookup in the gazetteer."""

    @extend_schema(
        responses=inline_serializer(
            "GeocodeResult",
            {
                "query": serializers.CharField(),
                "latitude": serializers.FloatField(),
                "longitude": serializers.FloatField(),
            },
        )
    )
    def get(self, request):
        q = request.query_params.get("q", "")[:200]
        found = geo.geocode(q)
        if not found:
            raise NotFound(_("地名库中未找到该地点。"))
        return Response({"query": q, "latitude": found[0], "longitude": found[1]})


class DuplicateCheckView(APIView):
    """GET duplicates/?category=&latitude=&longitude=&text=&is_drill=: possible duplicates before saving."""

    @extend_schema(
        responses=inline_serializer(
            "DuplicateCheck",
            {
                "possible_duplicates": serializers.ListField(child=serializers.IntegerField()),
                "incidents": inline_serializer(
                    "DuplicateCandidate",
                    {
                        "id": serializers.IntegerField(),
                        "title": serializers.CharField(),
                        "status": serializers.CharField(),
                        "reported_at": serializers.DateTimeField(),
                        "score": serializers.FloatField(),
                        "reasons": serializers.ListField(child=serializers.CharField()),
                    },
                    many=True,
                ),
            },
        )
    )
    def get(self, request):
        p = request.query_params
        try:
            lat = float(p["latitude"]) if p.get("latitude") else None
            lon = float(p["longitude"]) if p.get("longitude") else None
        except ValueError:
            return Response({"latitude": [_("坐标格式错误。")]}, status=status.HTTP_400_BAD_REQUEST)
        if lat is not None and not (-90 <= lat <= 90) or lon is not None and not (-180 <= lon <= 180):
            return Response({"latitude": [_("坐标超出范围。")]}, status=status.HTTP_400_BAD_REQUEST)
        if (lat is None) != (lon is None):
            lat = lon = None
        found = selectors.possible_duplicates(
            category=p.get("category") if p.get("category") in Category.values else None,
            latitude=lat,
            longitude=lon,
            text=p.get("text", "")[:2000].replace("\x00", ""),
            at=None,
            is_drill=_flag(p.get("is_drill", "")),
            phone=p.get("phone", "")[:32],
            explain=True,
        )
        rows = selectors.duplicate_rows(request.user, found)
        return Response({"possible_duplicates": [row["id"] for row in rows], "incidents": rows})


# --- pages --------------------------------------------------------------------


def _choices():
    return {
        "categories": Category.choices,
        "grades": Grade.choices,
        "channels": Channel.choices,
        "kinds": ReportKind.choices,
        "statuses": Status.choices,
        "subtypes": selectors.active_subtypes(),
    }


@login_required
def intake_page(request):
    """The full intake form. With ?incident=<id> (from an incident, the console's 续报) it
    adds to that incident: a follow-up report (?kind=final: the final one), the incident
    and the kind set and shown, never a new incident."""
    context = {**_choices(), "incident": None, "kind": ReportKind.FIRST}
    incident_id = as_id(request.GET.get("incident"))
    if incident_id is not None:
        incident = get_object_or_404(selectors.visible_incidents(request.user), pk=incident_id)
        if incident.status == Status.MERGED and incident.merged_into_id:  # reports join the surviving one
            incident = get_object_or_404(selectors.visible_incidents(request.user), pk=incident.merged_into_id)
        kind = request.GET.get("kind")
        context.update(
            incident=incident,
            kind=kind if kind in (ReportKind.FOLLOW_UP, ReportKind.FINAL) else ReportKind.FOLLOW_UP,
            kinds=[(v, label) for v, label in ReportKind.choices if v != ReportKind.FIRST],
        )
    return render(request, "incidents/intake.html", context)


@login_required
def incident_list_page(request):
    params = request.GET
    qs = selectors.filter_incidents(
        selectors.visible_incidents(request.user),
        status=params.get("status"),
        category=params.get("category"),
        # Open ones unless a status is asked for or ?all=1.
        open_only=params.get("status") not in Status.values and not _flag(params.get("all", "")),
    )
    return render(request, "incidents/list.html", {**_choices(), "incidents": qs[:200], "params": params})


@login_required
def incident_detail_page(request, pk):
    incident = get_object_or_404(selectors.visible_incidents(request.user), pk=pk)
    return render(
        request,
        "incidents/detail.html",
        {
            **_choices(),
            "incident": incident,
            # Merging has its own form; the list holds only the moves this status allows.
            "next_statuses": [
                (v, label)
                for v, label in Status.choices
                if v in services.TRANSITIONS[incident.status] and v != Status.MERGED
            ],
            **selectors.incident_page(incident, request.user),
            "duplicates": selectors.flagged_duplicates(request.user, incident),
            "instruct_departments": selectors.responsible_departments(),
            "can_operate": policy.may(request.user, "incident.operate", incident),
            "can_instruct": policy.may(request.user, "incident.instruct", incident),
            "can_confirm": incident.status == Status.TRANSFERRED
            and incident.transfer_confirmed_at is None
            and policy.may(request.user, "incident.confirm_transfer", incident.transferred_to),
        },
    )


class ReportPolicyView(APIView):
    """GET report-policies/: the statutory clock policy (edited in the admin)."""

    @extend_schema(
        responses=inline_serializer(
            "ReportPolicy",
            {
                "id": serializers.IntegerField(),
                "grade": serializers.CharField(),
                "category": serializers.CharField(),
                "phone_minutes": serializers.IntegerField(allow_null=True),
                "written_minutes": serializers.IntegerField(allow_null=True),
                "follow_up_minutes": serializers.IntegerField(allow_null=True),
                "final_days": serializers.IntegerField(allow_null=True),
                "note": serializers.CharField(),
            },
            many=True,
        )
    )
    def get(self, request):
        return Response(selectors.report_policies())


class PlaceListView(APIView):
    """GET places/?q=: gazetteer entries matching a name (at most 50)."""

    @extend_schema(
        responses=inline_serializer(
            "Place",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "district": serializers.CharField(),
                "kind": serializers.CharField(),
                "latitude": serializers.FloatField(),
                "longitude": serializers.FloatField(),
            },
            many=True,
        )
    )
    def get(self, request):
        return Response(selectors.places(request.query_params.get("q", "")))
