"""How the incidents domain's events read, in the reader's language (registered at ready())."""

from django.utils.translation import gettext as _

from dutyops.times import short
from realtime.events import actor, drill, label, summary

from .models import Channel, Grade, IncidentClock, ReportKind, Status, UpwardReport


def _reason(d):
    return _("（原因：%(reason)s）") % {"reason": d["reason"]} if d.get("reason") else ""


@summary("incident.created")
def created(d):
    return _("%(drill)s新事件：%(title)s") % {"drill": drill(d), "title": d["title"]}


@summary("incident.updated")
def updated(d):
    if d.get("confirmed") == "subtype":
        return _("%(drill)s%(who)s确认事件类型为%(name)s：%(title)s") % {
            "drill": drill(d),
            "who": actor(d),
            "name": d.get("subtype_name") or d.get("subtype") or "",
            "title": d["title"],
        }
    if d.get("confirmed") == "grade":
        return _("%(drill)s%(who)s确认事件等级为%(grade)s：%(title)s") % {
            "drill": drill(d),
            "who": actor(d),
            "grade": label(Grade, d.get("grade")),
            "title": d["title"],
        }
    if not d.get("to"):
        return _("%(drill)s事件态势更新：%(title)s") % {"drill": drill(d), "title": d["title"]}
    line = _("%(drill)s%(who)s将事件状态由“%(from)s”变更为“%(to)s”：%(title)s") % {
        "drill": drill(d),
        "who": actor(d),
        "from": label(Status, d.get("from")),
        "to": label(Status, d["to"]),
        "title": d["title"],
    }
    return line + _reason(d)


@summary("incident.transferred")
def transferred(d):
    values = {"drill": drill(d), "who": actor(d), "dept": d["transferred_to_name"], "title": d["title"]}
    if d.get("confirmed"):
        return _("%(drill)s%(dept)s（%(who)s）已确认接收移交事件：%(title)s") % values
    return _("%(drill)s%(who)s将事件移交%(dept)s，待对方确认：%(title)s") % values


@summary("incident.merged")
def merged(d):
    line = _("%(drill)s%(who)s将事件#%(src)s“%(src_title)s”合并至事件#%(dst)s“%(dst_title)s”") % {
        "drill": drill(d),
        "who": actor(d),
        "src": d["source"],
        "src_title": d.get("source_title", ""),
        "dst": d["target"],
        "dst_title": d.get("target_title", ""),
    }
    return line + _reason(d)


@summary("incident.reported_up")
def reported_up(d):
    return _("%(drill)s%(who)s向%(to)s%(method)s报告：%(title)s") % {
        "drill": drill(d),
        "who": actor(d),
        "to": d["recipient"],
        "method": label(UpwardReport.Method, d["method"]),
        "title": d["title"],
    }


@summary("report.created")
def report_created(d):
    return _("%(drill)s%(who)s登记%(kind)s（%(channel)s）：%(title)s") % {
        "drill": drill(d),
        "who": actor(d),
        "kind": label(ReportKind, d["kind"]),
        "channel": label(Channel, d["channel"]) + (f"·{d['source']}" if d.get("source") else ""),
        "title": d.get("title", ""),
    }


@summary("report.overdue")
def report_overdue(d):
    return _("%(drill)s%(kind)s超时：%(title)s（时限 %(due)s）") % {
        "drill": drill(d),
        "kind": label(IncidentClock.Kind, d["clock"]),
        "title": d["title"],
        "due": short(d["due_at"]),
    }


@summary("instruction.created")
def instruction(d):
    return _("%(drill)s%(who)s批示：%(text)s") % {
        "drill": drill(d),
        "who": d.get("author_name") or actor(d),
        "text": d["text"][:80],
    }


@summary("classified.delivered")
def classified(d):
    return _("涉密件线下递送登记：文号%(ref)s，%(by)s递送至%(to)s") % {
        "ref": d["reference_number"],
        "by": d["delivered_by"],
        "to": d["recipient"],
    }
