import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found

from . import policy


@login_required
def home(request):
    """Each role to its place (dutyops.policy.LANDING: officer: console, leaders:
    leader view, liaison: department console, wall screen: board); ?stay=1 or
    admin: the launcher."""
    target = None if request.GET.get("stay") else policy.landing(request.user)
    if target:
        return redirect(target)
    return render(request, "home.html")


async def _ping_channel_layer():
    """A message to ourselves through the channel layer (Redis, Sentinel or in-memory)."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await asyncio.wait_for(layer.send(channel, {"type": "healthz"}), timeout=2)
    await asyncio.wait_for(layer.receive(channel), timeout=2)


@never_cache
def healthz(request):
    """Liveness and readiness: the database and the channel layer answer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        async_to_sync(_ping_channel_layer)()
        checks["channel_layer"] = "ok" if settings.REDIS_URL else "ok (in-memory)"
    except Exception as exc:  # noqa: BLE001
        checks["channel_layer"] = f"error: {exc.__class__.__name__}"
    healthy = all(v.startswith("ok") for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes lockout: JSON for the API, the login page with a message for people."""
    message = _("登录失败次数过多，账号已临时锁定，请 15 分钟后再试。")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "login.html", {"locked_message": message}, status=429)


def not_found(request, exception=None):
    """handler404: API clients get the JSON body every other API error has."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return page_not_found(request, exception)
