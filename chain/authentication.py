"""Traffic between installations is authenticated per link: the peer presents the
token of the account that stands for it here, and that account names the link."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions

from dutyops.authentication import TokenAuthentication

from . import selectors


class LinkAuth:
    """What a link's request authenticates as: its Idempotency-Key owner is the link."""

    def __init__(self, link, token):
        self.link, self.token = link, token
        self.idempotency_owner = f"link:{link.pk}"


class LinkAuthentication(TokenAuthentication):
    direction = ""
    for_links = True  # the higher installation's account has no role (chain_link up)

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        link = selectors.link_of_account(user, self.direction)
        if link is None:
            raise exceptions.AuthenticationFailed(_("该令牌不属于任何启用的链路。"))
        return user, LinkAuth(link, token)


class DownLinkAuthentication(LinkAuthentication):
    """A lower installation reporting to us."""

    direction = "down"


class UpLinkAuthentication(LinkAuthentication):
    """The higher installation sending its sign-for back."""

    direction = "up"


class DownLinkTokenScheme(OpenApiAuthenticationExtension):
    target_class = "chain.authentication.DownLinkAuthentication"
    name = "linkTokenFromBelow"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _("Token <链路凭据>：对方系统为本级签发的令牌（docs/chain-protocol.md）"),
        }


class UpLinkTokenScheme(DownLinkTokenScheme):
    target_class = "chain.authentication.UpLinkAuthentication"
    name = "linkTokenFromAbove"
