"""API resources and pages of the ways in, plugged into dutyops/urls.py."""

from django.urls import path

from . import views

api_urlpatterns = [
    path("inbound/", views.InboundView.as_view(), name="inbound"),
    path("cap/", views.CapView.as_view(), name="cap"),
]

page_urlpatterns = [
    path("warnings/", views.warnings_page, name="warnings-page"),
]


def register(router):
    router.register("sources", views.SourceViewSet, basename="source")
    router.register("warnings", views.WarningViewSet, basename="warning")
