"""File answers shared by every export: XLSX (openpyxl) and CSV that Excel opens.

Every spreadsheet export goes through xlsx_bytes() or csv_response(), and
every cell through neutralise(): a text that begins with = + - @ (or a tab
or carriage return) is what a spreadsheet takes for a formula, so a title like
`=HYPERLINK(...)` typed by anyone would run on the reader's machine.
"""

import csv
import io

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The cell as text that no spreadsheet evaluates: a leading apostrophe
    (what Excel itself writes for "text that looks like a formula") before a
    text that starts like a formula; numbers, dates and other texts unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(sheets):
    """sheets: [(title, header, rows)] -> the bytes of an .xlsx workbook, a sheet each."""
    from openpyxl import Workbook  # noqa: PLC0415 - loaded by the first export, not by every process
    from openpyxl.styles import Font  # noqa: PLC0415

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append([neutralise(v) for v in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # openpyxl writes any text starting with "=" as a live formula: never.
            ws.append([neutralise(v) for v in row])
        for col in ws.columns:
            width = max((len(str(c.value or "")) for c in col), default=8)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width * 2))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(sheets, filename):
    """sheets: [(title, header, rows)] -> an .xlsx download."""
    return attachment(xlsx_bytes(sheets), XLSX, filename)


def csv_response(header, rows, filename):
    """A CSV download with a BOM, so that Excel opens the Chinese text as UTF-8."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow([neutralise(v) for v in header])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return attachment(buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8", filename)
