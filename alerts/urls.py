"""API resources and pages of this domain, plugged into dutyops/urls.py."""

from django.urls import path

from . import pages, views

api_urlpatterns = [
    path("performance/", views.PerformanceView.as_view(), name="alerts-performance"),
    path("performance/export/", views.PerformanceExportView.as_view(), name="alerts-performance-export"),
]

page_urlpatterns = [
    path("alerts/console/", pages.console, name="alerts-console"),
    path("alerts/", pages.office, name="alerts-office"),
    path("alerts/performance/", pages.performance, name="alerts-performance-page"),
    path("alerts/supervision/", pages.supervision, name="alerts-supervision-page"),
]


def register(router):
    """Add this domain's viewsets to the /api/v1/ router."""
    router.register("alerts", views.AlertViewSet, basename="alert")
    router.register("escalation-steps", views.EscalationStepViewSet, basename="escalation-step")
    router.register("notification-channels", views.NotificationChannelViewSet, basename="notification-channel")
    router.register("deliveries", views.DeliveryViewSet, basename="delivery")
    router.register("supervision", views.SupervisionCaseViewSet, basename="supervision")
    router.register("circulars", views.CircularViewSet, basename="circular")
