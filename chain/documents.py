"""The written report (信息专报) of an upward report, as DOCX (python-docx), in the
usual layout: the heading and mark, the title, then time, place, what happened,
casualties, measures taken, support needed, the reporting unit, signer and
contact. Generated once, when the report is sent, and kept with the record."""

import io

from django.utils.translation import gettext as _

from dutyops.times import minute
from incidents.models import ReportKind

# The labelled fields in the order the report lists them: (content key, label).
FIELDS = (
    ("occurred_at", "时间"),
    ("location", "地点"),
    ("what_happened", "事件经过"),
    ("casualties", "人员伤亡"),
    ("measures", "已采取措施"),
    ("support_needed", "需要支持事项"),
    ("text", "其他情况"),
)


def casualties_line(content):
    c = content.get("casualties") or {}

    def n(key):
        value = c.get(key)
        return _("不详") if value is None else str(value)

    return _("死亡 %(d)s 人，受伤 %(i)s 人，失联 %(m)s 人") % {"d": n("deaths"), "i": n("injuries"), "m": n("missing")}


def field_values(content):
    """{label: text} of every field the document holds (what a read-back checks)."""
    values = {
        "时间": minute(content.get("occurred_at")) or _("不详"),
        "地点": content.get("location") or _("不详"),
        "事件经过": content.get("what_happened") or "",
        "人员伤亡": casualties_line(content),
        "已采取措施": content.get("measures") or _("无"),
        "需要支持事项": content.get("support_needed") or _("无"),
        "其他情况": content.get("text") or _("无"),
    }
    return values


def upward_docx(content):
    """The 信息专报 as DOCX bytes, from an upward report's content as sent."""
    from docx import Document  # noqa: PLC0415 - loaded by the first report, not by every process
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415
    from docx.shared import Mm, Pt, RGBColor  # noqa: PLC0415

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(26)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(16)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "FangSong")

    def centred(text, size, bold=False, red=False):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.font.size = bold, Pt(size)
        if red:
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        return p

    centred("信息专报", 26, bold=True, red=True)
    kind = str(ReportKind(content["kind"]).label) if content.get("kind") in ReportKind.values else ""
    centred(f"（{kind}）　{content.get('unit', '')}　{minute(content.get('sent_at'))}", 14)
    if not content.get("verified"):
        centred(f"【未经核实，先行报告】理由：{content.get('unverified_reason', '')}", 14, bold=True, red=True)
    if content.get("is_drill"):
        centred("【演练】", 14, bold=True)
    centred(content.get("title") or "", 20, bold=True)
    values = field_values(content)
    for _key, label in FIELDS:
        p = doc.add_paragraph()
        head = p.add_run(f"{label}：")
        head.bold = True
        p.add_run(values[label])
    doc.add_paragraph("")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in (
        ("报送单位", content.get("unit", "")),
        ("签发人", content.get("signer", "")),
        ("联系电话", content.get("contact", "")),
        ("报送对象", "、".join(content.get("recipients") or [])),
    ):
        row = table.add_row().cells
        row[0].text, row[1].text = label, value
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def read_back(data):
    """The text of a 信息专报 (its paragraphs and table cells), for checks and tests."""
    from docx import Document  # noqa: PLC0415

    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append("：".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def filename(upward):
    kind = upward.get_kind_display()
    return f"信息专报-{kind}-{upward.incident_id}-{upward.pk}.docx"
