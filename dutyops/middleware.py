"""Security headers on every response."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

# No inline script anywhere (pages load their JS from /static/), no third-party
# origin at all: the product runs on an intranet with nothing outside it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # style attributes set by chart and map libraries
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """CSP and Permissions-Policy (Django's SecurityMiddleware sets the others:
    nosniff, Referrer-Policy, Cross-Origin-Opener-Policy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response


class DatabaseUnavailableMiddleware:
    """A lost database is a 503 the client can retry, never a 500 or a hang
    (connections time out after 5 s; see DATABASES OPTIONS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            log.error("database unavailable: %s", exception)
            body = {"detail": str(_("服务暂时不可用，请稍后重试。"))}
            return JsonResponse(body, status=503, headers={"Retry-After": "5"})
        return None
