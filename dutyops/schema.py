"""OpenAPI: every operation documents the error answers the API gives (CONTRACT.md)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

_ERROR_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "description": "{field: [messages]} for 400, {detail: message} otherwise",
            "additionalProperties": True,
        }
    }
}
_ERRORS = {
    "400": "请求参数有误（字段错误）/ invalid input, with field messages",
    "401": "未登录 / not authenticated",
    "403": "无权限 / not allowed for your role or department",
    "404": "不存在 / not found",
    "409": "与当前状态冲突 / conflicts with the current state",
    "429": "请求过于频繁 / too many attempts",
    "503": "服务暂时不可用 / a backing service is down; retry",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in _ERRORS.items():
            responses.setdefault(code, {"description": description, "content": _ERROR_BODY})
        return responses


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
