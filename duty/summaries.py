"""How the duty domain's events read, in the reader's language (registered at ready())."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dutyops.times import short
from realtime.events import actor, label, summary

from .models import Absence, DutyLogEntry, SwapRequest


def _list(names):
    return "、".join(names) if names else _("未安排")


_SHIFT_VERBS = {
    "created": lambda: pgettext("shift", "新增"),
    "updated": lambda: pgettext("shift", "调整"),
    "deleted": lambda: pgettext("shift", "删除"),
    "started": lambda: pgettext("shift", "开始"),
    "swapped": lambda: pgettext("shift", "换班调整"),
}


@summary("shift.changed")
def shift_changed(d):
    if d["action"] == "generated":
        return _("%(room)s 按“%(rotation)s”生成 %(first)s 至 %(last)s 排班：新增 %(created)s 班，保留 %(kept)s 班") % {
            "room": d["duty_room_name"],
            "rotation": d.get("rotation_name", ""),
            "first": d["from"][5:],
            "last": d["to"][5:],
            "created": d["created"],
            "kept": d["kept"],
        }
    verb = _SHIFT_VERBS.get(d["action"], lambda: d["action"])()
    return _("%(room)s %(start)s–%(end)s 班次%(verb)s：带班 %(leader)s，值班员 %(officers)s") % {
        "room": d["duty_room_name"],
        "start": short(d["starts_at"]),
        "end": short(d["ends_at"]),
        "verb": verb,
        "leader": d.get("leader_name") or _("未安排"),
        "officers": _list(d.get("officer_names")),
    }


def _swap(d, text):
    return text % {
        "actor": actor(d),
        "requester": d.get("requester_name", ""),
        "counterpart": d.get("counterpart_name", ""),
        "kind": label(SwapRequest.Kind, d["kind"]),
        "room": d.get("duty_room_name", ""),
        "start": short(d.get("starts_at")),
    }


summary("swap.requested")(lambda d: _swap(d, _("%(actor)s 申请与 %(counterpart)s %(kind)s（%(room)s %(start)s 班次）")))
summary("swap.accepted")(lambda d: _swap(d, _("%(actor)s 同意了 %(requester)s 的%(kind)s申请")))
summary("swap.declined")(lambda d: _swap(d, _("%(actor)s 拒绝了 %(requester)s 的%(kind)s申请")))
summary("swap.approved")(lambda d: _swap(d, _("%(actor)s 批准了 %(requester)s 与 %(counterpart)s 的%(kind)s")))
summary("swap.rejected")(lambda d: _swap(d, _("%(actor)s 驳回了 %(requester)s 与 %(counterpart)s 的%(kind)s")))
summary("swap.cancelled")(lambda d: _swap(d, _("%(actor)s 撤回了%(kind)s申请")))


@summary("duty.checked_in")
def checked_in(d):
    text = (
        _("%(name)s 迟到到岗（%(room)s %(start)s 班次）")
        if d["late"]
        else _("%(name)s 到岗（%(room)s %(start)s 班次）")
    )
    return text % {"name": d["person_name"], "room": d.get("duty_room_name", ""), "start": short(d.get("starts_at"))}


@summary("absence.recorded")
def absence_recorded(d):
    missed = d["kind"] == Absence.Kind.MISSED_CHECKIN
    what = _("未按时到岗") if missed else _("查岗时不在岗")
    return _("脱岗/漏岗提醒：%(name)s %(what)s（%(room)s %(start)s 班次，带班领导 %(leader)s）") % {
        "name": d["person_name"],
        "what": what,
        "room": d.get("duty_room_name", ""),
        "start": short(d.get("starts_at")),
        "leader": d.get("leader_name") or _("（未安排）"),
    }


@summary("duty.post_checked")
def post_checked(d):
    return _("查岗：%(name)s 在岗应答（%(room)s，查岗人 %(by)s）") % {
        "name": d.get("person_name", ""),
        "room": d.get("duty_room_name", ""),
        "by": d.get("checked_by_name", ""),
    }


summary("handover.written")(
    lambda d: (
        _("%(room)s %(actor)s 填写交班记录，移交待办 %(n)s 项")
        % {"room": d.get("duty_room_name", ""), "actor": actor(d), "n": d["open_items"]}
    )
)
summary("handover.signed")(
    lambda d: _("%(room)s %(actor)s 签收交班记录") % {"room": d.get("duty_room_name", ""), "actor": actor(d)}
)
summary("dutylog.added")(
    lambda d: (
        _("%(room)s 值班日志（%(kind)s）：%(text)s")
        % {"room": d.get("duty_room_name", ""), "kind": label(DutyLogEntry.Kind, d["kind"]), "text": d.get("text", "")}
    )
)
summary("calendar_feed.created")(
    lambda d: (
        _("%(owner)s 创建了%(target)s的值班日历订阅")
        % {"owner": d.get("owner_name", ""), "target": d.get("target_name", "")}
    )
)
summary("calendar_feed.revoked")(lambda d: _("%(actor)s 作废了一个值班日历订阅") % {"actor": actor(d)})

_RECORDS = {
    "rotation": lambda: _("轮班规则"),
    "holiday": lambda: _("节假日安排"),
    "leave": lambda: _("请假"),
    "duty_rule": lambda: _("值班规则"),
}
_RECORD_TEXTS = {
    "created": lambda: _("%(actor)s 新增%(what)s：%(name)s"),
    "updated": lambda: _("%(actor)s 修改%(what)s：%(name)s"),
    "deleted": lambda: _("%(actor)s 删除%(what)s：%(name)s"),
}


def _record(noun, verb):
    def render(d):
        return _RECORD_TEXTS[verb]() % {"actor": actor(d), "what": _RECORDS[noun](), "name": d.get("name", "")}

    return render


for _noun in _RECORDS:
    for _verb in _RECORD_TEXTS:
        summary(f"{_noun}.{_verb}")(_record(_noun, _verb))
