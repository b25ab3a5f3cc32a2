"""Writes of the chain domain. Each runs in one transaction and records itself on
the event stream with emit() as its last write (sent to readers on commit)."""

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy, timers
from dutyops.errors import Conflict, Forbidden, Invalid, NotFound
from incidents import services as incidents
from incidents.clocks import audience, recompute_clocks
from incidents.models import Category, Incident, ReportKind, Status, Subtype
from realtime.services import emit

from . import documents, selectors, wire
from .models import Delivery, Inbound, Link, Outbox, Recipient, UpwardReport, Verification

PUMP_TIMER = "chain.pump"


def _who(actor):
    return str(actor) if actor is not None else _("系统")


def _open_incident(incident):
    """The incident locked; a merged one's reports go to the one it was merged into."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.merged_into_id:
        incident = Incident.objects.select_for_update().get(pk=incident.merged_into_id)
    return incident


# --- verification ---------------------------------------------------------------


@transaction.atomic
def verify(incident, actor, *, facts, method, verified_at=None):
    """Record facts verified (核实): which, by whom, how, when."""
    if not policy.may(actor, "upward.report", incident):
        raise Forbidden()
    errors = {}
    if not (facts or "").strip():
        errors["facts"] = [_("请填写核实了哪些事实。")]
    if not (method or "").strip():
        errors["method"] = [_("请填写核实方式。")]
    if errors:
        raise Invalid(errors)
    incident = _open_incident(incident)
    verification = Verification.objects.create(
        incident=incident,
        facts=facts.strip(),
        method=method.strip(),
        verified_at=verified_at or timezone.now(),
        verified_by=actor,
    )
    emit(
        "chain.verified",
        {
            "id": verification.pk,
            "incident": incident.pk,
            "title": incident.title,
            "facts": verification.facts,
            "method": verification.method,
            "verified_at": verification.verified_at,
            "is_drill": incident.is_drill,
            "actor_name": _who(actor),
        },
        actor=actor,
        incident_id=incident.pk,
        departments=audience(incident),
    )
    return verification


# --- upward reports -------------------------------------------------------------------


def line_for(category):
    """The statutory line of a category: its active recipients and those for every
    category, less those whose link does not carry it (selectors.on_line)."""
    return selectors.reporting_line(category)


def _recipients(incident, chosen):
    """[(Recipient or None, Link or None, name)] for the ids/`link:<id>` names chosen
    (none chosen: the whole statutory line); every required entry must be among them."""
    line = line_for(incident.category)
    if not chosen:
        picked = [(r, r.link if r.link and r.link.active else None, r.name) for r in line]
    else:
        picked, unknown = [], []
        by_id = {r.pk: r for r in Recipient.objects.filter(active=True).select_related("link")}
        for item in chosen:
            text = str(item)
            if text.startswith("link:") and text[5:].isdigit():
                link = Link.objects.filter(pk=int(text[5:]), active=True, direction=Link.Direction.UP).first()
                if link is None:
                    unknown.append(text)
                else:
                    picked.append((None, link, link.name))
            elif text.isdigit() and int(text) in by_id:
                r = by_id[int(text)]
                picked.append((r, r.link if r.link and r.link.active else None, r.name))
            else:
                unknown.append(text)
        if unknown:
            raise Invalid({"recipients": [_("未知的报送对象：%(ids)s") % {"ids": "、".join(unknown)}]})
        chosen_ids = {r.pk for r, _link, _name in picked if r is not None}
        chosen_links = {link.pk for _r, link, _name in picked if link is not None}
        missing = [
            r.name
            for r in line
            if r.required and r.pk not in chosen_ids and not (r.link_id and r.link_id in chosen_links)
        ]
        if missing:
            raise Invalid({"recipients": [_("按规定须同时报告：%(names)s") % {"names": "、".join(missing)}]})
    if not picked:
        raise Invalid({"recipients": [_("没有报送对象：请选择，或由管理员配置报告线。")]})
    seen, unique = set(), []
    for r, link, name in picked:
        ident = ("link", link.pk) if link else ("recipient", r.pk)
        if ident not in seen:
            seen.add(ident)
            unique.append((r, link, name))
    for _r, link, name in unique:
        if link is not None and not link.carries(incident.category):
            raise Invalid(
                {"recipients": [_("链路“%(name)s”不报送此类事件。") % {"name": name}]},
            )
    return unique


def _unit(actor):
    configured = getattr(settings, "DUTYOPS_INSTALLATION_NAME", "")
    department = getattr(actor, "department", None)
    return configured or (department.name if department else "")


def _contact(actor):
    department = getattr(actor, "department", None)
    return getattr(actor, "phone", "") or (department.phone if department else "")


def _content(incident, actor, kind, verified, reason, measures, support, text, names, sent_at):
    return {
        "kind": kind,
        "incident": incident.pk,
        "title": incident.title,
        "category": incident.category,
        "subtype": incident.subtype,
        "grade": incident.grade,
        "occurred_at": (incident.occurred_at or incident.reported_at).isoformat(),
        "location": incident.location_text,
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "what_happened": incident.description,
        "casualties": {"deaths": incident.deaths, "injuries": incident.injuries, "missing": incident.missing},
        "measures": measures,
        "support_needed": support,
        "text": text,
        "verified": verified,
        "unverified_reason": reason,
        "unit": _unit(actor),
        "signer": _who(actor),
        "contact": _contact(actor),
        "recipients": names,
        "sent_at": sent_at.isoformat(),
        "is_drill": incident.is_drill,
    }


def _check_upward(actor, incident, kind, method, verified, reason, corrects):
    """Refuse what may not go up (before the incident is locked: the kind, the
    method; after: its status, verification, the report corrected)."""
    if not policy.may(actor, "upward.report", incident):
        raise Forbidden()
    if kind not in ReportKind.values:
        raise Invalid({"kind": [_("报告类型须为 first、follow_up 或 final。")]})
    if method not in UpwardReport.Method.values:
        raise Invalid({"method": [_("方式须为 written 或 phone。")]})
    incident = _open_incident(incident)
    if incident.status in (Status.MERGED, Status.TRANSFERRED):
        raise Conflict(_("该事件已合并或移交，不能再上报。"))
    if verified and not Verification.objects.filter(incident=incident).exists():
        raise Invalid({"verified": [_("尚无核实记录：请先登记核实，或标明“未经核实，先行报告”并说明理由。")]})
    if not verified and not reason:
        raise Invalid({"unverified_reason": [_("未经核实先行报告的，须说明理由。")]})
    if corrects is not None and corrects.incident_id != incident.pk:
        raise Invalid({"corrects": [_("更正的报告须属于同一事件。")]})
    return incident


def _deliver(upward, picked, now):
    """One delivery per recipient: queued on its link, or informed outside the system (delivered)."""
    for recipient, link, name in picked:
        delivery = Delivery.objects.create(
            upward_report=upward,
            recipient=recipient,
            recipient_name=name,
            link=link,
            state=Delivery.State.QUEUED if link else Delivery.State.DELIVERED,
            delivered_at=None if link else now,
        )
        if link is not None:
            _enqueue(link, Outbox.Kind.REPORT, f"report:{upward.uuid}", wire.report_message(upward), delivery)


@transaction.atomic
def report_upward(
    incident,
    actor,
    *,
    kind,
    recipients=(),
    verified=False,
    unverified_reason="",
    measures="",
    support_needed="",
    text="",
    method=UpwardReport.Method.WRITTEN,
    corrects=None,
):
    """Send a report up the chain (首报/续报/终报) to the statutory line: kept as
    sent with its 信息专报, queued on each recipient's link, meeting the clocks."""
    reason = (unverified_reason or "").strip()
    incident = _check_upward(actor, incident, kind, method, verified, reason, corrects)
    picked = _recipients(incident, list(recipients or []))
    now = timezone.now()
    names = [name for _r, _link, name in picked]
    content = _content(
        incident, actor, kind, verified, "" if verified else reason, measures, support_needed, text, names, now
    )
    document = documents.upward_docx(content)
    upward = UpwardReport.objects.create(
        incident=incident,
        kind=kind,
        method=method,
        verified=verified,
        unverified_reason=content["unverified_reason"],
        content=content,
        corrects=corrects,
        sent_at=now,
        sent_by=actor,
        document=document,
        document_sha256=hashlib.sha256(document).hexdigest(),
        is_drill=incident.is_drill,
    )
    _deliver(upward, picked, now)
    recompute_clocks(incident, now)
    incident.save()
    emit(
        "chain.reported_up",
        {
            "id": upward.pk,
            "incident": incident.pk,
            "title": incident.title,
            "kind": kind,
            "method": method,
            "verified": verified,
            "unverified_reason": upward.unverified_reason,
            "recipients": names,
            "corrects": corrects.pk if corrects else None,
            "is_drill": incident.is_drill,
            "actor_name": _who(actor),
        },
        actor=actor,
        incident_id=incident.pk,
        departments=audience(incident),
    )
    return upward


# --- the outbox ---------------------------------------------------------------------


def _enqueue(link, kind, key, payload, delivery=None):
    """Queue a message on the link (in order: the link's row is locked, so ids follow
    commit order) and wake the worker for it."""
    Link.objects.select_for_update().filter(pk=link.pk).first()
    message = Outbox.objects.create(link=link, kind=kind, key=key, payload=payload, delivery=delivery)
    timers.schedule(PUMP_TIMER, f"link:{link.pk}:message:{message.pk}", timezone.now(), link=link.pk)
    return message


def _delivery_event(delivery, error=""):
    upward = delivery.upward_report
    emit(
        "chain.delivery",
        {
            "id": delivery.pk,
            "upward_report": upward.pk,
            "incident": upward.incident_id,
            "title": upward.content.get("title", ""),
            "kind": upward.kind,
            "recipient": delivery.recipient_name,
            "state": delivery.state,
            "acknowledged_by": delivery.acknowledged_by,
            "error": error,
            "is_drill": upward.is_drill,
        },
        incident_id=upward.incident_id,
        departments=[d for d in (upward.incident.duty_room_id, upward.incident.transferred_to_id) if d],
    )


@transaction.atomic
def message_accepted(message_id, answer):
    """The peer accepted a message (2xx): done; a report's delivery is 已送达."""
    message = Outbox.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.state != Outbox.State.PENDING:
        return
    now = timezone.now()
    message.state, message.done_at, message.answer, message.last_error = Outbox.State.DONE, now, answer, ""
    message.attempts += 1
    message.save(update_fields=["state", "done_at", "answer", "last_error", "attempts"])
    Link.objects.filter(pk=message.link_id).update(last_success_at=now, last_error="")
    if message.delivery_id is None:
        return
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("upward_report__incident")
        .get(pk=message.delivery_id)
    )
    answer = answer if isinstance(answer, dict) else {}
    delivery.remote_incident = str(answer.get("incident") or "")[:64]
    delivery.remote_report = str(answer.get("report") or "")[:64]
    if delivery.state == Delivery.State.QUEUED:
        delivery.state, delivery.delivered_at, delivery.last_error = Delivery.State.DELIVERED, now, ""
    delivery.save()
    _delivery_event(delivery)


@transaction.atomic
def message_failed(message_id, error, final):
    """An attempt failed. `final` (the peer refused the message itself: 4xx other than
    auth): the message is dropped from the queue and its delivery marked failed;
    otherwise it stays at the head of its link's queue, to be retried."""
    message = Outbox.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.state != Outbox.State.PENDING:
        return
    message.attempts += 1
    message.last_error = error[:500]
    if final:
        message.state, message.done_at = Outbox.State.FAILED, timezone.now()
    message.save(update_fields=["attempts", "last_error", "state", "done_at"])
    Link.objects.filter(pk=message.link_id).update(last_error=error[:500])
    if final and message.delivery_id:
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("upward_report__incident")
            .get(pk=message.delivery_id)
        )
        delivery.state, delivery.last_error = Delivery.State.FAILED, error[:500]
        delivery.save(update_fields=["state", "last_error"])
        _delivery_event(delivery, error[:500])
    elif message.delivery_id:
        Delivery.objects.filter(pk=message.delivery_id).update(last_error=error[:500])


# --- the receiving end -------------------------------------------------------------------


def _intake_data(data, link, incident):
    facts = data["incident"]
    subtype = facts.get("subtype") or ""
    if subtype and not Subtype.objects.filter(code=subtype).exists():
        subtype = ""  # the sender's taxonomy code is not ours: the words are read here
    parts = [facts.get("what_happened") or ""]
    for label, key in (("已采取措施", "measures"), ("需要支持事项", "support_needed"), ("其他情况", "text")):
        if data.get(key):
            parts.append(f"{label}：{data[key]}")
    if not data.get("verified", True):
        parts.insert(0, f"【未经核实，先行报告】{data.get('unverified_reason', '')}")
    sender = data["sender"]
    return {
        "incident": incident,
        "kind": data["kind"],
        "channel": "lower_level",
        "occurred_at": facts.get("occurred_at"),
        "reporter_name": sender.get("signer", "")[:64],
        "reporter_unit": (sender.get("unit") or link.name)[:100],
        "reporter_phone": sender.get("contact", "")[:32],
        "title": (facts.get("title") or "")[:200],
        "description": "\n".join(p for p in parts if p),
        "category": facts.get("category") if facts.get("category") in Category.values else "",
        "subtype": subtype,
        "grade": facts.get("grade"),
        "location_text": (facts.get("location") or "")[:200],
        "latitude": facts.get("latitude"),
        "longitude": facts.get("longitude"),
        "deaths": facts.get("deaths"),
        "injuries": facts.get("injuries"),
        "missing": facts.get("missing"),
        "is_drill": bool(facts.get("is_drill")),
    }


@transaction.atomic
def receive(link, account, data):
    """A lower installation's report arrives on `link` (validated wire data): it is
    registered at intake as a `lower_level` report of the room standing for the
    sender; a follow-up or final joins the incident its first report opened here."""
    if link.direction != Link.Direction.DOWN or not link.active:
        raise Forbidden(_("该链路不接收报告。"))
    if Inbound.objects.filter(link=link, remote_id=data["id"]).exists():
        raise Conflict(_("该报告已接收。"))
    earlier = (
        Inbound.objects.filter(link=link, remote_incident=data["incident_ref"])
        .order_by("id")
        .select_related("incident")
    ).first()
    incident = earlier.incident if earlier else None
    if incident is not None and incident.merged_into_id:
        incident = Incident.objects.get(pk=incident.merged_into_id)
    fields = _intake_data(data, link, incident)
    if incident is None:
        fields.pop("incident")
        if fields["kind"] != ReportKind.FIRST:
            fields["kind"] = ReportKind.FIRST  # its first report never arrived here: this one opens it
        if not fields["category"]:
            raise Invalid({"incident": [_("首报须有事件分类。")]})
    report, incident, _duplicates = incidents.intake(fields, account)
    try:
        with transaction.atomic():
            inbound = Inbound.objects.create(
                link=link,
                remote_id=data["id"],
                remote_incident=data["incident_ref"],
                kind=data["kind"],
                sender=fields["reporter_unit"],
                verified=bool(data.get("verified", True)),
                unverified_reason=(data.get("unverified_reason") or "")[:500],
                content=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
                report=report,
                incident=incident,
            )
    except IntegrityError:
        raise Conflict(_("该报告已接收。")) from None
    emit(
        "chain.received",
        {
            "id": inbound.pk,
            "incident": incident.pk,
            "report": report.pk,
            "title": incident.title,
            "kind": inbound.kind,
            "sender": inbound.sender,
            "verified": inbound.verified,
            "is_drill": incident.is_drill,
            "actor_name": _who(account),
        },
        actor=account,
        incident_id=incident.pk,
        departments=audience(incident),
    )
    return inbound


@transaction.atomic
def sign(inbound, actor):
    """The duty officer signs for (签收) a report from below; the receipt goes back on the link."""
    inbound = Inbound.objects.select_for_update().select_related("link", "incident").filter(pk=inbound.pk).first()
    if inbound is None:
        raise NotFound()
    if not policy.may(actor, "inbound.sign", inbound.incident):
        raise Forbidden()
    if inbound.signed_at is not None:
        raise Conflict(_("该报告已签收。"))
    inbound.signed_at, inbound.signed_by = timezone.now(), actor
    inbound.save(update_fields=["signed_at", "signed_by"])
    if inbound.link.active and inbound.link.url:
        _enqueue(
            inbound.link, Outbox.Kind.RECEIPT, f"receipt:{inbound.link_id}:{inbound.remote_id}", wire.receipt(inbound)
        )
    emit(
        "chain.signed",
        {
            "id": inbound.pk,
            "incident": inbound.incident_id,
            "report": inbound.report_id,
            "title": inbound.incident.title,
            "kind": inbound.kind,
            "sender": inbound.sender,
            "verified": inbound.verified,
            "is_drill": inbound.incident.is_drill,
            "actor_name": _who(actor),
        },
        actor=actor,
        incident_id=inbound.incident_id,
        departments=audience(inbound.incident),
    )
    return inbound


@transaction.atomic
def acknowledged(link, data):
    """The higher installation's sign-for arrives on `link`: the delivery is 已签收."""
    if link.direction != Link.Direction.UP or not link.active:
        raise Forbidden(_("该链路不接收回执。"))
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("upward_report__incident")
        .filter(link=link, upward_report__uuid=data["report"])
        .first()
    )
    if delivery is None:
        raise NotFound(_("没有这份报告。"))
    if delivery.state == Delivery.State.ACKNOWLEDGED:
        return delivery
    delivery.state = Delivery.State.ACKNOWLEDGED
    delivery.acknowledged_at = data.get("signed_at") or timezone.now()
    delivery.acknowledged_by = (data.get("signed_by") or "")[:100]
    delivery.delivered_at = delivery.delivered_at or delivery.acknowledged_at
    if data.get("incident"):
        delivery.remote_incident = str(data["incident"])[:64]
    delivery.save()
    _delivery_event(delivery)
    return delivery


# --- links (the administrator's) ---------------------------------------------------------


LINK_FIELDS = ("name", "direction", "url", "credential", "categories", "account", "active")


@transaction.atomic
def save_link(actor, data, link=None):
    """Create or change a link; the credential is kept, never shown."""
    if not policy.may(actor, "link.manage"):
        raise Forbidden()
    link = link or Link()
    for name in LINK_FIELDS:
        if name in data:
            setattr(link, name, data[name])
    bad = [c for c in (link.categories or []) if c not in Category.values]
    if bad:
        raise Invalid({"categories": [_("未知的事件分类：%(c)s") % {"c": "、".join(map(str, bad))}]})
    link.save()
    if link.active and Outbox.objects.filter(link=link, state=Outbox.State.PENDING).exists():
        # Back in service (or its credential fixed): what waited goes now, in order.
        now = timezone.now()
        timers.schedule(PUMP_TIMER, f"link:{link.pk}:resume:{now.timestamp()}", now, link=link.pk)
    _link_event(link, actor)
    return link


@transaction.atomic
def deactivate_link(actor, link):
    if not policy.may(actor, "link.manage"):
        raise Forbidden()
    link.active = False
    link.save(update_fields=["active"])
    _link_event(link, actor)
    return link


def _link_event(link, actor):
    emit(
        "chain.link_changed",
        {
            "id": link.pk,
            "name": link.name,
            "direction": link.direction,
            "url": link.url,
            "categories": link.categories or [],
            "active": link.active,
            "actor_name": _who(actor),
        },
        actor=actor,
    )
