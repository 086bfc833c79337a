"""The one notice of a linked bundle (docs/decisions/0025): when the member the others come after
ends without a result (the birth or death registration refused, or stopped), the members after it
never start, and the applicant is told once — by e-mail and SMS, through the same outbox as every
other message — which procedure failed, why, and which will not be done.

Subscribed to ``bundle.notice``, published by the bundle kernel in the transaction that records
the notice: the rows commit or roll back with it, and the bundle's ``noticed`` flag (with the
idempotency keys below) keeps it to one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from motcua.bundles.models import Bundle, BundleEvent, BundleMember
from motcua.common.events import Event

from .constants import Kind, NotifyChannel
from .delivery import sweep_grace
from .models import Notification
from .services import phone_normalised, render_email, render_sms
from .tasks import notification_deliver


def on_bundle_notice(published: Event) -> None:
    bundle, event = published.data.get("bundle"), published.data.get("event")
    if isinstance(bundle, Bundle) and isinstance(event, BundleEvent):
        bundle_notice_send(bundle, event)


def bundle_contact(bundle: Bundle) -> tuple[str, str]:
    """(phone, e-mail) given with the bundle, else those of the account that submitted it."""
    applicant = bundle.applicant if isinstance(bundle.applicant, dict) else {}
    phone = str(applicant.get("phone") or "").strip()
    email = str(applicant.get("email") or "").strip()
    if (not phone or not email) and bundle.owner_id is not None:
        owner = bundle.owner
        assert owner is not None
        phone, email = phone or owner.phone, email or owner.email
    return phone_normalised(phone), email


def notice_context(bundle: Bundle, event: BundleEvent) -> dict[str, Any]:
    payload = event.payload if isinstance(event.payload, dict) else {}
    declared = {m.get("service"): m.get("name") for m in bundle.definition.get("members", [])}
    members = {
        m.service: m for m in BundleMember.objects.filter(bundle=bundle).select_related("dossier")
    }
    failed = [members[s] for s in payload.get("failed", []) if s in members]
    reasons = [
        m.dossier.result_note for m in failed if m.dossier is not None and m.dossier.result_note
    ]
    public_url = settings.MOTCUA_PUBLIC_URL
    link = public_url + (
        reverse("bundles:mine", kwargs={"ref": bundle.ref})
        if bundle.owner_id is not None
        else reverse("portal:lookup")
    )
    return {
        "code": bundle.code or bundle.ref, "ref": bundle.ref,
        "applicant_name": bundle.applicant_name, "bundle_name": bundle.definition.get("name", ""),
        "failed": [declared.get(s, s) for s in payload.get("failed", [])],
        "cancelled": [declared.get(s, s) for s in payload.get("cancelled", [])],
        "reason": " ".join(" ".join(reasons).split()), "unit": bundle.receiving_unit.name,
        "link": link, "MOTCUA_PUBLIC_URL": public_url,
    }  # fmt: skip


def bundle_notice_send(bundle: Bundle, event: BundleEvent) -> list[Notification]:
    """One e-mail and one SMS (each when a contact is known), keyed by the bundle: never two."""
    phone, email = bundle_contact(bundle)
    root = bundle.members.filter(after="").values_list("dossier_id", flat=True).first()
    context = notice_context(bundle, event)
    messages: list[tuple[str, str, str, str]] = []
    if email:
        subject, body = render_email(Kind.BUNDLE_STOPPED, context)
        messages.append((NotifyChannel.EMAIL, email, subject, body))
    if phone:
        messages.append((NotifyChannel.SMS, phone, "", render_sms(Kind.BUNDLE_STOPPED, context)))
    created = []
    for channel, recipient, subject, body in messages:
        key = f"bundle-{bundle.ref}-notice-{channel}"
        if Notification.objects.filter(idempotency_key=key).exists():
            continue
        notification = Notification.objects.create(
            dossier_id=root, kind=Kind.BUNDLE_STOPPED, channel=channel, recipient=recipient[:254],
            subject=subject, body=body, idempotency_key=key, created_at=event.at,
            next_attempt_at=event.at + sweep_grace(),
        )  # fmt: skip
        notification_deliver.enqueue(notification_id=notification.pk)
        created.append(notification)
    return created
