"""The OpenAPI security scheme of a system's key (X-Api-Key)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SourceKeyScheme(OpenApiAuthenticationExtension):
    target_class = "inbound.authentication.SourceKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
