"""API plumbing shared by every app: pagination, error bodies, role permissions."""

import copy
import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, permissions, routers, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)


def as_id(value):
    """An integer id from a query parameter or document value, or None.
    Only ASCII decimal digits: str.isdigit() accepts "²", which int() refuses (a 500)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdecimal() and len(value) <= 18:
        return int(value)
    return None


class FieldsBuiltOnce:
    """For a ModelSerializer on a hot path: DRF introspects the model to build its
    fields for every instance. Here they are built once, and each instance gets
    copies to bind (binding sets the field's name and parent on the copy)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = cls._fields_built = super().get_fields()
            for field in built.values():
                field.validators  # noqa: B018 - built once here, shared by the copies
        return {name: _unbound_copy(field) for name, field in built.items()}


def _unbound_copy(field):
    """A field's copy for one serializer instance. A plain field keeps no state
    of its own but what bind() sets, so a shallow copy does, at a tenth of the
    cost of DRF's deepcopy (which re-runs __init__). Fields holding other
    fields (nested serializers, lists, many=True) are deep-copied as DRF does."""
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    clone._validators = list(field._validators)
    return clone


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class Conflict(exceptions.APIException):
    """A state change that conflicts with the current state (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该操作与当前状态冲突。")
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("服务暂时不可用，请稍后重试。")
    default_code = "unavailable"


def exception_handler(exc, context):
    """DRF's handler, plus: Django ValidationError -> 400 with field messages,
    IntegrityError -> 409, a lost database -> 503. Never a 500 for client input."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, (DataError, OverflowError)):
        # A value the database cannot hold (a number out of range, say): the client's input.
        exc = exceptions.ValidationError({"non_field_errors": [_("数值超出允许范围。")]})
    elif isinstance(exc, IntegrityError):
        log.warning("integrity error turned into 409: %s", exc)
        exc = Conflict()
    elif isinstance(exc, DatabaseError):
        log.error("database error: %s", exc)
        exc = ServiceUnavailable()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = "5"  # as the middleware's 503 says (docs/api-versioning.md)
    return response


def error_response(field, message, code=status.HTTP_400_BAD_REQUEST):
    return Response({field: [message]}, status=code)


class Router(routers.DefaultRouter):
    """Object ids are integers: /alerts/abc/ is a 404 from routing, not an error in a view."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not hasattr(viewset, "lookup_value_regex"):
            viewset.lookup_value_regex = "[0-9]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


class HasRole(permissions.BasePermission):
    """Usage: permission_classes = [HasRole.of("admin", "duty_officer")]."""

    roles: frozenset = frozenset()

    @classmethod
    def of(cls, *roles):
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.roles & self.roles))


class ReadOrRoles(HasRole):
    """Any authenticated user reads; only the named roles write."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().has_permission(request, view)
