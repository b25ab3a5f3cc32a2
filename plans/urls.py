"""API resources and pages of this domain, plugged into dutyops/urls.py."""

from django.urls import path

from . import views

api_urlpatterns = [
    path("incidents/<int:pk>/plan-matches/", views.PlanMatchesView.as_view(), name="incident-plan-matches"),
    path("incidents/<int:pk>/activations/", views.IncidentActivationsView.as_view(), name="incident-activations"),
]
page_urlpatterns = []


def register(router):
    """Add this domain's viewsets to the /api/v1/ router."""
    router.register("plans", views.PlanViewSet, basename="plan")
    router.register("activations", views.ActivationViewSet, basename="activation")
