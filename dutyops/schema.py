"""OpenAPI: every operation documents the error answers the API gives (CONTRACT.md)."""

import re

from drf_spectacular.authentication import SessionScheme as SpectacularSessionScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from . import idempotency

# The two error bodies every operation may answer with (docs/api-versioning.md).
ERROR_COMPONENTS = {
    "Error": {
        "type": "object",
        "description": 'Every error but 400: {"detail": "<message in the reader\'s language>"}.',
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "additionalProperties": True,
    },
    "ValidationError": {
        "type": "object",
        "description": (
            '400: {"<field>": ["<message>", ...], ...}, nested like the request for nested fields; '
            'errors not tied to one field under "non_field_errors"; a body that is not a JSON object: '
            '{"detail": "<message>"}.'
        ),
        "additionalProperties": True,
    },
}


def _error_body(code):
    name = "ValidationError" if code == "400" else "Error"
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


_ERRORS = {
    "400": "请求参数有误（字段错误）/ invalid input, with field messages",
    "401": "未登录 / not authenticated",
    "403": "无权限 / not allowed for your role or department",
    "404": "不存在 / not found",
    "409": "与当前状态冲突 / conflicts with the current state",
    "429": "请求过于频繁 / too many attempts",
    "503": "服务暂时不可用 / a backing service is down; retry",
}
_BODY_ERRORS = {"415": "请求体须为 JSON / the body must be application/json"}
_IDEMPOTENCY_ERRORS = {
    "422": "此 Idempotency-Key 已用于另一个请求 / this Idempotency-Key was used for a different request",
}
_SECRET_ERRORS = {
    "409": (
        "与当前状态冲突；或以相同 Idempotency-Key 重发：密钥只显示一次，不再重发 / conflicts with the current "
        "state; or a repeat with the same Idempotency-Key: the secret was shown once and is not sent again"
    ),
}

IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "任选。重发同一请求时带上同一个键：24 小时内同一调用方的重复请求返回第一次的应答（相同状态码与内容，"
        "并带 `Idempotent-Replayed: true`），不会重复创建。/ Optional. Send the same key when you repeat a "
        "request: within 24 h, a repeat by the same caller gets the first answer (same status and body, plus "
        "`Idempotent-Replayed: true`) and creates nothing. Only 2xx answers are kept; an answer carrying a "
        "secret shown once (a key, a feed URL) is never kept: its repeat is a 409 with the created `id`. The "
        "same key with a different method, path or body is a 422. 1-255 visible ASCII characters; a UUID is "
        "a good key."
    ),
    pattern=r"^[\x20-\x7e]{1,255}$",
)


class SessionScheme(SpectacularSessionScheme):
    """The pages' session (with CSRF), as drf-spectacular describes DRF's own."""

    target_class = "dutyops.authentication.SessionAuthentication"


class AutoSchema(SpectacularAutoSchema):
    def _idempotent(self):
        return idempotency.applies(type(self.view), self.method)

    def get_operation_id(self):
        # Identifiers only ("duty/ical/{token}.ics" gave "duty_ical_.ics_retrieve"): generated
        # clients name modules and functions after them.
        return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", super().get_operation_id()))

    def get_auth(self):
        # "Anyone" (the token endpoint) is no security requirement at all, rather
        # than drf-spectacular's [{}]: generated clients then call it unauthenticated.
        auths = super().get_auth()
        return [] if auths == [{}] else auths

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IDEMPOTENCY_KEY] if self._idempotent() else parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(_ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(_BODY_ERRORS)
        if self._idempotent():
            errors.update(_IDEMPOTENCY_ERRORS)
            if idempotency.keeps_secret(type(self.view)):
                errors.update(_SECRET_ERRORS)
        for code, description in sorted(errors.items()):
            response = responses.setdefault(code, {"description": description})
            response.setdefault("content", _error_body(code))  # a view's own error description keeps the body
        return responses


def error_components(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error bodies' components (see ERROR_COMPONENTS)."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    return result


def integer_ids(result, generator, request, public):
    """drf-spectacular postprocessing hook: object ids in paths are integers (the
    router only routes digits), as they are in bodies; drf-spectacular says
    "string of digits" for a lookup regex, and generated clients would want str."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("pattern") == "^[0-9]+$":
                    parameter["schema"] = {"type": "integer", "minimum": 0}
    return result


def plain_times(result, generator, request, public):
    """drf-spectacular postprocessing hook: DRF sends times of day as "08:30:00",
    which is not an RFC 3339 `time` (that needs an offset); say what we send."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                del node["format"]
                node["pattern"] = r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
