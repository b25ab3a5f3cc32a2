"""Duty files over the API: iCal feeds, the roster (CSV/XLSX), the daily report
(JSON/XLSX/DOCX/PDF). The documents themselves are built in duty/documents.py."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops import policy
from dutyops import selectors as org
from dutyops.api import FileFormatNegotiation
from dutyops.errors import Forbidden, NotFound
from dutyops.exports import DOCX, PDF, XLSX, attachment, csv_response, xlsx_response
from dutyops.params import local_times, param_choice, param_date, param_int, param_month

from .. import documents, selectors
from ..serializers import AbsenceSerializer, CheckInSerializer, HandoverSerializer, ShiftSerializer

DEPARTMENT = OpenApiParameter("department", int, required=True)


class _FileView(APIView):
    # `?format=` names a file here: errors are still answered as JSON.
    content_negotiation_class = FileFormatNegotiation


def _room(request):
    """The `department` asked for, if the person may read its duty records (404 / 403 otherwise)."""
    room = org.department(param_int(request.query_params, "department"))
    if room is None:
        raise NotFound()
    if not policy.may(request.user, "duty.view", room):
        raise Forbidden()
    return room


class IcalFeedView(APIView):
    """`GET duty/ical/<token>.ics`: no login (calendar apps cannot log in); the token is the secret."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY})
    def get(self, request, token):
        feed = selectors.live_feed(token)
        if feed is None:
            raise NotFound()
        shifts, title = documents.feed_shifts(feed)
        response = HttpResponse(documents.ical_bytes(shifts, title), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="duty.ics"'
        return response


class RosterExportView(_FileView):
    """`GET duty/roster-export/?department=&month=YYYY-MM&format=csv|xlsx`."""

    @extend_schema(
        parameters=[
            DEPARTMENT,
            OpenApiParameter("month", str, description="YYYY-MM; default this month"),
            OpenApiParameter("format", str, description="csv (default) or xlsx"),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request):
        room = _room(request)
        first, last = selectors.month_bounds(param_month(request.query_params))
        fmt = param_choice(request.query_params, "format", ("csv", "xlsx"), "csv")
        header, rows = documents.roster_rows(room, first, last)
        name = f"roster-{room.code}-{first:%Y-%m}"
        if fmt == "xlsx":
            return xlsx_response([(f"{first:%Y-%m}", header, rows)], f"{name}.xlsx")
        return csv_response(header, rows, f"{name}.csv")


def _report_json(report):
    return {
        "duty_room": report["duty_room"].pk,
        "date": report["day"],
        "day_kind": report["day_kind"],
        "shifts": [
            {
                **ShiftSerializer(b["shift"]).data,
                "checkins": CheckInSerializer(b["checkins"], many=True).data,
                "log": local_times(b["log"]),
                "handover": HandoverSerializer(b["handover"]).data if b["handover"] else None,
            }
            for b in report["blocks"]
        ],
        "absences": AbsenceSerializer(report["absences"], many=True).data,
        "calls": report["calls"],
        "avg_seconds_to_answer": report["avg_seconds_to_answer"],
        "max_seconds_to_answer": report["max_seconds_to_answer"],
        "open_items": report["open_items"],
    }


# format -> (builder, content type, file extension)
REPORT_FILES = {
    "xlsx": (documents.daily_report_xlsx, XLSX, "xlsx"),
    "docx": (documents.daily_report_docx, DOCX, "docx"),
    "pdf": (documents.daily_report_pdf, PDF, "pdf"),
}


class DailyReportView(_FileView):
    """`GET duty/daily-report/?department=&date=&format=json|xlsx|docx|pdf` (值班日报); print view at /duty/daily/."""

    @extend_schema(
        parameters=[
            DEPARTMENT,
            OpenApiParameter("date", str, description="YYYY-MM-DD; default today"),
            OpenApiParameter("format", str, description="json (default), xlsx, docx or pdf"),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, XLSX): OpenApiTypes.BINARY,
            (200, DOCX): OpenApiTypes.BINARY,
            (200, PDF): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        params = request.query_params
        room = _room(request)
        day = param_date(params, "date", default=timezone.localdate())
        fmt = param_choice(params, "format", ("json", *REPORT_FILES), "json")
        report = selectors.daily_report(room, day)
        if fmt == "json":
            return Response(_report_json(report))
        build, content_type, extension = REPORT_FILES[fmt]
        return attachment(build(report), content_type, documents.report_filename(report, extension))
