"""Reads of the chain domain. `upward_reports_of(incident)` is what other domains
read (the accountability registers: was it reported up, when, of what kind)."""

from django.db.models import Prefetch

from dutyops import policy
from incidents import selectors as incidents

from .models import Delivery, Inbound, Link, Recipient, UpwardReport, Verification


def upward_reports_of(incident):
    """An incident's upward reports, oldest first, with their deliveries and sender."""
    incident_id = getattr(incident, "pk", incident)
    return (
        UpwardReport.objects.filter(incident_id=incident_id)
        .select_related("sent_by")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("id")))
        .defer("document")
        .order_by("sent_at", "id")
    )


def upward_sent(incident):
    """[(kind, method, sent_at)] of an incident's upward reports: what the clocks read."""
    return list(
        UpwardReport.objects.filter(incident_id=incident.pk).order_by().values_list("kind", "method", "sent_at")
    )


def first_upward_at(incident, kind=None):
    """When the incident was first reported up (of `kind`, when given); None: never."""
    qs = UpwardReport.objects.filter(incident_id=getattr(incident, "pk", incident))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("sent_at").values_list("sent_at", flat=True).first()


def visible_upward_reports(user):
    return (
        UpwardReport.objects.filter(incident__in=incidents.visible_incidents(user).values("pk"))
        .select_related("sent_by")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("id")))
        .defer("document")
        .order_by("-sent_at", "-id")
    )


def document_of(upward_report_id):
    return UpwardReport.objects.filter(pk=upward_report_id).values_list("document", flat=True).first()


def verifications_of(incident):
    return Verification.objects.filter(incident=incident).select_related("verified_by")


def incident_for(user, pk):
    """The incident `pk` if `user` may see it, else None."""
    return incidents.visible_incidents(user).filter(pk=pk).first()


def on_line(recipient, category):
    """Whether `recipient` is on `category`'s statutory line: its own category is
    blank or that one, and its link (if any) carries that category (a link limited
    to some categories stands for the higher office for those only)."""
    if recipient.category not in ("", category):
        return False
    return recipient.link_id is None or recipient.link.carries(category)


def reporting_line(category=None):
    """The active statutory line; for `category` when given (what line_for uses)."""
    qs = Recipient.objects.filter(active=True).select_related("link")
    return [r for r in qs if category is None or on_line(r, category)]


def visible_inbound(user):
    visible = incidents.visible_incidents(user).values("pk")
    return Inbound.objects.filter(incident__in=visible).select_related("link", "signed_by", "incident")


def link_of_account(user, direction):
    """The active link whose peer calls us as `user` (authentication per link)."""
    if user is None or not user.is_authenticated:
        return None
    return Link.objects.filter(account=user, direction=direction, active=True).first()


class PageRow:
    """An upward report as the incident page lists it: kind and method, each recipient
    with its state, and its 信息专报 to download."""

    def __init__(self, upward):
        self.sent_at, self.sent_by = upward.sent_at, upward.sent_by
        self.document_url = f"/api/v1/upward-reports/{upward.pk}/document/"
        mark = "" if upward.verified else f"（{upward.unverified_mark}）"
        self.label = f"{upward.get_kind_display()}·{upward.get_method_display()}{mark}"
        self.recipient = "、".join(f"{d.recipient_name}（{d.get_state_display()}）" for d in upward.deliveries.all())

    def get_method_display(self):
        return self.label


def page_rows(incident):
    return [PageRow(u) for u in upward_reports_of(incident)]


def page_parts(incident, user):
    """The incident page's chain parts: what was verified, the reports that came from
    below (to sign for), and whether `user` may report up and sign."""
    return {
        "verifications": list(verifications_of(incident)),
        "inbound": list(
            Inbound.objects.filter(incident=incident).select_related("signed_by").order_by("received_at", "id")
        ),
        "can_report_up": policy.may(user, "upward.report", incident),
        "can_sign": policy.may(user, "inbound.sign", incident),
    }
