"""The duty domain's files: iCal feeds (icalendar), the roster export, and the daily
duty report (值班日报) as XLSX (openpyxl), DOCX (python-docx) and PDF (WeasyPrint).

The report has one content in every format: `daily_report_tables()` for the
spreadsheet and Word, the print view's template for the PDF (what the page shows
is what the paper shows). Nothing is fetched from the network while rendering.
"""

import datetime
import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops.exports import xlsx_bytes
from dutyops.times import local_tz, minute

from . import selectors

# --- iCal -------------------------------------------------------------------------


def ical_bytes(shifts, title):
    """An RFC 5545 calendar of shifts (UTC times; one VEVENT per shift)."""
    from icalendar import Calendar, Event  # noqa: PLC0415 - only the feed needs it

    cal = Calendar()
    cal.add("prodid", "-//DutyOps//duty roster//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for s in shifts:
        officers = selectors.officers_of(s)
        ev = Event()
        ev.add("uid", f"shift-{s.pk}@dutyops")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", s.starts_at)
        ev.add("dtend", s.ends_at)
        ev.add("summary", _("%(room)s 值班") % {"room": s.duty_room.name})
        lines = [
            _("带班领导：%(name)s") % {"name": s.leader or _("未安排")},
            _("值班员：%(names)s") % {"names": "、".join(map(str, officers)) or _("未安排")},
        ]
        if s.duty_room.phone:
            lines.append(_("值班电话：%(phone)s") % {"phone": s.duty_room.phone})
        ev.add("description", "\n".join(lines))
        ev.add("location", s.duty_room.name)
        ev.add("last-modified", s.updated_at)
        cal.add_component(ev)
    return cal.to_ical()


def feed_shifts(feed):
    """(shifts, calendar title) of a feed: a month back, a year ahead."""
    now = timezone.now()
    start, end = now - datetime.timedelta(days=31), now + datetime.timedelta(days=366)
    if feed.duty_room_id:
        shifts = selectors.shifts_between(start, end, duty_room_id=feed.duty_room_id)
        return shifts, _("%(room)s 值班表") % {"room": feed.duty_room.name}
    shifts = selectors.shifts_between(start, end, person_id=feed.person_id)
    return shifts, _("%(name)s 的值班") % {"name": feed.person}


# --- the roster -------------------------------------------------------------------------


def roster_rows(room, first, last):
    """(header, rows) of a room's roster for local days [first, last]."""
    tz = local_tz()
    start, end = selectors.local_days(first, last)
    header = [_("值班室"), _("日期"), _("开始"), _("结束"), _("带班领导"), _("值班员"), _("值班员电话")]
    rows = []
    for s in selectors.shifts_between(start, end, duty_room_id=room.pk):
        officers = selectors.officers_of(s)
        st, en = timezone.localtime(s.starts_at, tz), timezone.localtime(s.ends_at, tz)
        rows.append(
            [
                room.name,
                st.strftime("%Y-%m-%d"),
                st.strftime("%Y-%m-%d %H:%M"),
                en.strftime("%Y-%m-%d %H:%M"),
                str(s.leader or ""),
                "、".join(map(str, officers)),
                "、".join(p.phone for p in officers if p.phone),
            ]
        )
    return header, rows


# --- the daily duty report (值班日报) ------------------------------------------------------


def _shift_rows(report):
    late = _("（迟到）")
    return [
        [
            f"{minute(b['shift'].starts_at)}–{minute(b['shift'].ends_at)}",
            str(b["leader"] or ""),
            "、".join(map(str, b["officers"])),
            "、".join(f"{c.person} {minute(c.at)}{late if c.late else ''}" for c in b["checkins"]),
            b["handover"].note if b["handover"] else "",
            str(b["handover"].signed_by or "") if b["handover"] else "",
        ]
        for b in report["blocks"]
    ]


def _log_rows(report):
    return [
        [
            minute(e["at"]),
            e["kind_label"],
            e["caller"],
            e["text"],
            "" if e["seconds_to_answer"] is None else round(e["seconds_to_answer"]),
            e["author"],
        ]
        for b in report["blocks"]
        for e in b["log"]
    ]


def _check_rows(report):
    rows = [
        [
            minute(p.at),
            str(p.person),
            _("查岗（%(by)s）：%(ok)s") % {"by": p.checked_by, "ok": _("在岗") if p.answered else _("不在岗")},
        ]
        for p in report["post_checks"]
    ]
    return rows + [
        [minute(a.detected_at), str(a.person), f"{a.get_kind_display()} {a.note}".strip()] for a in report["absences"]
    ]


def daily_report_tables(report):
    """The daily report as [(title, header, rows)]: the same content in every file format."""
    items = [[i["kind_label"], i.get("title", ""), i["due_text"]] for i in report["open_items"]]
    return [
        (
            _("班次"),
            [_("时段"), _("带班领导"), _("值班员"), _("到岗"), _("交班事项"), _("接班人")],
            _shift_rows(report),
        ),
        (
            _("值班日志"),
            [_("时间"), _("类型"), _("来电人/单位"), _("内容"), _("接听用时（秒）"), _("记录人")],
            _log_rows(report),
        ),
        (_("查岗与脱岗漏岗"), [_("时间"), _("人员"), _("情况")], _check_rows(report)),
        (_("待办事项"), [_("类型"), _("事项"), _("期限")], items),
    ]


def report_title(report):
    return _("%(room)s值班日报") % {"room": report["duty_room"].name}


def report_subtitle(report):
    day = report["day"]
    text = _("%(year)s年%(month)s月%(day)s日") % {"year": day.year, "month": day.month, "day": day.day}
    if report["holiday"]:
        workday = _("调休上班") if report["day_kind"] == "workday" else ""
        text += _("（%(holiday)s%(workday)s）") % {"holiday": report["holiday"].name, "workday": workday}
    calls = _("来电/接报 %(n)s 次") % {"n": report["calls"]}
    if report["avg_seconds_to_answer"] is not None:
        calls += _("，平均接听用时 %(avg)s 秒") % {"avg": round(report["avg_seconds_to_answer"])}
    return f"{text}　{calls}"


def report_filename(report, extension):
    return f"daily-report-{report['duty_room'].code}-{report['day']:%Y-%m-%d}.{extension}"


def daily_report_xlsx(report):
    return xlsx_bytes(daily_report_tables(report))


def daily_report_docx(report):
    """The report as a Word document (python-docx): centred title, subtitle, one
    bordered table per section, the signature line; SimSun for the Chinese text."""
    from docx import Document  # noqa: PLC0415 - loaded by the first Word export, not by every process
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415
    from docx.shared import Mm, Pt  # noqa: PLC0415

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(report_title(report))
    run.bold, run.font.size = True, Pt(18)
    doc.add_paragraph(report_subtitle(report)).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name, header, rows in daily_report_tables(report):
        heading = doc.add_paragraph().add_run(name)
        heading.bold, heading.font.size = True, Pt(14)
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.paragraphs[0].add_run(str(text)).bold = True
        for row in rows or [[_("无")] + [""] * (len(header) - 1)]:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = str(text)
    doc.add_paragraph("")
    doc.add_paragraph(_("值班员（签字）：　　　　　　　　带班领导（签字）："))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _no_network(url, timeout=10, ssl_context=None):
    """WeasyPrint's URL fetcher: an intranet server fetches nothing while printing."""
    raise ValueError(f"not fetched while rendering a report: {url}")


def daily_report_pdf(report):
    """The report on A4 paper (WeasyPrint renders the print view's content; CJK fonts from the system)."""
    from weasyprint import HTML  # noqa: PLC0415 - loaded by the first PDF export, not by every process

    html = render_to_string("duty/daily_report_document.html", {"r": report, "title": report_title(report)})
    return HTML(string=html, url_fetcher=_no_network).write_pdf()
