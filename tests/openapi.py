"""Reading the served OpenAPI schema in tests: the JSON Schema of an operation's
answer (components resolved in place, OpenAPI 3.0's `nullable` as JSON Schema's
null), and the properties it declares."""

import copy


def _json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema: `nullable: true` admits null."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def declared(spec, path, method, status):
    """The JSON Schema of `status`'s answer to `method path`, resolvable on its own."""
    content = spec["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    return {**_json_schema(copy.deepcopy(content)), "components": _json_schema(spec["components"])}


def properties(spec, schema):
    ref = schema.get("$ref")
    if ref:
        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return set(schema["properties"])
