"""Incident statistics by period: the API, its CSV/XLSX export and the page with charts.
Thin: the figures are incidents.statistics."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dutyops.api import FileFormatNegotiation
from dutyops.errors import Invalid
from dutyops.exports import XLSX, csv_response, xlsx_response
from dutyops.params import param_choice

from . import statistics

PARAMETERS = [
    OpenApiParameter(
        "period", str, enum=list(statistics.PERIODS), description="week / month (default) / quarter / year"
    ),
    OpenApiParameter("date", str, description="YYYY-MM-DD: the period containing this day (default today)"),
]


class RowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="分类、类型编码、等级、区县或日期（空：未确定）")
    label = serializers.CharField()
    count = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=statistics.PERIODS)
    label = serializers.CharField(help_text="2026-06、2026-W23、2026-Q2、2026")
    _from = serializers.DateTimeField(help_text="期间开始（含）")
    to = serializers.DateTimeField(help_text="期间结束（不含）")
    total = serializers.IntegerField(help_text="事件数（不含演练和被合并的事件）")
    by_category = RowSerializer(many=True)
    by_subtype = RowSerializer(many=True)
    by_grade = RowSerializer(many=True)
    by_district = RowSerializer(many=True)
    series = RowSerializer(many=True, help_text="按日（周、月）或按月（季、年）")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("_from")
        return fields


def period_from(params):
    """The Period asked for; 400 with field messages when the period or date is bad."""
    kind = params.get("period") or "month"
    errors = {}
    if kind not in statistics.PERIODS:
        errors["period"] = [_("期间只能是 week、month、quarter 或 year。")]
    raw = params.get("date") or ""
    try:
        day = parse_date(raw) if raw else timezone.localdate()
    except ValueError:
        day = None
    if day is None:
        errors["date"] = [_("日期格式应为 YYYY-MM-DD。")]
    if errors:
        raise Invalid(errors)
    return statistics.period(kind, day)


class IncidentStatisticsView(APIView):
    """GET statistics/incidents/?period=month&date=YYYY-MM-DD: incidents of the period by
    category, subtype, grade and district, and over time; drills excluded. Each person
    sees the incidents they may see (the office and leaders: all)."""

    @extend_schema(parameters=PARAMETERS, responses=StatisticsSerializer)
    def get(self, request):
        return Response(statistics.figures(request.user, period_from(request.query_params)))


class IncidentStatisticsExportView(APIView):
    """GET statistics/incidents/export/?period=&date=&kind=csv|xlsx: the same figures as a
    file (XLSX: one sheet per breakdown). Cells are never formulas."""

    content_negotiation_class = FileFormatNegotiation  # the file answers with its own type

    @extend_schema(
        parameters=[*PARAMETERS, OpenApiParameter("kind", str, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request):
        kind = param_choice(request.query_params, "kind", ("csv", "xlsx"), "csv")
        p = period_from(request.query_params)
        tables = statistics.export_tables(statistics.figures(request.user, p))
        name = f"incidents-{p.label}"
        if kind == "xlsx":
            return xlsx_response(tables, f"{name}.xlsx")
        rows = [[title, label, count] for title, _header, rows in tables for label, count in rows]
        return csv_response([_("维度"), _("项目"), _("事件数")], rows, f"{name}.csv")


# --- the page ----------------------------------------------------------------------------


def bars(rows, width=560, bar=18, gap=6, label_w=130):
    """An inline SVG bar chart of counts, drawn server-side: no chart library, no CDN."""
    top = max((r["count"] for r in rows), default=0) or 1
    items = []
    for i, r in enumerate(rows):
        y = i * (bar + gap)
        length = (width - label_w - 50) * r["count"] / top
        items.append({"y": y, "ty": y + bar * 0.75, "name": r["label"], "w": round(length, 1), "value": r["count"]})
    return {"items": items, "height": max(1, len(rows)) * (bar + gap), "width": width, "bar": bar, "label_w": label_w}


def columns(rows, width=720, height=160, label_h=18):
    """An inline SVG column chart (counts over time)."""
    top = max((r["count"] for r in rows), default=0) or 1
    step = width / max(1, len(rows))
    every = max(1, len(rows) // 12)  # label at most a dozen columns
    items = []
    for i, r in enumerate(rows):
        h = (height - label_h - 14) * r["count"] / top
        items.append(
            {
                "x": round(i * step + 1, 1),
                "w": round(max(step - 2, 1), 1),
                "y": round(height - label_h - h, 1),
                "h": round(h, 1),
                "cx": round(i * step + step / 2, 1),
                "label": r["label"] if i % every == 0 else "",
                "value": r["count"],
            }
        )
    return {"items": items, "width": width, "height": height, "base": height - label_h, "ty": height - 4}


@login_required
def statistics_page(request):
    try:
        p = period_from(request.GET)
        error = ""
    except Invalid:
        p, error = statistics.period("month", timezone.localdate()), _("期间或日期无效，已显示本月。")
    data = statistics.figures(request.user, p)
    return render(
        request,
        "incidents/statistics.html",
        {
            "data": data,
            "period": p,
            "previous": p.previous(),
            "next": p.next(),
            "periods": [("week", _("周")), ("month", _("月")), ("quarter", _("季度")), ("year", _("年"))],
            "charts": [
                (_("按分类"), bars(data["by_category"])),
                (_("按事件类型"), bars(data["by_subtype"])),
                (_("按等级"), bars(data["by_grade"])),
                (_("按区县"), bars(data["by_district"])),
            ],
            "series": columns(data["series"]),
            "tables": [
                (_("分类"), data["by_category"]),
                (_("事件类型"), data["by_subtype"]),
                (_("等级"), data["by_grade"]),
                (_("区县"), data["by_district"]),
            ],
            "query": f"period={p.kind}&date={p.first.isoformat()}",
            "error": error,
        },
    )
