"""API resources and pages of this domain, plugged into dutyops/urls.py."""

from django.urls import path

from . import views, views_statistics

api_urlpatterns = [
    path("geocode/", views.GeocodeView.as_view(), name="incidents-geocode"),
    path("duplicates/", views.DuplicateCheckView.as_view(), name="incidents-duplicates"),
    path("report-policies/", views.ReportPolicyView.as_view(), name="incidents-report-policies"),
    path("places/", views.PlaceListView.as_view(), name="incidents-places"),
    path("statistics/incidents/", views_statistics.IncidentStatisticsView.as_view(), name="incident-statistics-api"),
    path(
        "statistics/incidents/export/",
        views_statistics.IncidentStatisticsExportView.as_view(),
        name="incident-statistics-export",
    ),
]
page_urlpatterns = [
    path("incidents/", views.incident_list_page, name="incident-list"),
    path("incidents/intake/", views.intake_page, name="incident-intake"),
    path("incidents/statistics/", views_statistics.statistics_page, name="incident-statistics"),
    path("incidents/<int:pk>/", views.incident_detail_page, name="incident-detail"),
]


def register(router):
    """Add this domain's viewsets to the /api/v1/ router."""
    router.register("reports", views.ReportViewSet, basename="report")
    router.register("incidents", views.IncidentViewSet, basename="incident")
    router.register("subtypes", views.SubtypeViewSet, basename="subtype")
    router.register("classified-deliveries", views.ClassifiedDeliveryViewSet, basename="classified-delivery")
