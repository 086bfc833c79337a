"""Writes of delegations: every rule checked in one place (the admin's form asks the same
function), every change recorded with who made it."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.accounts.models import OfficerRole, User
from motcua.catalog.models import Field, Procedure
from motcua.common.errors import DomainError
from motcua.organizations.models import Unit
from motcua.organizations.selectors import unit_descendant_ids

from .constants import SIGNING_KINDS, DelegationChangeAction, DelegationKind
from .models import Delegation, DelegationChange
from .signature import day_text, is_deputy

FOREVER = datetime.date.max


@dataclass(frozen=True)
class DelegationData:
    """A delegation as typed in (the admin form, a script): checked before it is stored."""

    kind: str
    delegator_unit: Unit
    delegator_position: str
    decision_number: str
    decision_date: datetime.date
    decision_issuer: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    delegate_unit: Unit | None = None
    delegate: User | None = None
    delegate_position: str = ""
    procedure_codes: Sequence[str] = ()
    fields: Sequence[Field] = field(default=())
    note: str = ""


class DelegationInvalid(DomainError):
    """The delegation breaks a rule; ``problems`` maps each field to its messages."""

    def __init__(self, problems: dict[str | None, list[str]]) -> None:
        self.problems = problems
        super().__init__(" ".join(m for messages in problems.values() for m in messages))


def codes_parse(text: str) -> list[str]:
    """Procedure codes typed with commas, semicolons, spaces or one per line, once each."""
    return list(dict.fromkeys(code for code in re.split(r"[\s,;]+", text or "") if code))


def periods_overlap(
    a_from: datetime.date, a_until: datetime.date | None,
    b_from: datetime.date, b_until: datetime.date | None,
) -> bool:  # fmt: skip
    return a_from <= (b_until or FOREVER) and b_from <= (a_until or FOREVER)


def scopes_overlap(
    codes_a: Iterable[str], field_ids_a: Iterable[int],
    codes_b: Iterable[str], field_ids_b: Iterable[int],
) -> bool:  # fmt: skip
    """Two scopes share a procedure: one of them is "all", they name a common code or field, or
    one names a procedure of a field the other names."""
    ca, fa, cb, fb = set(codes_a), set(field_ids_a), set(codes_b), set(field_ids_b)
    if not (ca or fa) or not (cb or fb) or ca & cb or fa & fb:
        return True
    return Procedure.objects.filter(
        Q(code__in=ca, field_id__in=fb) | Q(code__in=cb, field_id__in=fa)
    ).exists()


def holds_role(
    officer: User, unit_ids: set[int], start: datetime.date, end: datetime.date | None
) -> bool:
    """The officer holds some role in one of the units on a day of the period."""
    return (
        OfficerRole.objects.filter(user=officer, unit_id__in=unit_ids)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end or FOREVER))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .exists()
    )


def role_title(officer: User, unit_ids: set[int]) -> str:
    titles = OfficerRole.objects.filter(user=officer, unit_id__in=unit_ids).values_list(
        "title", flat=True
    )
    return next((t for t in titles if t.strip()), "")


def delegation_problems(
    data: DelegationData, *, exclude_pk: int | None = None
) -> dict[str | None, list[str]]:
    """Every rule a delegation must keep, as messages per field (empty: it may be stored)."""
    problems: dict[str | None, list[str]] = defaultdict(list)
    kind = data.kind
    if kind not in DelegationKind.values:
        problems["kind"].append(_("Hình thức ủy quyền không hợp lệ."))
        return dict(problems)
    if data.valid_until is not None and data.valid_until < data.valid_from:
        problems["valid_until"].append(
            _("Ngày hết hiệu lực (%(end)s) không được trước ngày bắt đầu hiệu lực (%(start)s).")
            % {"end": day_text(data.valid_until), "start": day_text(data.valid_from)}
        )
    if data.decision_date > data.valid_from:
        problems["valid_from"].append(
            _(
                "Quyết định ban hành ngày %(decided)s nên không thể có hiệu lực từ ngày %(start)s, "
                "trước khi được ban hành."
            )
            % {"decided": day_text(data.decision_date), "start": day_text(data.valid_from)}
        )
    for name in ("delegator_position", "decision_number", "decision_issuer"):
        if not str(getattr(data, name) or "").strip():
            problems[name].append(_("Trường này là bắt buộc."))
    known = set(
        Procedure.objects.filter(code__in=data.procedure_codes).values_list("code", flat=True)
    )
    for code in data.procedure_codes:
        if code not in known:
            problems["procedure_codes"].append(
                _("Không có thủ tục mã %(code)s trong danh mục.") % {"code": code}
            )
    if kind == DelegationKind.DEVOLUTION:
        devolution_problems(data, problems)
    else:
        signing_problems(data, problems)
    if not problems:
        overlap_problems(data, problems, exclude_pk)
    return dict(problems)


def devolution_problems(data: DelegationData, problems: dict[str | None, list[str]]) -> None:
    target = data.delegate_unit
    if target is None:
        problems["delegate_unit"].append(
            _("Phân cấp phải chỉ rõ đơn vị nhận thẩm quyền giải quyết.")
        )
    elif target.pk == data.delegator_unit.pk:
        problems["delegate_unit"].append(_("Đơn vị nhận phân cấp phải khác đơn vị giao."))
    elif not target.is_effective_on(data.valid_from):
        problems["delegate_unit"].append(
            _("%(unit)s không hoạt động vào ngày %(day)s.")
            % {"unit": target.name, "day": day_text(data.valid_from)}
        )
    if data.delegate is not None:
        problems["delegate"].append(
            _(
                "Phân cấp giao thẩm quyền cho một đơn vị, không cho một người: hãy để trống "
                "“cán bộ được giao ký” (người ký thay trong đơn vị đó là một ủy quyền KT. riêng)."
            )
        )


def signing_problems(data: DelegationData, problems: dict[str | None, list[str]]) -> None:
    unit, officer, kind = data.delegator_unit, data.delegate, data.kind
    if officer is None:
        problems["delegate"].append(
            _("Cần chọn cán bộ được giao ký: KT., TL., TUQ. giao cho một người cụ thể.")
        )
        return
    if kind == DelegationKind.SIGN_FOR:
        if data.delegate_unit is not None and data.delegate_unit.pk != unit.pk:
            problems["delegate_unit"].append(
                _(
                    "Ký thay (KT.) là cấp phó của chính %(unit)s ký thay người đứng đầu: "
                    "đơn vị được giao phải để trống hoặc là %(unit)s."
                )
                % {"unit": unit.name}
            )
        allowed = {unit.pk}
        where = unit.name
    else:
        allowed = {unit.pk, *unit_descendant_ids([unit.pk])}
        where = _("%(unit)s hoặc đơn vị thuộc %(unit)s") % {"unit": unit.name}
    if not holds_role(officer, allowed, data.valid_from, data.valid_until):
        problems["delegate"].append(
            _(
                "%(name)s không giữ chức vụ nào tại %(where)s trong thời gian ủy quyền: "
                "chỉ giao ký cho cán bộ của đơn vị (Nghị định 30/2020/NĐ-CP, Điều 13)."
            )
            % {"name": officer.get_full_name(), "where": where}
        )
        return
    position = data.delegate_position.strip() or role_title(officer, allowed)
    if kind == DelegationKind.SIGN_FOR and position and not is_deputy(position):
        problems["delegate_position"].append(
            _(
                "Ký thay (KT.) dành cho cấp phó: chức vụ người ký phải là “Phó …” (đang là “%(title)s”)."
            )
            % {"title": position}
        )
    if kind != DelegationKind.SIGN_FOR and not position:
        problems["delegate_position"].append(
            _("Cần ghi chức vụ người ký, ví dụ “Chánh Văn phòng”.")
        )


def overlap_problems(
    data: DelegationData, problems: dict[str | None, list[str]], exclude_pk: int | None
) -> None:
    """One procedure has one deciding unit and one title per signer at a time."""
    signing = data.kind in SIGNING_KINDS
    others = Delegation.objects.filter(delegator_unit=data.delegator_unit).prefetch_related(
        "fields"
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    others = (
        others.filter(kind__in=SIGNING_KINDS, delegate=data.delegate)
        if signing
        else others.filter(kind=DelegationKind.DEVOLUTION)
    )
    field_ids = [f.pk for f in data.fields]
    for other in others:
        if not periods_overlap(
            data.valid_from, data.valid_until, other.valid_from, other.valid_until
        ):
            continue
        other_fields = [f.pk for f in other.fields.all()]
        if not scopes_overlap(data.procedure_codes, field_ids, other.procedure_codes, other_fields):
            continue
        values = {
            "number": other.decision_number,
            "start": day_text(other.valid_from),
            "end": day_text(other.valid_until) or _("khi có thay đổi"),
        }
        message = (
            _(
                "Trùng thời gian và thủ tục với ủy quyền theo Quyết định số %(number)s "
                "(từ %(start)s đến %(end)s) cho cùng cán bộ."
            )
            if signing
            else _(
                "Trùng thời gian và thủ tục với phân cấp theo Quyết định số %(number)s "
                "(từ %(start)s đến %(end)s): mỗi thủ tục chỉ có một đơn vị giải quyết."
            )
        )
        problems[None].append(message % values)


def delegation_snapshot(delegation: Delegation) -> dict[str, Any]:
    return {
        "kind": delegation.kind,
        "delegator_unit": delegation.delegator_unit.code,
        "delegator_position": delegation.delegator_position,
        "delegate_unit": delegation.delegate_unit.code if delegation.delegate_unit else None,
        "delegate": delegation.delegate.username if delegation.delegate else None,
        "delegate_position": delegation.delegate_position,
        "procedure_codes": list(delegation.procedure_codes or []),
        "fields": sorted(f.name for f in delegation.fields.all()),
        "decision_number": delegation.decision_number,
        "decision_date": delegation.decision_date.isoformat(),
        "decision_issuer": delegation.decision_issuer,
        "valid_from": delegation.valid_from.isoformat(),
        "valid_until": delegation.valid_until.isoformat() if delegation.valid_until else None,
    }


def delegation_record(
    *, delegation: Delegation, action: str, actor: User | None, at: datetime.datetime
) -> DelegationChange:
    return DelegationChange.objects.create(
        at=at, actor=actor, action=action, delegation=delegation,
        snapshot=delegation_snapshot(delegation),
    )  # fmt: skip


def delegation_create(
    *, data: DelegationData, actor: User | None, at: datetime.datetime
) -> Delegation:
    """Store a delegation that keeps every rule, and record who made it."""
    problems = delegation_problems(data)
    if problems:
        raise DelegationInvalid(problems)
    with transaction.atomic():
        delegation = Delegation.objects.create(
            kind=data.kind, delegator_unit=data.delegator_unit,
            delegator_position=data.delegator_position.strip(), delegate_unit=data.delegate_unit,
            delegate=data.delegate, delegate_position=data.delegate_position.strip(),
            procedure_codes=list(data.procedure_codes), decision_number=data.decision_number.strip(),
            decision_date=data.decision_date, decision_issuer=data.decision_issuer.strip(),
            valid_from=data.valid_from, valid_until=data.valid_until, note=data.note,
            created_at=at, created_by=actor,
        )  # fmt: skip
        delegation.fields.set(data.fields)
        delegation_record(
            delegation=delegation, action=DelegationChangeAction.CREATED, actor=actor, at=at
        )
    return delegation


def delegation_end(
    *, delegation: Delegation, last_day: datetime.date, actor: User | None,
    at: datetime.datetime,
) -> Delegation:  # fmt: skip
    """End a delegation on ``last_day`` (included); it stays on record for what was signed."""
    if last_day < delegation.valid_from:
        raise DelegationInvalid(
            {
                "valid_until": [
                    _("Ngày chấm dứt (%(end)s) không được trước ngày bắt đầu hiệu lực (%(start)s).")
                    % {"end": day_text(last_day), "start": day_text(delegation.valid_from)}
                ]
            }
        )
    with transaction.atomic():
        delegation.valid_until = last_day
        delegation.save(update_fields=["valid_until"])
        delegation_record(
            delegation=delegation, action=DelegationChangeAction.ENDED, actor=actor, at=at
        )
    return delegation


def delegation_data_of(delegation: Delegation, **changes: Any) -> DelegationData:
    """The stored delegation as data (to check a change to it)."""
    values: dict[str, Any] = {
        "kind": delegation.kind, "delegator_unit": delegation.delegator_unit,
        "delegator_position": delegation.delegator_position,
        "decision_number": delegation.decision_number, "decision_date": delegation.decision_date,
        "decision_issuer": delegation.decision_issuer, "valid_from": delegation.valid_from,
        "valid_until": delegation.valid_until, "delegate_unit": delegation.delegate_unit,
        "delegate": delegation.delegate, "delegate_position": delegation.delegate_position,
        "procedure_codes": tuple(delegation.procedure_codes or ()),
        "fields": tuple(delegation.fields.all()), "note": delegation.note,
    }  # fmt: skip
    values.update(changes)
    return DelegationData(**values)
