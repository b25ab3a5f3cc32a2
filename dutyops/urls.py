from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import accountability.urls
import alerts.urls
import board.urls
import duty.urls
import inbound.urls
import incidents.urls
import plans.urls
from realtime.api import EventListView

from . import views_api, views_pages
from .api import Router

router = Router()
router.register("departments", views_api.DepartmentViewSet, basename="department")
router.register("people", views_api.PersonViewSet, basename="person")

# Each domain adds its resources to the one router and its extra API paths.
domains = (duty.urls, incidents.urls, accountability.urls, plans.urls, alerts.urls, inbound.urls, board.urls)
for domain in domains:
    domain.register(router)

api_v1 = [
    path("auth/token/", views_api.TokenView.as_view(), name="api-token"),
    path("events/", EventListView.as_view(), name="api-events"),
    *[p for domain in domains for p in domain.api_urlpatterns],
    path("", include(router.urls)),
]

handler404 = "dutyops.views_pages.not_found"

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a file: the docs pass the CSP too.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views_pages.healthz, name="healthz"),
    *[p for domain in domains for p in getattr(domain, "page_urlpatterns", [])],
    path("", views_pages.home, name="home"),
]
