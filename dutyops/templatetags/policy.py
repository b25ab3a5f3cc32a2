"""Templates ask dutyops.policy, never the roles: `{% load policy %}{% if user|may:"page.console" %}`."""

from django import template

from dutyops import policy

register = template.Library()


@register.filter
def may(user, action):
    """Whether `user` may take `action` (dutyops.policy.RULES) somewhere."""
    return policy.may(user, action)
