"""Thin API views and the page of accountability; logic lives in services/selectors."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dutyops import policy
from dutyops.api import Allowed
from dutyops.errors import Forbidden

from . import selectors, services
from .serializers import FindingSerializer, StaffErrorSerializer


class _Register(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A register: records are added, never changed or deleted; a correction is a new record."""

    permission_classes = [Allowed.to(read="accountability.view", write="accountability.decide")]

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = self.record(body.validated_data)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


class FindingViewSet(_Register):
    """迟报/漏报/瞒报/谎报 register: the finding, the unit (and person), who decided."""

    serializer_class = FindingSerializer

    def get_queryset(self):
        return selectors.findings_for(self.request.user)

    def record(self, v):
        return services.record_finding(self.request.user, **v)

    @extend_schema(
        responses=inline_serializer(
            "LateCandidate",
            {
                "kind": serializers.CharField(),
                "department": serializers.IntegerField(allow_null=True),
                "department_name": serializers.CharField(),
                "incident": serializers.IntegerField(allow_null=True),
                "title": serializers.CharField(required=False),
                "clock": serializers.CharField(required=False),
                "due_at": serializers.DateTimeField(allow_null=True),
                "reported_at": serializers.DateTimeField(allow_null=True),
            },
            many=True,
        )
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[Allowed.to("accountability.decide")],
        pagination_class=None,
    )
    def candidates(self, request):
        """Statutory clocks that ran out in the last 31 days with no finding yet: what to review."""
        now = timezone.now()
        rows = selectors.late_candidates(now - datetime.timedelta(days=31), now, now)
        departments = policy.scope(request.user, "accountability.decide")
        if departments is not None:
            rows = [r for r in rows if r["department"] in departments]
        return Response(rows)


class StaffErrorViewSet(_Register):
    """差错登记: staff errors, registered by the room's duty leader or above."""

    serializer_class = StaffErrorSerializer

    def get_queryset(self):
        return selectors.errors_for(self.request.user)

    def record(self, v):
        return services.record_staff_error(self.request.user, **v)


@login_required
def registers_page(request):
    if not policy.may(request.user, "accountability.view"):
        raise Forbidden()
    return render(
        request,
        "accountability/registers.html",
        {
            "findings": list(selectors.findings_for(request.user)[:200]),
            "errors": list(selectors.errors_for(request.user)[:200]),
        },
    )
