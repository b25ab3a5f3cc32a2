"""How the ways-in events read, in the reader's language (registered at ready())."""

from django.utils.translation import gettext as _

from realtime.events import actor, drill, label, summary

from .models import CapWarning, Colour


@summary("source.created")
def source_created(d):
    return _("%(who)s新增接入系统：%(name)s") % {"who": actor(d), "name": d["name"]}


@summary("source.revoked")
def source_revoked(d):
    return _("%(who)s停用接入系统：%(name)s") % {"who": actor(d), "name": d["name"]}


def _what(d):
    colour = label(Colour, d.get("colour")) if d.get("colour") else ""
    return d.get("headline") or f"{d.get('event', '')}{colour}{_('预警')}"


@summary("warning.imported")
def warning_imported(d):
    return _("%(drill)s%(who)s：%(kind)s预警——%(what)s（%(area)s）") % {
        "drill": drill(d),
        "who": actor(d),
        "kind": label(CapWarning.MsgType, d.get("msg_type")),
        "what": _what(d),
        "area": d.get("area_desc") or _("未注明区域"),
    }


@summary("warning.incident_opened")
def warning_incident_opened(d):
    return _("%(drill)s%(who)s据预警生成事件#%(incident)s：%(what)s") % {
        "drill": drill(d),
        "who": actor(d),
        "incident": d.get("incident"),
        "what": _what(d),
    }
