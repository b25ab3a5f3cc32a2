"""API resources and pages of this domain, plugged into dutyops/urls.py."""

api_urlpatterns = []
page_urlpatterns = []


def register(router):
    """Add this domain's viewsets to the /api/v1/ router."""
