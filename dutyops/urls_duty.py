"""API resources and pages of this domain, plugged into dutyops/urls.py."""

from django.urls import path

from . import views_duty as v

api_urlpatterns = [
    path("duty/now/", v.DutyNowView.as_view(), name="duty-now"),
    path("duty/coverage/", v.CoverageView.as_view(), name="duty-coverage"),
    path("duty/roster-export/", v.RosterExportView.as_view(), name="duty-roster-export"),
    path("duty/daily-report/", v.DailyReportView.as_view(), name="duty-daily-report"),
    path("duty/ical/<str:token>.ics", v.IcalFeedView.as_view(), name="duty-ical"),
]

page_urlpatterns = [
    path("duty/", v.roster_page, name="duty-roster"),
    path("duty/shifts/<int:shift_id>/check-in/", v.check_in_page, name="duty-check-in"),
    path("duty/shifts/<int:shift_id>/handover/", v.handover_page, name="duty-handover"),
    path("duty/daily/<int:department_id>/<str:day>/", v.daily_report_page, name="duty-daily"),
]


def register(router):
    """Add this domain's viewsets to the /api/v1/ router."""
    router.register("shifts", v.ShiftViewSet, basename="shift")
    router.register("rotations", v.RotationViewSet, basename="rotation")
    router.register("swaps", v.SwapViewSet, basename="swap")
    router.register("holidays", v.HolidayViewSet, basename="holiday")
    router.register("leaves", v.LeaveViewSet, basename="leave")
    router.register("duty-rules", v.DutyRuleViewSet, basename="duty-rule")
    router.register("absences", v.AbsenceViewSet, basename="absence")
    router.register("calendar-feeds", v.CalendarFeedViewSet, basename="calendar-feed")
