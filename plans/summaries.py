"""How the plans domain's events read, in the reader's language (registered at ready())."""

from django.utils.translation import gettext as _

from realtime.events import actor, fields, label, summary

from . import reasons
from .models import ActivationRequest, Plan

_level = reasons.level_label


@summary("plan.created")
def created(d):
    return _("新建预案《%(t)s》（%(s)s）") % {"t": d["title"], "s": label(Plan.Status, d["status"])}


@summary("plan.updated", "plan.issued", "plan.retired")
def updated(d):
    if d.get("from_status"):
        return _("预案《%(t)s》状态由%(a)s改为%(b)s（第 %(v)s 版）") % {
            "t": d["title"],
            "a": label(Plan.Status, d["from_status"]),
            "b": label(Plan.Status, d["status"]),
            "v": d["version"],
        }
    return _("修订预案《%(t)s》（第 %(v)s 版）") % {"t": d["title"], "v": d["version"]}


summary("plan.deleted")(lambda d: _("删除预案草案《%(t)s》") % {"t": d["title"]})

_PROPOSALS = {
    "activate": lambda: _("启动《%(t)s》%(l)s响应"),
    "change_level": lambda: _("将《%(t)s》响应级别调整为%(l)s"),
    "terminate": lambda: _("终止《%(t)s》应急响应"),
}


@summary("activation.proposed")
def proposed(d):
    what = _PROPOSALS.get(d["action"], _PROPOSALS["activate"])() % {
        "t": d["title"],
        "l": _level(d.get("proposed_level")),
    }
    line = _("%(who)s提请%(what)s，待领导审批") % {"who": actor(d), "what": what}
    if d.get("reason"):
        line += _("（理由：%(r)s）") % {"r": d["reason"]}
    return line


@summary("activation.rejected")
def rejected(d):
    line = _("%(who)s未批准%(what)s") % {"who": actor(d), "what": label(ActivationRequest.Action, d["action"])}
    line += _("《%(t)s》") % {"t": d["title"]}
    if d.get("note"):
        line += _("：%(n)s") % {"n": d["note"]}
    return line


def _approved(d):
    """Who decided belongs in the timeline line itself, not only in the data."""
    return _("（%(who)s批准）") % {"who": actor(d)}


@summary("plan.activated")
def activated(d):
    return _("启动《%(t)s》%(l)s响应（第 %(v)s 版），向 %(n)s 个单位下发任务") % {
        "t": d["title"],
        "l": _level(d["level"]),
        "v": d["version"],
        "n": len(d.get("alerts", [])),
    } + _approved(d)


@summary("plan.level_changed")
def level_changed(d):
    line = _("《%(t)s》响应级别由%(a)s%(dir)s为%(b)s") % {
        "t": d["title"],
        "a": _level(d.get("from_level")),
        "dir": _("提升") if d.get("raised") else _("降低"),
        "b": _level(d["level"]),
    }
    if d.get("alerts"):
        line += _("，新增下发 %(n)s 项任务") % {"n": len(d["alerts"])}
    return line + _approved(d)


@summary("plan.terminated")
def terminated(d):
    return _("终止《%(t)s》%(l)s响应：%(r)s；关闭 %(n)s 项未办结任务") % {
        "t": d["title"],
        "l": _level(d.get("from_level")),
        "r": d.get("reason", ""),
        "n": d.get("closed_alerts") or 0,
    } + _approved(d)


def _titles(titles):
    return "、".join(f"《{t}》" for t in titles)


@summary("plan.matched")
def matched(d):
    """A preferred plan (首选) only when one leads alone with the subtype known (issue 18);
    events stored before that always named one."""
    if d.get("plan") is None:
        return _("无适用的已发布预案（预案覆盖缺口），请按总体要求处置并报告")
    values = {"t": d["title"], "l": _level(d["level"]), "s": d["score"]}
    if d.get("preferred", "role" not in d):
        line = _("首选预案：《%(t)s》%(l)s响应（匹配分 %(s)s）") % values
    elif d.get("tie"):
        line = _("预案匹配并列：%(plans)s（匹配分 %(s)s），请研判选择") % {
            "plans": _titles(d.get("tied_titles", [])),
            "s": d["score"],
        }
    else:
        line = _("事件子类未确定：《%(t)s》%(l)s响应先行") % values
        if d.get("possible_titles"):
            line += _("；可能适用：%(plans)s") % {"plans": _titles(d["possible_titles"])}
    if d.get("gap"):
        line += _("；无适用的专项/部门预案（预案覆盖缺口）")
    return line


@fields("plan.matched")
def matched_reasons(d):
    """Why the plan fits, in the reader's language, from the stored codes. Events stored
    before the codes carry `reasons` as text: shown as written."""
    if "reasons" in d or "reason_codes" not in d:
        return {}
    return {"reasons": reasons.texts(d["reason_codes"])}
