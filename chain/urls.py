"""API resources of the chain domain, plugged into dutyops/urls.py."""

from django.urls import path

from . import views

api_urlpatterns = [
    path(
        "incidents/<int:pk>/upward-reports/", views.IncidentUpwardReportsView.as_view(), name="incident-upward-reports"
    ),
    path("incidents/<int:pk>/verifications/", views.IncidentVerificationsView.as_view(), name="incident-verifications"),
    path("reporting-line/", views.ReportingLineView.as_view(), name="chain-reporting-line"),
    path("chain/reports/", views.ChainReportsView.as_view(), name="chain-reports"),
    path("chain/receipts/", views.ChainReceiptsView.as_view(), name="chain-receipts"),
]


def register(router):
    router.register("upward-reports", views.UpwardReportViewSet, basename="upward-report")
    router.register("links", views.LinkViewSet, basename="link")
    router.register("chain/inbox", views.InboxViewSet, basename="chain-inbox")
