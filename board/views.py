"""Pages: the ops-room board (kiosk), the leaders' view, the officer's console,
and the snapshot they all start from. Thin: reads live in selectors.py."""

import datetime

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops.models import Role

from . import selectors

KIOSK_SESSION_DAYS = 30
LEADER_ROLES = (Role.LEADER, Role.DUTY_LEADER, Role.ADMIN)
CONSOLE_ROLES = (Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.ADMIN)


def _allowed(user, roles=None):
    if not user.is_authenticated:
        return False
    if roles is None:
        return user.sees_everything
    return user.is_superuser or user.has_role(*roles)


def _kiosk_login(request):
    """?token=<board token>: log the wall screen in for a long session, then
    drop the token from the address bar. Only board accounts may do this."""
    key = request.GET.get("token", "").strip()
    token = Token.objects.select_related("user").filter(key=key).first() if key else None
    if token is None or not token.user.is_active or not token.user.has_role(Role.BOARD):
        return None
    login(request, token.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(datetime.timedelta(days=KIOSK_SESSION_DAYS))
    query = request.GET.copy()
    query.pop("token", None)
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def _page(request, template, mode, roles=None):
    if "token" in request.GET:
        response = _kiosk_login(request)
        if response is not None:
            return response
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _allowed(request.user, roles):
        return redirect("home")
    snapshot = selectors.snapshot(request.user)
    rotate = request.GET.get("rotate", "")
    return render(
        request,
        template,
        {
            "mode": mode,
            "snapshot": snapshot,
            "rotate": int(rotate) if rotate.isascii() and rotate.isdecimal() and 10 <= int(rotate) <= 3600 else 0,
            "kiosk": request.user.has_role(Role.BOARD),
            **(selectors.console_context(request.user) if mode == "console" else {}),
        },
    )


@never_cache
@ensure_csrf_cookie
def board_page(request):
    """指挥大屏: the wall screen, 1920x1080, dark, live."""
    return _page(request, "board/board.html", "board")


@never_cache
@ensure_csrf_cookie
def leader_page(request):
    """领导视图: the board with drill-down and one-click decisions."""
    return _page(request, "board/board.html", "leader", roles=LEADER_ROLES)


@never_cache
@ensure_csrf_cookie
@login_required
def console_page(request):
    """值班员工作台: intake, open incidents, clocks due soonest, the shift."""
    return _page(request, "board/console.html", "console", roles=CONSOLE_ROLES)


class SnapshotView(APIView):
    """GET board/snapshot/: the board's whole picture as of stream position `seq`;
    apply /ws/events/?after=<seq> on top of it. Staff roles only."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        if not request.user.sees_everything:
            raise PermissionDenied("指挥大屏仅对值班室、领导和大屏账号开放。")
        return Response(selectors.snapshot(request.user), headers={"Cache-Control": "no-store"})


def landing_for(user):
    """Where each role starts its day (None: the launcher page)."""
    if user.has_role(Role.LEADER, Role.DUTY_LEADER):
        return "board-leader"
    if user.has_role(Role.DUTY_OFFICER):
        return "console"
    if user.has_role(Role.LIAISON):
        return "alerts-console"
    if user.has_role(Role.BOARD):
        return "board"
    return None
