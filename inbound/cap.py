"""Reading a CAP 1.2 document (OASIS Common Alerting Protocol, version 1.2).

Hostile XML never reaches a parser that would expand it: defusedxml refuses any
DTD (so no entity can be declared, expanded a billion times or fetched from
outside), and a document over MAX_BYTES is refused before parsing. What comes
out is plain data for the CapWarning model, or a CapError with field messages
(a 400); nothing here touches the database but the gazetteer lookup.

What is read (CAP 1.2, section 3.2): the <alert> block (identifier, sender, sent,
status, msgType, scope, references), one <info> block (the first in Chinese,
else the first; category, event, urgency, severity, certainty, effective,
onset, expires, senderName, headline, description, instruction, parameter,
eventCode), and every <area> (areaDesc, polygon, circle). The Chinese colour
level (蓝/黄/橙/红) is taken from a parameter or event code that names it, else
from the headline or event, else from the severity (Extreme 红, Severe 橙,
Moderate 黄, Minor 蓝).
"""

import datetime
import re
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MAX_BYTES = 512 * 1024  # a CAP message is a few kilobytes; a huge one is refused unread

STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES = ("Public", "Restricted", "Private")
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
CATEGORIES = (
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
)

SEVERITY_COLOUR = {"Extreme": "red", "Severe": "orange", "Moderate": "yellow", "Minor": "blue"}
COLOUR_WORDS = (
    ("red", ("红色", "红", "red")),
    ("orange", ("橙色", "橙", "orange")),
    ("yellow", ("黄色", "黄", "yellow")),
    ("blue", ("蓝色", "蓝", "blue")),
)
# Parameter / event code names that carry the colour level in the Chinese profiles.
COLOUR_NAMES = re.compile(r"(colou?r|level|级别|颜色|等级|signal)", re.IGNORECASE)


class CapError(ValueError):
    """The document is not a CAP 1.2 message we accept: {field: [messages]}."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def _fail(field, message):
    raise CapError({field: [message]})


def _q(name):
    return f"{{{NS}}}{name}"


def _text(node, name, required=False, where="alert"):
    child = node.find(_q(name))
    value = (child.text or "").strip() if child is not None else ""
    if required and not value:
        _fail(name, _("CAP 文档缺少必填元素 <%(name)s>（%(where)s）。") % {"name": name, "where": where})
    return value


def _choice(node, name, allowed, where="alert"):
    value = _text(node, name, required=True, where=where)
    if value not in allowed:
        _fail(name, _("<%(name)s> 的取值“%(value)s”不在 CAP 1.2 规定的范围内。") % {"name": name, "value": value[:40]})
    return value


def _time(node, name, required=False, where="alert"):
    value = _text(node, name, required=required, where=where)
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        _fail(name, _("<%(name)s> 须为带时区的时间（如 2026-07-01T08:00:00+08:00）。") % {"name": name})
    return parsed


def _references(text):
    """CAP references: space-separated "sender,identifier,sent" triples."""
    found = []
    for triple in text.split():
        parts = triple.split(",")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            _fail("references", _("<references> 须为以空格分隔的“sender,identifier,sent”。"))
        found.append(parts)
    return found


def _point(text, field):
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError:
        _fail(field, _("坐标格式错误：%(text)s") % {"text": text[:40]})
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        _fail(field, _("坐标超出范围：%(text)s") % {"text": text[:40]})
    return [lat, lon]


def _polygon(text):
    points = [_point(pair, "polygon") for pair in text.split()]
    if len(points) < 4 or points[0] != points[-1]:
        _fail("polygon", _("<polygon> 须至少四个点，且首尾相同。"))
    return points


def _circle(text):
    try:
        centre, radius = text.split()
        radius = float(radius)
    except ValueError:
        _fail("circle", _("<circle> 须为“纬度,经度 半径（公里）”。"))
    if not 0 <= radius <= 20_000:
        _fail("circle", _("<circle> 半径超出范围。"))
    lat, lon = _point(centre, "circle")
    return {"lat": lat, "lon": lon, "radius_km": radius}


def _named_values(info, name):
    """[(valueName, value)] of the info's <parameter> or <eventCode> elements."""
    found = []
    for node in info.findall(_q(name)):
        found.append((_text(node, "valueName", where=name), _text(node, "value", where=name)))
    return found


def colour_of(values, texts, severity):
    """(colour, where it came from): a parameter naming it, the words, or the severity."""
    for value_name, value in values:
        if COLOUR_NAMES.search(value_name):
            for colour, words in COLOUR_WORDS:
                if any(word in value.lower() for word in words):
                    return colour, "parameter"
    for text in texts:
        match = re.search(r"(红|橙|黄|蓝)色预警", text or "")
        if match:
            return {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}[match.group(1)], "text"
    colour = SEVERITY_COLOUR.get(severity, "")
    return colour, "severity" if colour else ""


def _pick_info(infos):
    for info in infos:
        if _text(info, "language").lower().startswith("zh"):
            return info
    return infos[0]


def _area(node, gazetteer):
    desc = _text(node, "areaDesc", required=True, where="area")
    polygons = [_polygon((p.text or "").strip()) for p in node.findall(_q("polygon"))]
    circles = [_circle((c.text or "").strip()) for c in node.findall(_q("circle"))]
    places = sorted(gazetteer.mentions(desc)) if gazetteer is not None else []
    return {"desc": desc, "polygons": polygons, "circles": circles, "places": places}


def _centre(areas, gazetteer):
    """A point for the map and plan matching: the mean of the polygons' vertices and the
    circles' centres, else of the gazetteer places the area descriptions name."""
    points = [pt for a in areas for poly in a["polygons"] for pt in poly[:-1]]
    points += [[c["lat"], c["lon"]] for a in areas for c in a["circles"]]
    if not points and gazetteer is not None:
        points = [list(gazetteer.by_name[n][1:3]) for a in areas for n in a["places"] if n in gazetteer.by_name]
    if not points:
        return None, None
    return (
        round(sum(p[0] for p in points) / len(points), 5),
        round(sum(p[1] for p in points) / len(points), 5),
    )


def parse(document, gazetteer=None):
    """The fields of a CapWarning read from `document` (bytes), or CapError."""
    if len(document) > MAX_BYTES:
        _fail("document", _("CAP 文档超过 %(kb)d KB，拒绝接收。") % {"kb": MAX_BYTES // 1024})
    if not document.strip():
        _fail("document", _("请求体为空：请提交 CAP 1.2 XML 文档。"))
    try:
        root = SafeET.fromstring(document, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        _fail("document", _("XML 含有 DTD、实体声明或外部引用，出于安全考虑拒绝接收。"))
    except ParseError as exc:
        _fail("document", _("XML 格式错误：%(reason)s") % {"reason": str(exc)[:200]})
    except (ValueError, UnicodeError):
        _fail("document", _("XML 编码错误。"))
    if root.tag != _q("alert"):
        _fail("document", _("不是 CAP 1.2 文档（根元素须为 %(ns)s 命名空间下的 <alert>）。") % {"ns": NS})

    fields = {
        "identifier": _text(root, "identifier", required=True),
        "sender": _text(root, "sender", required=True),
        "sent": _time(root, "sent", required=True),
        "status": _choice(root, "status", STATUSES),
        "msg_type": _choice(root, "msgType", MSG_TYPES),
        "scope": _choice(root, "scope", SCOPES),
        "references": _references(_text(root, "references")),
    }
    for name, limit in (("identifier", 200), ("sender", 200)):
        if len(fields[name]) > limit:
            _fail(name, _("<%(name)s> 过长。") % {"name": name})
    if fields["msg_type"] in ("Update", "Cancel") and not fields["references"]:
        _fail("references", _("更新或解除消息须以 <references> 指明原预警。"))

    infos = root.findall(_q("info"))
    if not infos:
        if fields["msg_type"] in ("Alert", "Update"):
            _fail("info", _("预警消息缺少 <info>。"))
        return {**fields, "urgency": "Unknown", "severity": "Unknown", "certainty": "Unknown", "areas": []}
    info = _pick_info(infos)
    where = "info"
    categories = [(c.text or "").strip() for c in info.findall(_q("category"))]
    if not categories or any(c not in CATEGORIES for c in categories):
        _fail("category", _("<category> 缺失或取值不在 CAP 1.2 规定的范围内。"))
    fields.update(
        categories=categories,
        event=_text(info, "event", required=True, where=where)[:200],
        urgency=_choice(info, "urgency", URGENCIES, where),
        severity=_choice(info, "severity", SEVERITIES, where),
        certainty=_choice(info, "certainty", CERTAINTIES, where),
        effective=_time(info, "effective", where=where),
        onset=_time(info, "onset", where=where),
        expires=_time(info, "expires", where=where),
        sender_name=_text(info, "senderName")[:200],
        headline=_text(info, "headline")[:300],
        description=_text(info, "description"),
        instruction=_text(info, "instruction"),
    )
    if fields["expires"] and fields["onset"] and fields["expires"] < fields["onset"]:
        _fail("expires", _("<expires> 早于 <onset>。"))
    values = _named_values(info, "parameter") + _named_values(info, "eventCode")
    colour, _where = colour_of(values, (fields["headline"], fields["event"]), fields["severity"])
    fields["colour"] = colour
    areas = [_area(node, gazetteer) for node in info.findall(_q("area"))]
    fields["areas"] = areas
    fields["area_desc"] = "；".join(a["desc"] for a in areas)[:500]
    fields["latitude"], fields["longitude"] = _centre(areas, gazetteer)
    return fields
