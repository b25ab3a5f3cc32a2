"""API resources and pages of the duty domain, plugged into dutyops/urls.py."""

from django.urls import path

from .views import api, exports, pages

api_urlpatterns = [
    path("duty/now/", api.DutyNowView.as_view(), name="duty-now"),
    path("duty/coverage/", api.CoverageView.as_view(), name="duty-coverage"),
    path("duty/roster-export/", exports.RosterExportView.as_view(), name="duty-roster-export"),
    path("duty/daily-report/", exports.DailyReportView.as_view(), name="duty-daily-report"),
    path("duty/ical/<str:token>.ics", exports.IcalFeedView.as_view(), name="duty-ical"),
]

page_urlpatterns = [
    path("duty/", pages.roster_page, name="duty-roster"),
    path("duty/shifts/<int:shift_id>/check-in/", pages.check_in_page, name="duty-check-in"),
    path("duty/shifts/<int:shift_id>/handover/", pages.handover_page, name="duty-handover"),
    path("duty/daily/<int:department_id>/<str:day>/", pages.daily_report_page, name="duty-daily"),
]


def register(router):
    """Add this domain's viewsets to the /api/v1/ router."""
    router.register("shifts", api.ShiftViewSet, basename="shift")
    router.register("rotations", api.RotationViewSet, basename="rotation")
    router.register("swaps", api.SwapViewSet, basename="swap")
    router.register("holidays", api.HolidayViewSet, basename="holiday")
    router.register("leaves", api.LeaveViewSet, basename="leave")
    router.register("duty-rules", api.DutyRuleViewSet, basename="duty-rule")
    router.register("absences", api.AbsenceViewSet, basename="absence")
    router.register("calendar-feeds", api.CalendarFeedViewSet, basename="calendar-feed")
