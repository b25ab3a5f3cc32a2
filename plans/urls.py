"""API resources and pages of this domain, plugged into dutyops/urls.py."""

from django.urls import path

from . import pages, views

api_urlpatterns = [
    path("incidents/<int:pk>/plan-matches/", views.PlanMatchesView.as_view(), name="incident-plan-matches"),
    path("incidents/<int:pk>/activations/", views.IncidentActivationsView.as_view(), name="incident-activations"),
    path("consequences/", views.ConsequenceView.as_view(), name="consequences"),
]
page_urlpatterns = [
    path("plans/", pages.plan_list, name="plan-list"),
    path("plans/coverage/", pages.coverage, name="plan-coverage"),
    path("plans/<int:pk>/", pages.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/compare/", pages.plan_compare, name="plan-compare"),
    path("plans/incident/<int:incident_id>/", pages.incident_plans, name="plan-incident"),
]


def register(router):
    """Add this domain's viewsets to the /api/v1/ router."""
    router.register("plans", views.PlanViewSet, basename="plan")
    router.register("activations", views.ActivationViewSet, basename="activation")
