"""Security headers on every response; the client's real address behind a trusted proxy."""

import ipaddress
import logging

from django.conf import settings
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


def trusted_networks(spec):
    """DUTYOPS_TRUSTED_PROXIES: comma-separated addresses or networks (CIDR)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer, forwarded_for, networks):
    """The client's address: the peer, unless the peer is a trusted proxy; then
    X-Forwarded-For read from the right, skipping trusted proxies. What a client
    writes into the header itself stands left of what its proxy appended, so it
    is never believed."""
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed hop: keep the proxy's own address
    return hops[0] if hops else peer


def request_client_address(request):
    """django-axes asks this (AXES_CLIENT_IP_CALLABLE): the address the
    middleware below settled on, never a header of the client's own."""
    return request.META.get("REMOTE_ADDR", "")


class ClientAddressMiddleware:
    """Behind nginx every request comes from the proxy: without this, login
    throttling (django-axes) would lock one address for everyone. Only proxies
    in DUTYOPS_TRUSTED_PROXIES are believed; from anyone else the forwarding
    headers are dropped, so a client cannot claim another address or HTTPS."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = trusted_networks(settings.DUTYOPS_TRUSTED_PROXIES)

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        if self.networks and _trusted(peer, self.networks):
            meta["REMOTE_ADDR"] = client_address(peer, meta.get("HTTP_X_FORWARDED_FOR"), self.networks)
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)
