"""How the alerts domain's events read, in the reader's language (registered at ready())."""

from django.utils.translation import gettext as _

from dutyops.times import short
from realtime.events import actor, fields, summary

from .models import EscalationStep


def _what(d):
    return _("签收") if d.get("phase") == EscalationStep.Phase.ACK else _("反馈")


@summary("alert.created")
def created(d):
    return _("向%(dept)s下发通知：%(duty)s") % {"dept": d["department_name"], "duty": d["duty"][:60]}


@summary("alert.acknowledged")
def acknowledged(d):
    return _("%(dept)s已签收%(late)s（%(who)s）") % {
        "dept": d["department_name"],
        "late": _("（超时）") if d.get("late") else "",
        "who": actor(d),
    }


@summary("alert.fed_back")
def fed_back(d):
    return _("%(dept)s反馈：%(text)s") % {"dept": d["department_name"], "text": d["text"][:60]}


# Why an alert was closed when the system closed it (alert.closed `cause`); the closer's
# own words (`reason`) go in as %(r)s. The same line is the alert's close_reason.
CLOSE_CAUSES = {"plan_terminated": lambda: _("预案响应终止：%(r)s")}


def closing_reason(cause, reason):
    """The close reason a person reads, in the active language: the cause's line, or the
    closer's words as written."""
    line = CLOSE_CAUSES.get(cause)
    return line() % {"r": reason or ""} if line else reason or ""


def _closed_reason(d):
    """alert.closed's reason as a reader gets it: a person's words as written; the system's
    (a cause) rendered in the reader's language."""
    if d.get("cause") and "reason" not in d:
        return closing_reason(d["cause"], d.get("cause_detail", ""))
    return d.get("reason", "")


@fields("alert.closed")
def closed_fields(d):
    return {"reason": _closed_reason(d)} if d.get("cause") else {}


@summary("alert.closed")
def closed(d):
    reason = _closed_reason(d)
    return _("%(dept)s的通知已办结%(reason)s") % {
        "dept": d["department_name"],
        "reason": _("：%(n)s") % {"n": reason[:60]} if reason else "",
    }


@summary("alert.returned")
def returned(d):
    return _("退回%(dept)s补充反馈：%(reason)s") % {"dept": d["department_name"], "reason": d["reason"][:60]}


@summary("alert.overdue")
def overdue(d):
    return _("%(dept)s超时未%(what)s") % {"dept": d["department_name"], "what": _what(d)}


def _names(d):
    return "、".join(t.get("name", "") for t in d.get("targets", [])) or _("（无人在岗）")


@summary("alert.reminded")
def reminded(d):
    return _("催办%(dept)s%(what)s：%(names)s") % {"dept": d["department_name"], "what": _what(d), "names": _names(d)}


@summary("alert.escalated")
def escalated(d):
    return _("%(dept)s逾期未%(what)s，已升级至：%(names)s") % {
        "dept": d["department_name"],
        "what": _what(d),
        "names": _names(d),
    }


summary("supervision.created")(
    lambda d: _("督办立项：%(title)s（时限 %(due)s）") % {"title": d["title"], "due": short(d["deadline"])}
)
summary("supervision.assigned")(lambda d: _("督办交办：%(t)s") % {"t": d["title"]})
summary("supervision.progress")(lambda d: _("督办进展（%(t)s）：%(x)s") % {"t": d["title"], "x": d.get("text", "")})
summary("supervision.completed")(
    lambda d: _("督办办结%(late)s：%(t)s") % {"t": d["title"], "late": "" if d.get("on_time") else _("（超期）")}
)
summary("supervision.reviewed")(
    lambda d: (
        (_("督办复核通过：%(t)s") if d.get("accepted") else _("督办复核未通过，退回继续办理：%(t)s"))
        % {"t": d["title"]}
    )
)
summary("supervision.rechecked")(lambda d: _("督办回头看：%(t)s：%(x)s") % {"t": d["title"], "x": d.get("text", "")})
summary("supervision.reminded")(
    lambda d: _("督办事项将于 %(due)s 到期：%(t)s") % {"due": short(d["deadline"]), "t": d["title"]}
)
summary("supervision.overdue")(lambda d: _("督办事项已超期：%(t)s") % {"t": d["title"]})
summary("supervision.recheck_due")(lambda d: _("督办事项到回头看日期：%(t)s") % {"t": d["title"]})
summary("circular.generated")(lambda d: _("已生成 %(p)s 通报") % {"p": d["period"]})
