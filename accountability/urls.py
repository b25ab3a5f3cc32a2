"""API resources and pages of accountability, plugged into dutyops/urls.py."""

from django.urls import path

from . import views

api_urlpatterns = []

page_urlpatterns = [
    path("accountability/", views.registers_page, name="accountability-page"),
]


def register(router):
    router.register("findings", views.FindingViewSet, basename="finding")
    router.register("staff-errors", views.StaffErrorViewSet, basename="staff-error")
