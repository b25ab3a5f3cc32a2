"""Every endpoint the project serves, found by walking Django's URL resolver (the
router's viewsets, the apps' API paths, the pages), so that a new endpoint shows
up in the permission matrix (tests/dutyops/test_policy.py) without anyone adding it."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

METHODS = ("get", "post", "put", "patch", "delete")


def _route(pattern):
    text = str(pattern.pattern)
    text = text.lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)  # regex groups (the router's)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)  # path() converters


def _methods(callback):
    actions = getattr(callback, "actions", None)
    if actions:  # a viewset route: {method: action}
        return sorted(m for m in actions if m in METHODS)
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if cls is None:  # a function view: it says GET (and POST where it takes forms)
        return ["get"]
    return sorted(m for m in METHODS if hasattr(cls, m))


def walk(patterns=None, prefix=""):
    """(route, callback) for every URL pattern, with {name} for each parameter."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + _route(pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + _route(pattern), pattern.callback


def api_operations():
    """Sorted (METHOD, route) of /api/v1/, without the router's format-suffix twins and its root."""
    found = set()
    for route, callback in walk():
        if not route.startswith("api/v1/") or "{format}" in route or route == "api/v1/":
            continue
        for method in _methods(callback):
            found.add((method.upper(), "/" + route))
    return sorted(found)


def pages():
    """Sorted routes of the HTML pages (not the API, admin, schema, i18n or auth plumbing)."""
    skip = ("api/", "admin/", "i18n/", "login/", "logout/", "static/", "healthz")
    return sorted(
        {"/" + route for route, _callback in walk() if not route.startswith(skip) and "{format}" not in route}
    )
