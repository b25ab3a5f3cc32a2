"""Thin API views and pages of the ways in; logic lives in services/selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops import policy
from dutyops.api import Allowed
from dutyops.authentication import SessionAuthentication, TokenAuthentication
from dutyops.errors import Forbidden
from incidents.serializers import ReportSerializer

from . import cap, selectors, services
from .authentication import SourceKeyAuthentication
from .models import Source
from .serializers import InboundReportSerializer, SourceSerializer, WarningSerializer


class SourceViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The systems allowed in (admins). POST answers with the key, once; DELETE stops
    the key working (the source and what it sent stay)."""

    serializer_class = SourceSerializer
    permission_classes = [Allowed.to("source.manage")]
    idempotency_secret = True  # the key is shown once: a replay never sends it again (dutyops.idempotency)

    def get_queryset(self):
        return selectors.sources()

    def perform_create(self, serializer):
        v = serializer.validated_data
        source, key = services.create_source(
            self.request.user, name=v["name"], duty_room=v.get("duty_room"), note=v.get("note", "")
        )
        source.key = key
        serializer.instance = source

    def perform_destroy(self, instance):
        services.revoke_source(instance, self.request.user)


class FromSource(permissions.BasePermission):
    """Only a system's key (X-Api-Key) gets in; a person's token does not."""

    def has_permission(self, request, view):
        return isinstance(request.auth, Source)


class InboundView(APIView):
    """POST inbound/: a report from a system (its key in `X-Api-Key`; `Idempotency-Key`
    honoured). Registered as channel "system" with the system as its source; 201 with
    the report, its `incident` and the `possible_duplicates` found on the way in."""

    authentication_classes = [SourceKeyAuthentication]
    permission_classes = [FromSource]

    @extend_schema(request=InboundReportSerializer, responses={201: ReportSerializer})
    def post(self, request):
        body = InboundReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report, _incident, duplicates = services.receive_report(request.auth, body.validated_data)
        report.possible_duplicates = duplicates
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class _CapParser(parsers.BaseParser):
    """The body as bytes, read up to the CAP size limit (anything longer is refused unread)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(cap.MAX_BYTES + 1) if stream is not None else b""
        if len(data) > cap.MAX_BYTES:
            raise ParseError({"document": [_("CAP 文档超过 %(kb)d KB，拒绝接收。") % {"kb": cap.MAX_BYTES // 1024}]})
        return data


class CapXMLParser(_CapParser):
    media_type = "application/xml"


class CapTextXMLParser(_CapParser):
    media_type = "text/xml"


class CapMediaParser(_CapParser):
    media_type = "application/cap+xml"


class MayImportWarnings(permissions.BasePermission):
    """A system's key, or a person who may import warnings by hand."""

    def has_permission(self, request, view):
        if isinstance(request.auth, Source):
            return True
        user = request.user
        return bool(user and user.is_authenticated and policy.may(user, "warning.import"))


class CapView(APIView):
    """POST cap/: one CAP 1.2 document (`Content-Type: application/xml`) → 201 with the
    warning's `id` (200 when the same document was imported before). Malformed or
    hostile XML (a DTD, entities, external references, over 512 KB) → 400, nothing written."""

    authentication_classes = [SourceKeyAuthentication, TokenAuthentication, SessionAuthentication]
    permission_classes = [MayImportWarnings]
    parser_classes = [CapXMLParser, CapTextXMLParser, CapMediaParser]

    @extend_schema(
        request={"application/xml": OpenApiTypes.BINARY},
        responses={201: WarningSerializer, 200: WarningSerializer},
    )
    def post(self, request):
        document = request.data if isinstance(request.data, bytes) else b""
        source = request.auth if isinstance(request.auth, Source) else None
        warning, created = services.import_cap(document, source=source, actor=None if source else request.user)
        return Response(WarningSerializer(warning).data, status=status.HTTP_201_CREATED if created else 200)


class WarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Imported CAP warnings, newest first; `?active=1`: those in force now (the board's)."""

    serializer_class = WarningSerializer
    permission_classes = [Allowed.to(read="warning.view", write="warning.import")]

    def get_queryset(self):
        qs = selectors.warnings()
        if self.request.query_params.get("active", "").lower() in ("1", "true", "yes"):
            qs = qs.filter(selectors.in_force())
        return qs.order_by("-sent", "-id")

    @extend_schema(
        parameters=[OpenApiParameter("active", bool, description="true: only warnings in force now")],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "WarningIncident",
                {
                    "incident": serializers.IntegerField(),
                    "possible_duplicates": serializers.ListField(child=serializers.IntegerField()),
                },
            )
        },
    )
    @action(detail=True, methods=["post"])
    def incident(self, request, pk=None):
        """Open an incident from the warning (plan matching then runs on it)."""
        warning = self.get_object()
        incident, duplicates = services.open_incident(warning, request.user)
        return Response({"incident": incident.pk, "possible_duplicates": duplicates}, status=status.HTTP_201_CREATED)


# --- pages --------------------------------------------------------------------


@login_required
def warnings_page(request):
    if not policy.may(request.user, "warning.view"):
        raise Forbidden()
    rows = list(selectors.warnings().order_by("-sent", "-id")[:200])
    for row in rows:
        row.in_force = selectors.is_in_force(row)
    return render(
        request,
        "inbound/warnings.html",
        {"warnings": rows, "can_import": policy.may(request.user, "warning.import")},
    )
