"""Traffic between installations is authenticated per link: the peer presents the
token of the account that stands for it here, and that account names the link."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from dutyops.authentication import TokenAuthentication

from . import selectors


class LinkAuth:
    """What a link's request authenticates as: its Idempotency-Key owner is the link."""

    def __init__(self, link, token):
        self.link, self.token = link, token
        self.idempotency_owner = f"link:{link.pk}"


def link_authentication(direction):
    class LinkAuthentication(TokenAuthentication):
        def authenticate(self, request):
            result = super().authenticate(request)
            if result is None:
                return None
            user, token = result
            link = selectors.link_of_account(user, direction)
            if link is None:
                raise exceptions.AuthenticationFailed(_("该令牌不属于任何启用的链路。"))
            return user, LinkAuth(link, token)

    LinkAuthentication.__name__ = f"LinkAuthentication_{direction}"
    return LinkAuthentication
