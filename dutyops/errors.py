"""Domain errors: what a service says when it refuses a change.

Services raise these and nothing else (never an HTTP or DRF exception); one
place turns them into an answer: `dutyops.api.exception_handler` for the API
(400 with field messages, 403, 404, 409) and `dutyops.pages.reported()` for a
page (a message on the next page shown). Each subclasses the Django exception
of the same meaning, so Django's own machinery (admin forms, the 404 and 403
pages, `ValidationError.message_dict`) treats them as it always has.
"""

from django.core import exceptions as django
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every domain error; `status` is the HTTP status it becomes."""

    status = 400

    @property
    def text(self):
        """The error as one line for a person (a page's message)."""
        return "；".join(str(m) for m in messages_of(self))


class Invalid(DomainError, django.ValidationError):  # noqa: N818 - read as the domain says it: raise Invalid(...)
    """Bad input: `Invalid({"field": ["message"]})` or `Invalid("message")` (400)."""

    status = 400

    def __init__(self, errors, code=None):
        django.ValidationError.__init__(self, errors, code=code)


class Forbidden(DomainError, django.PermissionDenied):  # noqa: N818
    """This person may not do this (403)."""

    status = 403

    def __init__(self, message=None):
        super().__init__(message or _("您没有执行该操作的权限。"))


class NotFound(DomainError, Http404):  # noqa: N818
    """The thing asked for does not exist, or is not this person's to see (404)."""

    status = 404

    def __init__(self, message=None):
        super().__init__(message or _("未找到。"))


class Conflict(DomainError):  # noqa: N818
    """The change conflicts with the current state (409)."""

    status = 409

    def __init__(self, message=None):
        super().__init__(message or _("该操作与当前状态冲突。"))


def messages_of(exc):
    """Every message an error carries, field messages included (Django or domain errors)."""
    if isinstance(exc, django.ValidationError):
        return exc.messages
    return [str(arg) for arg in exc.args] or [str(exc)]


def field_errors(exc):
    """{field: [messages]} of a validation error; messages without a field go under non_field_errors."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}
