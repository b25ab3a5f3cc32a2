"""Plans API: the registry, matching for an incident, and activations."""

import json

import yaml
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops import policy
from dutyops.api import Allowed, as_id, error_response, require
from incidents.selectors import visible_incidents

from . import consequences, matching, reasons, selectors, services
from .documents import plan_document
from .models import Activation
from .serializers import (
    ActivationCreateSerializer,
    ActivationSerializer,
    LevelChangeSerializer,
    MatchSerializer,
    NoteSerializer,
    PlanSerializer,
    PlanVersionSerializer,
    ReasonSerializer,
    _as_document,
)

DEFAULT_MATCH_LIMIT = 50


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, description="draft / issued / retired"),
        OpenApiParameter("kind", str, description="general / specific / department"),
        OpenApiParameter("category", str),
        OpenApiParameter("subtype", str),
        OpenApiParameter("lead_department", int),
        OpenApiParameter("q", str, description="编号或名称包含"),
    ]
)
class PlanViewSet(viewsets.ModelViewSet):
    """Contingency plans (预案库). Everyone signed in reads; administrators write.
    Editing an issued plan creates a new version; only never-issued drafts can be deleted."""

    serializer_class = PlanSerializer
    permission_classes = [Allowed.to(write="plan.write")]

    def get_queryset(self):
        p = self.request.query_params
        qs = selectors.filtered_plans(p)
        lead = as_id(p.get("lead_department"))
        if lead is not None:
            qs = qs.filter(lead_department_id=lead)
        return qs

    def perform_create(self, serializer):
        serializer.instance = services.create_plan(serializer.validated_data, self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.update_plan(serializer.instance, serializer.validated_data, self.request.user)

    def perform_destroy(self, plan):
        services.delete_plan(plan, self.request.user)

    @extend_schema(responses=PlanVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, pk=None):
        plan = self.get_object()
        versions = selectors.versions_of(plan)
        return Response(PlanVersionSerializer(versions, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("as", str, description="json（默认）或 yaml")],
        responses={200: dict},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The plan as a file for import elsewhere (departments by code)."""
        plan = self.get_object()
        doc = plan_document(plan, codes=True)
        if request.query_params.get("as") == "yaml":
            body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
            response = HttpResponse(body, content_type="application/yaml; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{plan.code}.yaml"'
            return response
        response = HttpResponse(json.dumps(doc, ensure_ascii=False, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{plan.code}.json"'
        return response

    @extend_schema(request=dict, responses={201: PlanSerializer, 200: PlanSerializer})
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request):
        """Import one plan document (JSON body; departments by id or code).
        A plan with the same code is updated (a new version if it was issued)."""
        plan, outcome = services.import_document(_as_document(request.data), request.user)
        data = dict(PlanSerializer(plan).data, outcome=outcome)
        return Response(data, status=status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK)


class PlanMatchesView(APIView):
    """GET incidents/<id>/plan-matches/: the issued plans that fit, best first, each with
    the recommended level, a score (0-100) and why: `reasons`, lines in the request's
    language, and `reason_codes`, the same as data (plans.reasons); [] when none fits.
    `limit` (default 50, at most 1000) caps the list; X-Total-Count says how many fit."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="最多返回多少个（默认 50，最多 1000）")],
        responses=MatchSerializer(many=True),
    )
    def get(self, request, pk):
        incident = get_object_or_404(visible_incidents(request.user), pk=pk)
        limit = as_id(request.query_params.get("limit", str(DEFAULT_MATCH_LIMIT)))
        if limit is None or not 1 <= limit <= 1000:
            return error_response("limit", _("limit 必须是 1 到 1000 之间的整数。"))
        results, total = matching.match_with_total(incident, limit=limit)
        return Response(reasons.with_texts(results), headers={"X-Total-Count": str(total)})


class IncidentActivationsView(generics.GenericAPIView):
    """Plan activations of an incident.

    POST {"plan", "level", "reason"?}: a duty officer's (or administrator's) POST
    creates a *proposed* activation (state "proposed") that a leader or duty
    leader approves with POST activations/<id>/approve/ (or rejects); when a
    leader or duty leader posts it, it is approved at once (state "active") and
    the level's tasks are sent as alerts. 201 with the activation either way.
    """

    serializer_class = ActivationSerializer
    pagination_class = None

    def _incident(self, pk):
        return get_object_or_404(visible_incidents(self.request.user), pk=pk)

    @extend_schema(responses=ActivationSerializer(many=True))
    def get(self, request, pk):
        incident = self._incident(pk)
        qs = selectors.activations().filter(incident=incident)
        return Response(ActivationSerializer(qs, many=True).data)

    @extend_schema(request=ActivationCreateSerializer, responses={201: ActivationSerializer})
    def post(self, request, pk):
        incident = self._incident(pk)
        require(request.user, "activation.propose", incident)  # who may (403) before what is sent (400)
        data = ActivationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        activation = services.propose_activation(incident, v["plan"], v["level"], request.user, v.get("reason", ""))
        activation = selectors.activations().get(pk=activation.pk)
        return Response(ActivationSerializer(activation).data, status=status.HTTP_201_CREATED)


class ActivationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Activations. Proposals (start, level change, termination) by duty officers wait
    for a leader's or duty leader's approve/reject; when those roles propose, it applies at once."""

    serializer_class = ActivationSerializer

    def get_queryset(self):
        qs = selectors.activations().order_by("-proposed_at", "-id")
        if policy.scope(self.request.user, "incident.view") is not None:
            qs = qs.filter(incident__in=visible_incidents(self.request.user))
        p = self.request.query_params
        incident = as_id(p.get("incident"))
        if incident is not None:
            qs = qs.filter(incident_id=incident)
        if p.get("state") in Activation.State.values:
            qs = qs.filter(state=p["state"])
        elif p.get("state"):
            qs = qs.none()  # no activation is in an unknown state
        return qs

    def _done(self, activation, code=status.HTTP_200_OK):
        return Response(ActivationSerializer(selectors.activations().get(pk=activation.pk)).data, status=code)

    @extend_schema(request=NoteSerializer, responses=ActivationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[Allowed.to("activation.approve")])
    def approve(self, request, pk=None):
        activation = self.get_object()  # who may (403) before what is sent (400)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.approve(activation, request.user, data.validated_data.get("note", "")))

    @extend_schema(request=NoteSerializer, responses=ActivationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[Allowed.to("activation.approve")])
    def reject(self, request, pk=None):
        activation = self.get_object()
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.reject(activation, request.user, data.validated_data.get("note", "")))

    @extend_schema(request=LevelChangeSerializer, responses=ActivationSerializer)
    @action(
        detail=True, methods=["post"], url_path="change-level", permission_classes=[Allowed.to("activation.propose")]
    )
    def change_level(self, request, pk=None):
        activation = self.get_object()
        data = LevelChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        return self._done(services.change_level(activation, v["level"], request.user, v.get("reason", "")))

    @extend_schema(request=ReasonSerializer, responses=ActivationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[Allowed.to("activation.propose")])
    def terminate(self, request, pk=None):
        activation = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.terminate(activation, request.user, data.validated_data["reason"]))


class ConsequenceView(APIView):
    """GET consequences/?action=…: what a high-impact action will do, before it is done.

    activate (incident, plan, level), change_level (activation, level), terminate
    (activation), approve (activation), close (incident), merge (incident, into).
    → {"action", "title", "lines", "sections": [{"heading", "items"}],
    "departments": [{"id", "name", "tasks"}], "confirm", "cancel"}: the words of the
    confirmation dialog, and which departments get which tasks. Reads only; only
    incidents the caller may see."""

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, required=name == "action")
            for name in ("action", "incident", "plan", "level", "activation", "into")
        ],
        responses={200: dict},
    )
    def get(self, request):
        return Response(consequences.of(request.user, request.query_params, visible_incidents(request.user)))
