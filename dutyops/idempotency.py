"""Idempotency-Key for every API POST, in one place (CONTRACT.md, "HTTP API").

A client that is not sure its POST arrived (a timeout, a dropped connection)
sends it again with the same `Idempotency-Key` header. Within 24 hours, the
same caller with the same key gets the first answer again (same status, same
body, plus `Idempotent-Replayed: true`) and nothing is created twice.

How (IdempotencyMiddleware, for every POST routed to a DRF view):
- The key belongs to its caller: `person:<id>` for a signed-in person, through
  a token or the session alike. A caller that is not a person names itself
  through its authenticator: if the `auth` object a view's authenticator
  returns has an `idempotency_owner` attribute (e.g. "source:7" for an inbound
  system's key), that is the owner. A request no authenticator accepts passes
  through untouched (the view answers 401/403).
- The request runs in one transaction that first claims (owner, key) by
  inserting its row. A second request with the same key meanwhile waits on
  that row (PostgreSQL's unique index; SQLite's write lock) until the first
  commits, then finds its answer: never two runs, never two records. If the
  first process dies, its transaction and claim roll back together and the
  waiting one runs instead.
- A 2xx answer is stored with the claim, in the same transaction as the view's
  writes: the record and what it answers for commit together or not at all.
  Any other answer leaves no record (nothing was created; the same key may be
  sent again, corrected or not); a 5xx also rolls the view's writes back.
- The row also keeps a fingerprint of method, path and body: the same key
  with a different request is a 422 that says so, not the first answer.
- Records expire after 24 h: an expired one is claimed afresh, and a worker
  timer (one per hour with keyed traffic) deletes them.

A view opts out with `idempotency_key = False` (the token endpoint: nobody is
signed in yet). Requests without the header pay nothing but a dict lookup.

A view whose answer carries a secret shown once (a source's key, a calendar feed's
URL) says `idempotency_secret = True`: the key still makes the POST happen once, but
its answer is never kept (a record would hold a live credential for 24 h, and in every
backup). Only the created object's `id` is kept, and a replay is a 409 that says the
secret is not sent again and gives that id (to revoke it and make a new one).

Pages that post plain HTML forms to Django views (check-in, handover) are
honoured the same way: a browser cannot set a header on a form post, so the key
comes in the form's `_idempotency_key` field (static/forms.js adds one to every
form that posts, new for each page render). The owner is the signed-in person;
2xx and redirects are kept (a redirect as its target, `content_type` REDIRECT),
so a double-click posts once and both clicks land on the same page. A function
view opts out with the same `idempotency_key = False` attribute.
"""

import datetime
import functools
import hashlib
import json
import logging

from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

from . import timers
from .cache import Recent
from .models import IdempotencyRecord

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
FORM_FIELD = "_idempotency_key"
REDIRECT = "x-dutyops/redirect"  # content_type of a kept page redirect; body = its Location
SECRET = "x-dutyops/secret-shown-once"  # content_type of an answer not kept; body = {"id"} of what it made
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
TTL = datetime.timedelta(hours=24)
PRUNE_TIMER = "dutyops.idempotency.prune"

_META_KEY = "HTTP_IDEMPOTENCY_KEY"
_TABLE = IdempotencyRecord._meta.db_table


def applies(view_cls, method):
    """Does this view honour the header for this method? (Also what the schema documents.)"""
    return (
        method == "POST"
        and isinstance(view_cls, type)
        and issubclass(view_cls, APIView)
        and getattr(view_cls, "idempotency_key", True)
    )


def owner_of(request, view_cls):
    """Whose key this is, authenticated as the view will do it; None: nobody we know.

    The view then takes this authentication as it is (DRF's forced authentication,
    as its test client does) instead of running its authenticators a second time."""
    # With the view's parsers: a session's CSRF check reads the body (request.POST), which
    # a parserless Request refuses as an unsupported media type (browsers were never
    # recognised). The caller has read the body already, so the view can read it again.
    drf_request = Request(
        request,
        parsers=[parser() for parser in view_cls.parser_classes],
        authenticators=[auth() for auth in view_cls.authentication_classes],
    )
    had_user = "user" in request.__dict__
    original_user = request.__dict__.get("user")
    try:
        user, auth = drf_request.user, drf_request.auth
    except APIException:
        return None  # the view gives its own 401/403
    finally:
        # DRF sets request.user as it authenticates; leave the request as it came.
        if had_user:
            request.user = original_user
        else:
            request.__dict__.pop("user", None)
    owner = getattr(auth, "idempotency_owner", None)
    if owner:
        owner = str(owner)[:64]
    elif user is not None and user.is_authenticated:
        owner = f"person:{user.pk}"
    else:
        return None
    request._force_auth_user, request._force_auth_token = user, auth
    return owner


@functools.lru_cache(maxsize=4096)
def page_view(path_info):
    """The Django (non-API) view a path routes to, if it honours a form's key; else None."""
    try:
        func = resolve(path_info).func
    except Resolver404:
        return None
    cls = getattr(func, "cls", None) or getattr(func, "view_class", None)
    if isinstance(cls, type) and issubclass(cls, APIView):
        return None
    if not getattr(func, "idempotency_key", True) or (cls is not None and not getattr(cls, "idempotency_key", True)):
        return None
    return func


def form_owner(request):
    """A page form's key belongs to the signed-in person (the session)."""
    user = getattr(request, "user", None)
    return f"person:{user.pk}" if user is not None and user.is_authenticated else None


@functools.lru_cache(maxsize=4096)
def view_class(path_info):
    """The view class a path routes to (None: none, or not a class-based view).
    Kept per path: resolving walks every pattern of the API."""
    try:
        return getattr(resolve(path_info).func, "cls", None)
    except Resolver404:
        return None


def fingerprint(request):
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _valid_key(key):
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def claim(owner, key, print_, now):
    """Insert (owner, key) in the current transaction, or take over an expired
    row: returns the new row's id if this request runs, else the stored row as
    a dict. While another transaction holds the same claim, this waits for it."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    cutoff = connection.ops.adapt_datetimefield_value(now - TTL)
    key_col = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        for _attempt in range(3):
            cursor.execute(
                f"INSERT INTO {_TABLE} (owner, {key_col}, fingerprint, created_at, status, content_type, body)"
                " VALUES (%s, %s, %s, %s, 0, '', %s)"
                f" ON CONFLICT (owner, {key_col}) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " created_at = excluded.created_at, status = 0, content_type = '', body = excluded.body"
                f" WHERE {_TABLE}.created_at < %s RETURNING id",
                [owner, key, print_, stamp, b"", cutoff],
            )
            row = cursor.fetchone()
            if row is not None:
                return row[0]
            cursor.execute(
                f"SELECT fingerprint, status, content_type, body FROM {_TABLE} WHERE owner = %s AND {key_col} = %s",
                [owner, key],
            )
            found = cursor.fetchone()
            if found is not None:
                return {"fingerprint": found[0], "status": found[1], "content_type": found[2], "body": bytes(found[3])}
            # Gone between the two statements (its request failed meanwhile): claim again.
    raise DatabaseError("idempotency: could not claim the key")


def keeps_secret(view):
    """Does this view's answer carry a secret shown once (`idempotency_secret = True`)?"""
    return bool(getattr(view, "idempotency_secret", False))


def _created_id(response):
    """The `id` of what a JSON answer made, or None."""
    try:
        found = json.loads(response.content).get("id")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def _store(record_id, response, secret=False):
    if secret:
        content_type, body = SECRET, json.dumps({"id": _created_id(response)}).encode()
    elif 300 <= response.status_code < 400:
        content_type, body = REDIRECT, response.get("Location", "").encode()
    else:
        content_type, body = response.get("Content-Type", ""), response.content
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET status = %s, content_type = %s, body = %s WHERE id = %s",
            [response.status_code, content_type, body, record_id],
        )


def _forget(record_id):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE} WHERE id = %s", [record_id])


def _replay(stored):
    if not stored["status"]:  # never committed so; kept for safety
        return _refusal(409, _("使用相同 Idempotency-Key 的请求仍在处理中，请稍后重试。"), retry_after=1)
    if stored["content_type"] == SECRET:
        message = _("此请求已处理，其应答中的密钥只显示一次，不再重发。如未保存该密钥，请作废（DELETE）后重新创建。")
        response = JsonResponse(
            {"detail": message, "id": json.loads(stored["body"] or b"{}").get("id")},
            status=409,
            json_dumps_params={"ensure_ascii": False},
        )
    elif stored["content_type"] == REDIRECT:
        response = HttpResponse(status=stored["status"])
        response["Location"] = stored["body"].decode()
    else:
        response = HttpResponse(stored["body"], status=stored["status"], content_type=stored["content_type"] or None)
    response[REPLAYED_HEADER] = "true"
    return response


def _refusal(status, message, retry_after=None):
    response = JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# --- pruning ------------------------------------------------------------------


def _schedule_prune(hour):
    return timers.schedule(PRUNE_TIMER, hour.isoformat(), hour + datetime.timedelta(hours=1))


_prunes = Recent(_schedule_prune, seconds=3600)  # this process's scheduled prunes, by hour


def arm_prune(now):
    """Schedule one prune an hour after this hour's first stored answer (a query
    per process per hour). Best effort, after the answer's commit: a miss only
    leaves expired rows to the next hour's prune."""
    try:
        _prunes.get(now.replace(minute=0, second=0, microsecond=0))
    except DatabaseError as exc:
        log.warning("idempotency: prune not scheduled: %s", exc)


def prune(now=None):
    """Delete the records older than 24 h; returns how many."""
    cutoff = (now or timezone.now()) - TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- the middleware ---------------------------------------------------------------


class IdempotencyMiddleware:
    """See the module docstring. Sits after authentication and CSRF, before the
    database-unavailable handler (whose 503 it then sees as a 5xx)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        key = request.META.get(_META_KEY)
        if key is None:
            return self._page_form(request)
        view_cls = view_class(request.path_info)
        if not applies(view_cls, request.method):
            return self.get_response(request)
        try:
            print_ = fingerprint(request)  # reads the body first: owner_of's CSRF check parses it after
        except Exception:  # noqa: BLE001 - an unreadable body: the view answers it
            return self.get_response(request)
        owner = owner_of(request, view_cls)
        if owner is None:  # the view answers 401/403, key or no key
            return self.get_response(request)
        if not _valid_key(key):
            message = _("Idempotency-Key 须为 1 至 %(n)d 个可见 ASCII 字符。") % {"n": MAX_KEY_LENGTH}
            return JsonResponse({HEADER: [message]}, status=400, json_dumps_params={"ensure_ascii": False})
        try:
            return self._once(request, owner, key, print_, secret=keeps_secret(view_cls))
        except DatabaseError as exc:
            log.error("idempotency: database unavailable: %s", exc)
            return _refusal(503, _("服务暂时不可用，请稍后重试。"), retry_after=5)

    def _page_form(self, request):
        """A plain HTML form posted to a page view, with its `_idempotency_key` field."""
        if not request.content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return self.get_response(request)
        view = page_view(request.path_info)
        if view is None:
            return self.get_response(request)
        owner = form_owner(request)
        if owner is None:
            return self.get_response(request)
        try:
            print_ = fingerprint(request)  # reads the body first: the form is parsed from it after
            key = request.POST.get(FORM_FIELD)
        except Exception:  # noqa: BLE001 - an unreadable body: the view answers it
            return self.get_response(request)
        if not key or not _valid_key(key):
            return self.get_response(request)
        try:
            return self._once(request, owner, key, print_, keep_redirects=True, secret=keeps_secret(view))
        except DatabaseError as exc:
            log.error("idempotency: database unavailable: %s", exc)
            return _refusal(503, _("服务暂时不可用，请稍后重试。"), retry_after=5)

    def _once(self, request, owner, key, print_, keep_redirects=False, secret=False):
        now = timezone.now()
        response = stored = None
        try:
            with transaction.atomic():
                claimed = claim(owner, key, print_, now)
                if isinstance(claimed, dict):
                    if claimed["fingerprint"] != print_:
                        return _refusal(
                            422,
                            _(
                                "此 Idempotency-Key 已用于另一个请求（方法、路径或请求体不同）；"
                                "新的请求请使用新的 Idempotency-Key。"
                            ),
                        )
                    return _replay(claimed)
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                elif (200 <= response.status_code < 300 or (keep_redirects and 300 <= response.status_code < 400)) and (
                    not response.streaming
                ):
                    _store(claimed, response, secret)
                    stored = True
                else:
                    _forget(claimed)
        except DatabaseError:
            if response is not None and response.status_code >= 500:
                return response  # the view's own 503; the rollback failed with the connection
            raise
        if stored:
            arm_prune(now)
        return response
