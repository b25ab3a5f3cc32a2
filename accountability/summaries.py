"""How the accountability events read, in the reader's language (registered at ready())."""

from django.utils.translation import gettext as _

from realtime.events import actor, label, summary

from .models import ReportingFinding, StaffError


def _correction(d):
    if d.get("withdrawn"):
        return _("（撤销第%(n)s号）") % {"n": d.get("corrects")}
    if d.get("corrects"):
        return _("（更正第%(n)s号）") % {"n": d.get("corrects")}
    return ""


@summary("finding.recorded")
def finding_recorded(d):
    return _("%(who)s认定%(dept)s%(person)s%(kind)s%(fix)s") % {
        "who": actor(d),
        "dept": d["department_name"],
        "person": f"（{d['person_name']}）" if d.get("person_name") else "",
        "kind": label(ReportingFinding.Kind, d["kind"]),
        "fix": _correction(d),
    }


@summary("staff_error.recorded")
def staff_error_recorded(d):
    return _("%(who)s登记%(person)s%(kind)s%(fix)s") % {
        "who": actor(d),
        "person": d["person_name"],
        "kind": label(StaffError.Kind, d["kind"]),
        "fix": _correction(d),
    }
