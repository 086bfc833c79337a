"""Submitting a linked bundle (Decree 63/2024 art. 5–7): one application, checked against the
definition in force, its members planned at their agencies, its first member's dossier submitted
at the receiving ward (received at once at the counter).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import asdict
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_by_code
from motcua.common.chain import json_digest
from motcua.common.errors import NotAllowed, worded
from motcua.common.queries import unique_or_none
from motcua.dossiers.constants import Channel
from motcua.dossiers.deadlines import local_date
from motcua.dossiers.services import Applicant, dossier_receive, dossier_submit
from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

from ..constants import Agency, BundleAction, BundleStatus, MemberState
from ..deadlines import limit_stored
from ..definitions import Definition, Resolved, Selection, definition_in_force, subject_check
from ..errors import BundleInputError, BundleKeyReused
from ..models import Bundle, BundleMember
from .advance import ack_due, bundle_reconcile, member_form
from .record import event_add

COMMUNE_LEVEL = (UnitKind.WARD, UnitKind.COMMUNE)


def agency_unit(agency: str, receiving_unit: Unit, on: datetime.date) -> Unit:
    """The competent unit a definition names: the receiving ward's People's Committee, that
    ward's police, or a fixed unit (``unit:<code>``)."""
    if agency == Agency.RECEIVING_WARD:
        return receiving_unit
    if agency == Agency.WARD_POLICE:
        police = (
            Unit.objects.effective_on(on)
            .filter(kind=UnitKind.COMMUNE_POLICE, area=receiving_unit)
            .order_by("pk")
            .first()
        )
        if police is None:
            raise BundleInputError(
                _("Chưa có đơn vị công an cấp xã của %(unit)s trong danh mục đơn vị.")
                % {"unit": receiving_unit.name},
                f"No commune-level police unit of {receiving_unit.code} in the unit tree.",
            )
        return police
    code = agency.removeprefix("unit:")
    unit = Unit.objects.effective_on(on).filter(code=code).first()
    if unit is None:
        raise BundleInputError(
            _("Đơn vị %(code)s trong định nghĩa liên thông không có trong danh mục đơn vị.")
            % {"code": code},
            f"Unit {code} named by the bundle definition is not in the unit tree.",
        )
    return unit


def procedure_of(code: str) -> Procedure:
    procedure = procedure_by_code(code)
    if procedure is None:
        raise BundleInputError(
            _("Thủ tục %(code)s của nhóm liên thông chưa có trong danh mục thủ tục.")
            % {"code": code},
            f"Procedure {code} of the bundle is not in the catalogue.",
        )
    return procedure


def receiving_unit_check(unit: Unit) -> None:
    """Civil-status registration is the commune level's (Law on Civil Status art. 7): a bundle
    is received at a ward's or commune's one-stop."""
    if unit.kind not in COMMUNE_LEVEL:
        raise BundleInputError(
            _("Hồ sơ liên thông được tiếp nhận tại bộ phận một cửa của UBND phường, xã; "
              "%(unit)s không phải phường, xã.") % {"unit": unit.name},
            f"A linked bundle is received at a ward or commune; {unit.code} is not one.",
        )  # fmt: skip


def submitter_check(actor: User, unit: Unit, channel: str, owner: User | None) -> None:
    """An officer who receives at the unit; online, the applicant's own account as well."""
    if channel == Channel.ONLINE and owner is not None and owner.pk == actor.pk:
        return
    if not permissions.has_capability(actor, Capability.RECEIVE_DOSSIER, unit):
        raise NotAllowed(
            worded(gettext_lazy("Bạn không tiếp nhận hồ sơ tại %(unit)s."), {"unit": unit.name})
        )


def bundle_made_with(actor: User, key: str) -> Bundle | None:
    return unique_or_none(Bundle.objects.filter(submitted_by=actor, idempotency_key=key))


def bundle_submit(
    *, kind: str, services: list[str], receiving_unit: Unit, channel: str, applicant: Applicant,
    subject: dict[str, Any], actor: User, at: datetime.datetime, owner: User | None = None,
    idempotency_key: str = "",
) -> tuple[Bundle, bool]:  # fmt: skip
    """A linked bundle (Decree 63/2024): checked against the definition in force, its members
    planned at their agencies, its first member's dossier submitted at the receiving ward — and
    at the counter received at once, so the applicant leaves with the bundle's code and due date.
    (bundle, created): the same ``idempotency_key`` from the same caller gives back the first."""
    key = idempotency_key.strip()[:80]
    digest = request_digest(
        kind=kind, services=services, unit=receiving_unit.pk, channel=channel,
        applicant=asdict(applicant), subject=subject, owner=owner.pk if owner else None,
    )  # fmt: skip
    if key and (earlier := bundle_made_with(actor, key)) is not None:
        return same_request(earlier, digest), False
    if channel not in (Channel.COUNTER, Channel.ONLINE):
        raise BundleInputError(
            _("Kênh nộp hồ sơ liên thông là counter (tại quầy) hoặc online (trực tuyến)."),
            "A linked bundle is submitted at the counter or online.",
        )
    receiving_unit_check(receiving_unit)
    submitter_check(actor, receiving_unit, channel, owner)
    definition = definition_in_force(kind, local_date(at))
    selection = definition.select(services, subject)
    clean = subject_check(definition, selection, subject, local_date(at))
    planned = members_plan(selection, receiving_unit, local_date(at))
    try:
        with transaction.atomic():
            bundle = bundle_insert(
                definition, selection, receiving_unit=receiving_unit, channel=channel,
                applicant=applicant, subject=clean, actor=actor, owner=owner, at=at, key=key,
            )  # fmt: skip
            bundle.request_digest = digest
            members = members_insert(bundle, definition, planned)
            root_submit(bundle, members, actor=actor, at=at)
            bundle.save()
    except IntegrityError:
        earlier = bundle_made_with(actor, key) if key else None
        if earlier is None:
            raise
        return same_request(earlier, digest), False
    return bundle, True


def request_digest(**sent: Any) -> str:
    """The submission as sent, hashed: the subject is compared before it is cleaned, so that a
    retry matches whatever the cleaning makes of it."""
    return json_digest(sent)


def same_request(earlier: Bundle, digest: str) -> Bundle:
    """``earlier`` for a retry; another submission with its key is refused (twins registered by
    one parent with one key lost the second child's bundle). Bundles made before the digest was
    kept have none and are given back as before."""
    if earlier.request_digest and earlier.request_digest != digest:
        raise BundleKeyReused(
            _("Idempotency-Key này đã dùng cho nhóm hồ sơ %(ref)s với nội dung khác. Mỗi nhóm "
              "hồ sơ mới cần một khóa mới.") % {"ref": earlier.ref},
            f"This Idempotency-Key was used for bundle {earlier.ref} with another submission. "
            "Each new bundle needs a new key.",
        )  # fmt: skip
    return earlier


def members_plan(
    selection: Selection, receiving_unit: Unit, on: datetime.date
) -> list[tuple[Resolved, Procedure, Unit]]:
    """Every chosen member with its procedure and agency, all found before anything is written."""
    return [
        (m, procedure_of(m.procedure), agency_unit(m.agency, receiving_unit, on))
        for m in selection.members
    ]


def bundle_insert(
    definition: Definition, selection: Selection, *, receiving_unit: Unit, channel: str,
    applicant: Applicant, subject: dict[str, str], actor: User, owner: User | None,
    at: datetime.datetime, key: str,
) -> Bundle:  # fmt: skip
    cutoff = definition.after_cutoff_next_working_day
    bundle = Bundle(
        ref="LT" + secrets.token_hex(6).upper(), kind=definition.kind,
        definition_version=definition.version, definition=definition.model_dump(mode="json"),
        services=selection.services,
        limit=limit_stored(selection.limit.limit, after_cutoff_next_working_day=cutoff),
        receiving_unit=receiving_unit, channel=channel, applicant=asdict(applicant),
        applicant_name=applicant.name.strip()[:200], applicant_id_number=applicant.id_number,
        subject=subject, status=BundleStatus.SUBMITTED, submitted_at=at, submitted_by=actor,
        owner=owner, idempotency_key=key, version=0,
    )  # fmt: skip
    bundle.save(force_insert=True)
    event_add(
        bundle, action=BundleAction.SUBMIT, at=at, actor=actor, from_status="",
        payload={"services": selection.services, "channel": channel,
                 "definition": definition.version, "unit": receiving_unit.code},
    )  # fmt: skip
    return bundle


def members_insert(
    bundle: Bundle, definition: Definition, planned: list[tuple[Resolved, Procedure, Unit]]
) -> list[BundleMember]:
    cutoff = definition.after_cutoff_next_working_day
    members = []
    for order, (resolved, procedure, unit) in enumerate(planned, 1):
        member = BundleMember(
            bundle=bundle, order=order, service=resolved.service, variant=resolved.variant,
            after=resolved.after or "", procedure=procedure, unit=unit, registry=resolved.registry,
            limit=limit_stored(resolved.limit, after_cutoff_next_working_day=cutoff),
            state=MemberState.WAITING,
        )  # fmt: skip
        member.save(force_insert=True)
        members.append(member)
    return members


def root_submit(
    bundle: Bundle, members: list[BundleMember], *, actor: User, at: datetime.datetime
) -> None:
    """The first member's dossier at the receiving ward; at the counter it is received at once
    (submitted and received together, or neither), which receives the bundle."""
    root = members[0]
    dossier = dossier_submit(
        procedure=root.procedure, receiving_unit=root.unit, applicant=Applicant(**bundle.applicant),
        channel=bundle.channel, at=at, actor=actor, owner=bundle.owner,
        eform_data=member_form(bundle, root, None),
    )  # fmt: skip
    root.dossier = dossier
    root.state = MemberState.PENDING
    root.activated_at = at
    if bundle.channel == Channel.ONLINE:  # at the counter it is received at once
        root.ack_due_at = ack_due(bundle, root, start=at)
    root.save()
    if bundle.channel == Channel.COUNTER:
        root.dossier = dossier_receive(dossier=dossier, actor=actor, at=at, inserted_here=True)
    bundle_reconcile(bundle, members, at=at, actor=actor)
