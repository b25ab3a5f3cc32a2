"""Organisation API: departments/ and people/."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import renderers, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import selectors, services
from .api import Allowed, as_id
from .models import ApiToken, Department
from .models.tokens import TOKENS_PER_PERSON
from .serializers import DepartmentSerializer, PersonSerializer


class TokenView(APIView):
    """POST {"username", "password"} -> {"token"}: a new token each time, shown
    this once (only its digest is stored; dutyops.models.tokens)."""

    throttle_classes = ()
    renderer_classes = (renderers.JSONRenderer,)
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # JSON, as every API body (DRF's view takes forms too)
    # Nobody is signed in yet: a stale Authorization header is ignored, not a 401, and
    # the schema says no credentials are needed (a generated client's plain Client).
    authentication_classes = []
    permission_classes = [AllowAny]
    idempotency_key = False  # nobody is signed in yet: nobody to keep the answer for

    def get_serializer_context(self):
        # Authenticate with Django's own request, so that login throttling
        # (django-axes) sees the attempt and its middleware can lock it out.
        return {"request": self.request._request, "format": self.format_kwarg, "view": self}

    @extend_schema(
        request=AuthTokenSerializer,
        responses=inline_serializer("AuthToken", {"token": serializers.CharField(read_only=True)}),
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        _token, key = ApiToken.issue(serializer.validated_data["user"], keep=TOKENS_PER_PERSON)
        return Response({"token": key})


class DepartmentViewSet(viewsets.ModelViewSet):
    serializer_class = DepartmentSerializer
    permission_classes = [Allowed.to(write="org.write")]
    queryset = Department.objects.all()

    def perform_create(self, serializer):
        services.save_department(serializer, self.request.user)

    def perform_update(self, serializer):
        services.save_department(serializer, self.request.user)

    def perform_destroy(self, department):
        services.delete_department(department, self.request.user)


class PersonViewSet(viewsets.ModelViewSet):
    serializer_class = PersonSerializer
    permission_classes = [Allowed.to(write="org.write")]

    def get_queryset(self):
        qs = selectors.people_for(self.request.user)
        department = as_id(self.request.query_params.get("department"))
        if department is not None:
            qs = qs.filter(department_id=department)
        return qs

    def perform_create(self, serializer):
        serializer.instance = services.save_person(serializer, self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.save_person(serializer, self.request.user)

    def perform_destroy(self, person):
        services.deactivate_person(person, self.request.user)
