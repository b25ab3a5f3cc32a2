"""Page plumbing shared by every app: the one place a page turns a domain error
into a message for the person (the API's place is dutyops.api.exception_handler)."""

from contextlib import contextmanager

from django.contrib import messages

from .errors import DomainError, messages_of


@contextmanager
def reported(request):
    """Run a service call for a page: a domain error it raises (invalid input, a
    conflict, a refusal) becomes an error message on the next page shown, and
    whatever the block wrote is rolled back by the service's own transaction.

        with reported(request):
            services.check_in(shift, request.user)
            messages.success(request, _("已到岗签到。"))
    """
    try:
        yield
    except DomainError as exc:
        messages.error(request, "；".join(str(m) for m in messages_of(exc)))
