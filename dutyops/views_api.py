"""Organisation API: departments/ and people/."""

from rest_framework import viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

from . import services
from .api import ReadOrRoles, as_id
from .models import Department, Person, Role
from .serializers import DepartmentSerializer, PersonSerializer


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # JSON, as every API body (DRF's view takes forms too)
    # Nobody is signed in yet: a stale Authorization header is ignored, not a 401, and
    # the schema says no credentials are needed (a generated client's plain Client).
    authentication_classes = []
    permission_classes = [AllowAny]
    idempotency_key = False  # nobody is signed in yet: nobody to keep the answer for

    def get_serializer_context(self):
        # Authenticate with Django's own request, so that login throttling
        # (django-axes) sees the attempt and its middleware can lock it out.
        return {**super().get_serializer_context(), "request": self.request._request}


class DepartmentViewSet(viewsets.ModelViewSet):
    serializer_class = DepartmentSerializer
    permission_classes = [ReadOrRoles.of(Role.ADMIN)]
    queryset = Department.objects.all()

    def perform_create(self, serializer):
        services.save_department(serializer, self.request.user)

    def perform_update(self, serializer):
        services.save_department(serializer, self.request.user)

    def perform_destroy(self, department):
        services.delete_department(department, self.request.user)


class PersonViewSet(viewsets.ModelViewSet):
    serializer_class = PersonSerializer
    permission_classes = [ReadOrRoles.of(Role.ADMIN)]

    def get_queryset(self):
        qs = Person.objects.select_related("department").prefetch_related("groups").order_by("username")
        user = self.request.user
        if not user.sees_everything:
            qs = qs.filter(department_id=user.department_id) if user.department_id else qs.none()
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
