"""API plumbing shared by every app: pagination, error bodies, permissions (from dutyops.policy)."""

import copy
import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, permissions, routers, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import errors, policy

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


class _Refused(exceptions.APIException):
    """A domain error other than bad input, as DRF answers it (its status and message)."""

    def __init__(self, error):
        self.status_code = error.status
        super().__init__(errors.messages_of(error)[0], code=type(error).__name__.lower())


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("服务暂时不可用，请稍后重试。")
    default_code = "unavailable"


def exception_handler(exc, context):
    """The one place domain errors become API answers (DRF's handler does the rest):
    Invalid (and Django's ValidationError) -> 400 with field messages, Forbidden -> 403,
    NotFound -> 404, Conflict and IntegrityError -> 409, a lost database -> 503.
    Never a 500 for client input."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(errors.field_errors(exc))
    elif isinstance(exc, errors.DomainError):
        exc = _Refused(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, (DataError, OverflowError)):
        # A value the database cannot hold (a number out of range, say): the client's input.
        exc = exceptions.ValidationError({"non_field_errors": [_("数值超出允许范围。")]})
    elif isinstance(exc, IntegrityError):
        log.warning("integrity error turned into 409: %s", exc)
        exc = _Refused(errors.Conflict())
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


class FileFormatNegotiation(DefaultContentNegotiation):
    """`?format=` names the file to export (csv, xlsx, docx, pdf), not a DRF renderer:
    answer errors as JSON whatever it says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Router(routers.DefaultRouter):
    """Object ids are integers: /alerts/abc/ is a 404 from routing, not an error in a view.
    No `.json` suffix routes: nothing asks for them, and they doubled the patterns every
    request's URL is tried against before it finds its view."""

    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not hasattr(viewset, "lookup_value_regex"):
            viewset.lookup_value_regex = "[0-9]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


class Allowed(permissions.BasePermission):
    """DRF's view of dutyops.policy: `permission_classes = [Allowed.to("incident.operate")]`
    (every method needs the action), `[Allowed.to(write="roster.write")]` (any signed-in
    person reads, writes need the action). On an object (get_object(), or a view's own
    check_object_permissions) the action is asked about that object: its scope."""

    read: str | None = None
    write: str | None = None

    @classmethod
    def to(cls, action=None, *, read=None, write=None):
        read, write = read or action, write or action
        return type(f"Allowed_{read}_{write}", (cls,), {"read": read, "write": write})

    def _action(self, request):
        return self.read if request.method in permissions.SAFE_METHODS else self.write

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        action = self._action(request)
        return action is None or policy.may(user, action)

    def has_object_permission(self, request, view, obj):
        """The same action on this object: its scope (the object's departments, or being a party to it)."""
        action = self._action(request)
        return action is None or policy.may(request.user, action, obj)


def require(user, action, obj):
    """Refuse (403) unless `user` may take `action` on `obj` (dutyops.policy): for what a
    request names in its body (the room of a new shift), which get_object() does not see."""
    if obj is not None and not policy.may(user, action, obj):
        raise errors.Forbidden()
