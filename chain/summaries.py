"""How the chain's events read, in the reader's language (registered at ready())."""

from django.utils.translation import gettext as _

from incidents.models import ReportKind
from realtime.events import actor, drill, label, summary

from .models import Delivery


@summary("chain.verified")
def verified(d):
    return _("%(drill)s%(who)s核实（%(method)s）：%(facts)s——%(title)s") % {
        "drill": drill(d),
        "who": actor(d),
        "method": d["method"],
        "facts": d["facts"][:60],
        "title": d.get("title", ""),
    }


@summary("chain.reported_up")
def reported_up(d):
    line = _("%(drill)s%(who)s向%(to)s报送%(kind)s：%(title)s") % {
        "drill": drill(d),
        "who": actor(d),
        "to": "、".join(d.get("recipients") or []),
        "kind": label(ReportKind, d["kind"]),
        "title": d.get("title", ""),
    }
    if not d.get("verified"):
        line += _("（未经核实，先行报告：%(reason)s）") % {"reason": d.get("unverified_reason", "")}
    return line


@summary("chain.delivery")
def delivery(d):
    values = {
        "drill": drill(d),
        "to": d["recipient"],
        "kind": label(ReportKind, d["kind"]),
        "state": label(Delivery.State, d["state"]),
        "title": d.get("title", ""),
        "by": d.get("acknowledged_by", ""),
    }
    if d["state"] == Delivery.State.ACKNOWLEDGED:
        return _("%(drill)s%(to)s已签收%(kind)s（%(by)s）：%(title)s") % values
    return _("%(drill)s%(kind)s%(state)s至%(to)s：%(title)s") % values


@summary("chain.received")
def received(d):
    return _("%(drill)s收到%(sender)s报送的%(kind)s：%(title)s") % {
        "drill": drill(d),
        "sender": d["sender"],
        "kind": label(ReportKind, d["kind"]),
        "title": d.get("title", ""),
    }


@summary("chain.signed")
def signed(d):
    return _("%(drill)s%(who)s签收%(sender)s报送的%(kind)s：%(title)s") % {
        "drill": drill(d),
        "who": actor(d),
        "sender": d["sender"],
        "kind": label(ReportKind, d["kind"]),
        "title": d.get("title", ""),
    }


@summary("chain.link_changed")
def link_changed(d):
    state = _("启用") if d.get("active") else _("停用")
    return _("%(who)s更新上下级系统链路：%(name)s（%(state)s）") % {"who": actor(d), "name": d["name"], "state": state}
