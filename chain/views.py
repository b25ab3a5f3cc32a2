"""Thin API views of the chain domain; logic lives in services and selectors."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops.api import Allowed
from dutyops.errors import NotFound

from . import documents, selectors, services
from .authentication import DownLinkAuthentication, UpLinkAuthentication
from .models import Link
from .serializers import (
    ChainReceiptAcceptedSerializer,
    ChainReportAcceptedSerializer,
    InboundSerializer,
    LineRecipientSerializer,
    LinkSerializer,
    UpwardReportInSerializer,
    UpwardReportSerializer,
    VerificationSerializer,
)
from .wire import ReceiptIn, ReportIn


def _incident(request, pk):
    incident = selectors.incident_for(request.user, pk)
    if incident is None:
        raise NotFound()
    return incident


class IncidentUpwardReportsView(APIView):
    """GET: an incident's upward reports with each recipient's delivery state.
    POST: send one (首报/续报/终报) to the statutory line; 201 with its deliveries."""

    permission_classes = [Allowed.to(read="incident.view", write="upward.report")]

    @extend_schema(responses=UpwardReportSerializer(many=True))
    def get(self, request, pk):
        incident = _incident(request, pk)
        return Response(UpwardReportSerializer(selectors.upward_reports_of(incident), many=True).data)

    @extend_schema(request=UpwardReportInSerializer, responses={201: UpwardReportSerializer})
    def post(self, request, pk):
        incident = _incident(request, pk)
        body = UpwardReportInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upward = services.report_upward(incident, request.user, **body.validated_data)
        return Response(
            UpwardReportSerializer(selectors.upward_reports_of(upward.incident).get(pk=upward.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class IncidentVerificationsView(APIView):
    """GET: what was verified on an incident. POST: record facts verified {facts, method, verified_at?}."""

    permission_classes = [Allowed.to(read="incident.view", write="upward.report")]

    @extend_schema(responses=VerificationSerializer(many=True))
    def get(self, request, pk):
        incident = _incident(request, pk)
        return Response(VerificationSerializer(selectors.verifications_of(incident), many=True).data)

    @extend_schema(request=VerificationSerializer, responses={201: VerificationSerializer})
    def post(self, request, pk):
        incident = _incident(request, pk)
        body = VerificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        verification = services.verify(incident, request.user, **body.validated_data)
        return Response(VerificationSerializer(verification).data, status=status.HTTP_201_CREATED)


class UpwardReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Upward reports of the incidents one may see, newest first; each keeps its 信息专报."""

    serializer_class = UpwardReportSerializer
    permission_classes = [Allowed.to("incident.view")]

    def get_queryset(self):
        return selectors.visible_upward_reports(self.request.user)

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): bytes})
    @action(detail=True, methods=["get"])
    def document(self, request, pk=None):
        """The 信息专报 as sent (DOCX)."""
        upward = self.get_object()
        response = HttpResponse(
            bytes(selectors.document_of(upward.pk)),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(documents.filename(upward))}"
        return response


def _quote(name):
    from urllib.parse import quote  # noqa: PLC0415

    return quote(name)


class ReportingLineView(APIView):
    """The statutory reporting line (报送对象), for a category when asked (?category=)."""

    permission_classes = [Allowed.to("incident.view")]

    @extend_schema(responses=LineRecipientSerializer(many=True))
    def get(self, request):
        return Response(
            LineRecipientSerializer(selectors.reporting_line(request.query_params.get("category")), many=True).data
        )


class LinkViewSet(viewsets.ModelViewSet):
    """Installations linked up and down the chain (admin): URL, credential (write
    only), categories that go up, the local account the peer calls us as."""

    serializer_class = LinkSerializer
    permission_classes = [Allowed.to("link.manage")]
    queryset = Link.objects.all()
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.save_link(self.request.user, serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_link(self.request.user, serializer.validated_data, serializer.instance)

    def perform_destroy(self, instance):
        services.deactivate_link(self.request.user, instance)


class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reports that arrived from lower installations; the duty officer signs for them."""

    serializer_class = InboundSerializer
    permission_classes = [Allowed.to(read="incident.view", write="inbound.sign")]

    def get_queryset(self):
        qs = selectors.visible_inbound(self.request.user).order_by("-received_at", "-id")
        if self.request.query_params.get("unsigned") in ("1", "true"):
            qs = qs.filter(signed_at__isnull=True)
        return qs

    @extend_schema(request=None, responses=InboundSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """签收: the receipt flows back to the sender over the link."""
        inbound = services.sign(self.get_object(), request.user)
        return Response(InboundSerializer(inbound).data)


class ChainReportsView(APIView):
    """The receiving end of a link (docs/chain-protocol.md): a lower installation's
    report, authenticated as the link's account, registered as `lower_level`."""

    authentication_classes = [DownLinkAuthentication]
    permission_classes = []

    @extend_schema(request=ReportIn, responses={201: ChainReportAcceptedSerializer})
    def post(self, request):
        if request.auth is None:
            return Response({"detail": _("需要链路凭据。")}, status=status.HTTP_401_UNAUTHORIZED)
        body = ReportIn(data=request.data)
        body.is_valid(raise_exception=True)
        inbound = services.receive(request.auth.link, request.user, body.validated_data)
        return Response(ChainReportAcceptedSerializer(inbound).data, status=status.HTTP_201_CREATED)


class ChainReceiptsView(APIView):
    """The sending end's callback: the higher installation's sign-for of a report."""

    authentication_classes = [UpLinkAuthentication]
    permission_classes = []

    @extend_schema(request=ReceiptIn, responses={200: ChainReceiptAcceptedSerializer})
    def post(self, request):
        if request.auth is None:
            return Response({"detail": _("需要链路凭据。")}, status=status.HTTP_401_UNAUTHORIZED)
        body = ReceiptIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data, report=str(body.validated_data["report"]))
        delivery = services.acknowledged(request.auth.link, data)
        return Response(ChainReceiptAcceptedSerializer(delivery).data, status=status.HTTP_200_OK)
