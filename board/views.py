"""Pages: the ops-room board (kiosk), the leaders' view, the officer's console,
and the snapshot they all start from. Thin: reads live in selectors.py."""

import datetime

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops import policy
from dutyops import selectors as org
from dutyops.errors import Forbidden
from incidents.selectors import responsible_departments

from . import selectors

KIOSK_SESSION_DAYS = 30
PAGE_REFUSALS = {
    "page.board": {"page": gettext_lazy("指挥大屏"), "who": gettext_lazy("值班室、领导和大屏账号")},
    "page.leader": {"page": gettext_lazy("领导视图"), "who": gettext_lazy("领导和带班领导")},
    "page.console": {"page": gettext_lazy("值班台"), "who": gettext_lazy("值班室值班人员")},
}


def _kiosk_login(request):
    """?token=<board token>: log the wall screen in for a long session, then
    drop the token from the address bar. Only board accounts may do this."""
    key = request.GET.get("token", "").strip()
    token = org.token_for_key(key)
    # The session hash carries the board's auth version: rotating its token
    # (board_token --rotate) raises it and so ends this session (dutyops.credentials).
    if token is None or not token.user.is_active or not policy.may(token.user, "kiosk.login"):
        return None
    login(request, token.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(datetime.timedelta(days=KIOSK_SESSION_DAYS))
    query = request.GET.copy()
    query.pop("token", None)
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def _page(request, template, mode, page):
    if "token" in request.GET:
        response = _kiosk_login(request)
        if response is not None:
            return response
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not policy.may(request.user, page):
        # Say why, on the page the person lands on (base.html shows messages).
        messages.warning(request, _("“%(page)s”仅对%(who)s开放，已为您打开您的工作台。") % PAGE_REFUSALS[page])
        return redirect("home")
    snapshot = selectors.snapshot(request.user)
    rotate = request.GET.get("rotate", "")
    page_seconds = request.GET.get("page_seconds", "")
    return render(
        request,
        template,
        {
            "mode": mode,
            "snapshot": snapshot,
            "rotate": int(rotate) if rotate.isascii() and rotate.isdecimal() and 10 <= int(rotate) <= 3600 else 0,
            # The wall board's incident pages turn every few seconds (?page_seconds=2..120).
            "page_seconds": int(page_seconds)
            if page_seconds.isascii() and page_seconds.isdecimal() and 2 <= int(page_seconds) <= 120
            else 8,
            "kiosk": policy.read_only(request.user),
            **(selectors.console_context(request.user) if mode == "console" else {}),
            **({"instruct_departments": responsible_departments()} if mode == "leader" else {}),
        },
    )


@never_cache
@ensure_csrf_cookie
def board_page(request):
    """指挥大屏: the wall screen, 1920x1080, dark, live."""
    return _page(request, "board/board.html", "board", "page.board")


@never_cache
@ensure_csrf_cookie
def leader_page(request):
    """领导视图: the board with drill-down and one-click decisions."""
    return _page(request, "board/board.html", "leader", "page.leader")


@never_cache
@ensure_csrf_cookie
@login_required
def console_page(request):
    """值班员工作台: intake, open incidents, clocks due soonest, the shift."""
    return _page(request, "board/console.html", "console", "page.console")


class SnapshotView(APIView):
    """GET board/snapshot/: the board's whole picture as of stream position `seq`;
    apply /ws/events/?after=<seq> on top of it. Staff roles only."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        if not policy.may(request.user, "page.board"):
            raise Forbidden(_("指挥大屏仅对值班室、领导和大屏账号开放。"))
        return Response(selectors.snapshot(request.user), headers={"Cache-Control": "no-store"})
