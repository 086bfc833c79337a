"""Role grants with a ceiling: who may grant which role, where, to whom, for how long, on what
legal document — and the services that grant, change and revoke roles under those rules.

``GRANT_RULES`` is the one table of the rules (docs/decisions/0011). The unit page, the Django
admin and the commands all go through ``officer_role_grant``, ``officer_role_change`` and
``officer_role_revoke``; each change is a :class:`RoleChange` row written in the same
transaction. ``actor=None`` is the system itself (loaders, demo data, tests' factories): it skips
who-may-grant and the document, never the role's validity.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.common.clock import VIETNAM
from motcua.common.errors import DomainError, NotAllowed
from motcua.organizations.models import Unit
from motcua.organizations.selectors import unit_ancestors, unit_descendant_ids

from .constants import ChangeVia, OfficerRoleName, RoleChangeAction
from .models import OfficerRole, RoleChange, User

R = OfficerRoleName


class Relation(StrEnum):
    """Where the unit of a grant stands, seen from the unit of the granter's role."""

    SAME = "same"
    BELOW = "below"  # under it, at any depth
    ABOVE = "above"  # over it, at any height
    OTHER = "other"  # elsewhere in the tree


OWN_AND_BELOW = frozenset({Relation.SAME, Relation.BELOW})
ONLY_BELOW = frozenset({Relation.BELOW})
ADMINISTRATORS = frozenset({R.ADMINISTRATOR})


@dataclass(frozen=True)
class GrantRule:
    """``granted_by``: the granter's roles; ``where``: the unit of the grant, seen from the
    granter's unit; ``document``: the grant (and its change or end) cites the legal document
    that decided it (number and date)."""

    granted_by: frozenset[str]
    where: frozenset[Relation]
    document: bool


# The ceiling. A unit administrator staffs their unit and the units below it: counter and
# specialist posts freely; the posts filled by an appointment or assignment decision (division
# head, leader, supervisor) only with that decision. A unit's own administrators are appointed
# from above: an administrator creates administrators only in units below theirs. Nobody grants
# a role in a unit above or beside theirs, to an officer of another unit, or to themselves
# (``authority_check``). The system administrator (superuser) is not bound by the units — the
# first administrators are theirs — but is bound by the document and never grants to themselves.
GRANT_RULES: dict[str, GrantRule] = {
    R.RECEPTION: GrantRule(ADMINISTRATORS, OWN_AND_BELOW, document=False),
    R.SPECIALIST: GrantRule(ADMINISTRATORS, OWN_AND_BELOW, document=False),
    R.DIVISION_HEAD: GrantRule(ADMINISTRATORS, OWN_AND_BELOW, document=True),
    R.LEADER: GrantRule(ADMINISTRATORS, OWN_AND_BELOW, document=True),
    R.SUPERVISOR: GrantRule(ADMINISTRATORS, OWN_AND_BELOW, document=True),
    R.ADMINISTRATOR: GrantRule(ADMINISTRATORS, ONLY_BELOW, document=True),
}


def rule_allows(granter_role: str, role: str, relation: Relation) -> bool:
    """The table read for one granter's role: may it grant ``role`` at a unit so placed?"""
    rule = GRANT_RULES[role]
    return granter_role in rule.granted_by and relation in rule.where


def needs_document(role: str) -> bool:
    return GRANT_RULES[role].document


def documented_roles() -> list[str]:
    return [role for role, rule in GRANT_RULES.items() if rule.document]


def local_day(at: datetime.datetime) -> datetime.date:
    return at.astimezone(VIETNAM).date()


def relation_of(granter_unit: Unit, unit: Unit) -> Relation:
    if unit.pk == granter_unit.pk:
        return Relation.SAME
    if unit.pk in unit_descendant_ids([granter_unit.pk]):
        return Relation.BELOW
    if unit.pk in {ancestor.pk for ancestor in unit_ancestors(granter_unit)}:
        return Relation.ABOVE
    return Relation.OTHER


def officer_unit_ids(officer: User, day: datetime.date) -> set[int]:
    """The units an officer belongs to: their home unit (``User.home_unit``, set by the system
    administrator) and every unit where they hold a role that has not ended."""
    found = set(
        OfficerRole.objects.not_ended_on(day).filter(user=officer).values_list("unit_id", flat=True)
    )
    if officer.home_unit_id is not None:
        found.add(officer.home_unit_id)
    return found


def day_text(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"


def period_text(valid_from: datetime.date | None, valid_until: datetime.date | None) -> str:
    return f"{day_text(valid_from)} – {day_text(valid_until)}"


def role_label(role: str) -> str:
    return str(OfficerRoleName(role).label)


def authority_check(
    *, actor: User, officer: User, unit: Unit, role: str, day: datetime.date
) -> None:
    """May ``actor`` grant (change, end) ``role`` at ``unit`` for ``officer``? Raises NotAllowed
    with the rule that says no."""
    if actor.pk == officer.pk:
        raise NotAllowed(
            _(
                "Không thể tự cấp, sửa hoặc thu hồi vai trò của chính mình (kể cả quyền quản trị): "
                "việc này do quản trị khác của đơn vị hoặc đơn vị cấp trên thực hiện."
            )
        )
    if actor.is_superuser:
        return
    rule = GRANT_RULES[role]
    granters = list(
        OfficerRole.objects.effective_on(day)
        .filter(user=actor, role__in=rule.granted_by)
        .select_related("unit")
    )
    if not granters:
        raise NotAllowed(
            _("Bạn không có quyền phân quyền cán bộ tại đơn vị %(unit)s.") % {"unit": unit.name}
        )
    relations = [(granter, relation_of(granter.unit, unit)) for granter in granters]
    reaching = [granter for granter, relation in relations if relation in rule.where]
    if not reaching:
        if any(relation == Relation.SAME for _granter, relation in relations):
            raise NotAllowed(
                _(
                    "Vai trò “%(role)s” tại %(unit)s do quản trị của đơn vị cấp trên (hoặc quản "
                    "trị hệ thống) cấp, không do quản trị cùng đơn vị."
                )
                % {"role": role_label(role), "unit": unit.name}
            )
        raise NotAllowed(
            _(
                "Bạn chỉ cấp quyền tại đơn vị mình quản trị và các đơn vị cấp dưới; %(unit)s "
                "nằm ngoài phạm vi đó."
            )
            % {"unit": unit.name}
        )
    theirs = officer_unit_ids(officer, day)
    if not any(theirs & unit_descendant_ids([granter.unit_id]) for granter in reaching):
        raise NotAllowed(
            _(
                "%(officer)s không phải cán bộ của đơn vị bạn quản trị hay đơn vị cấp dưới: chỉ "
                "cấp quyền cho cán bộ của các đơn vị đó (quản trị hệ thống ghi đơn vị công tác "
                "của cán bộ)."
            )
            % {"officer": officer}
        )


def document_check(
    *, role: str, number: str, date: datetime.date | None, day: datetime.date, what: str | Promise
) -> None:
    if needs_document(role) and not (number.strip() and date):
        raise DomainError(
            _(
                "%(what)s vai trò “%(role)s” cần văn bản quyết định: ghi số và ngày của văn bản "
                "(dd/mm/yyyy)."
            )
            % {"what": what, "role": role_label(role)}
        )
    if date is not None and date > day:
        raise DomainError(_("Ngày văn bản không được sau ngày hôm nay."))


def overlapping(
    officer: User,
    unit: Unit,
    role: str,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
) -> Q:
    """Rows of the same role whose period meets [valid_from, valid_until] (empty = unbounded)."""
    condition = Q(user=officer, unit=unit, role=role)
    if valid_until is not None:
        condition &= Q(valid_from__isnull=True) | Q(valid_from__lte=valid_until)
    if valid_from is not None:
        condition &= Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)
    return condition


def record(
    officer_role: OfficerRole,
    *,
    action: str,
    actor: User | None,
    at: datetime.datetime,
    via: str | None,
    document_number: str = "",
    document_date: datetime.date | None = None,
) -> RoleChange:
    return RoleChange.objects.create(
        at=at, actor=actor, action=action, officer_id=officer_role.user_id,
        unit_id=officer_role.unit_id, role=officer_role.role, officer_role=officer_role,
        title=officer_role.title, valid_from=officer_role.valid_from,
        valid_until=officer_role.valid_until, document_number=document_number.strip(),
        document_date=document_date, via=via or (ChangeVia.SYSTEM if actor is None else ChangeVia.WEB),
    )  # fmt: skip


def grant_inputs_check(
    *,
    actor: User | None,
    officer: User,
    unit: Unit,
    role: str,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    day: datetime.date,
) -> None:
    if role not in OfficerRoleName.values:
        raise DomainError(_("Vai trò không hợp lệ: %(role)s") % {"role": role})
    if hasattr(officer, "citizen_profile") or hasattr(officer, "business_profile"):
        raise DomainError(_("Tài khoản công dân, doanh nghiệp không thể được cấp vai trò cán bộ."))
    if not officer.is_active:
        raise DomainError(_("Tài khoản %(officer)s đã bị khóa.") % {"officer": officer})
    if not unit.is_effective_on(valid_from or day):
        raise DomainError(_("Đơn vị %(unit)s không còn hoạt động.") % {"unit": unit.name})
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise DomainError(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
    if actor is not None and valid_from is not None and valid_from < day:
        raise DomainError(
            _(
                "Vai trò có hiệu lực từ hôm nay trở đi, không cấp lùi ngày (ngày của quyết định "
                "ghi ở “ngày văn bản”)."
            )
        )


def officer_role_grant_check(
    *,
    actor: User | None,
    officer: User,
    unit: Unit,
    role: str,
    at: datetime.datetime,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    document_number: str = "",
    document_date: datetime.date | None = None,
    title: str = "",
) -> None:
    """Every rule of a grant, without writing: forms ask it to show errors beside the fields."""
    day = local_day(at)
    if actor is not None and valid_from is None:
        valid_from = day
    grant_inputs_check(
        actor=actor, officer=officer, unit=unit, role=role, valid_from=valid_from,
        valid_until=valid_until, day=day,
    )  # fmt: skip
    if actor is None:
        return
    authority_check(actor=actor, officer=officer, unit=unit, role=role, day=day)
    document_check(role=role, number=document_number, date=document_date, day=day, what=_("Cấp"))
    held = held_in_period(officer, unit, role, valid_from, valid_until)
    if held is not None and not (title.strip() and held.title != title.strip()):
        raise already_held(held)


def already_held(held: OfficerRole) -> DomainError:
    period = period_text(held.valid_from, held.valid_until)
    return DomainError(
        _("%(officer)s đã có vai trò “%(role)s” tại %(unit)s (%(period)s).")
        % {"officer": held.user, "role": role_label(held.role), "unit": held.unit.name,
           "period": period}
    )  # fmt: skip


def held_in_period(
    officer: User,
    unit: Unit,
    role: str,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
) -> OfficerRole | None:
    return (
        OfficerRole.objects.filter(overlapping(officer, unit, role, valid_from, valid_until))
        .select_related("user", "unit")
        .order_by("valid_from")
        .first()
    )


def officer_role_grant(
    *,
    actor: User | None,
    officer: User,
    unit: Unit,
    role: str,
    at: datetime.datetime,
    title: str = "",
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    document_number: str = "",
    document_date: datetime.date | None = None,
    via: str | None = None,
) -> OfficerRole:
    """Grant ``role`` at ``unit`` to ``officer`` from ``valid_from`` (default: today; the
    system's own grants: since always) to ``valid_until`` (default: until further notice).

    Granting a role the officer already holds in that period changes nothing, except a new
    title (recorded); for a person it says so instead."""
    day = local_day(at)
    if actor is not None and valid_from is None:
        valid_from = day
    title = title.strip()
    officer_role_grant_check(
        actor=actor, officer=officer, unit=unit, role=role, at=at, valid_from=valid_from,
        valid_until=valid_until, document_number=document_number, document_date=document_date,
        title=title,
    )  # fmt: skip
    with transaction.atomic():
        # Grants to one officer are serialised: two at once cannot both see "no overlap".
        User.objects.select_for_update().filter(pk=officer.pk).first()
        held = held_in_period(officer, unit, role, valid_from, valid_until)
        if held is not None:
            if title and held.title != title:
                held.title = title
                held.save(update_fields=["title"])
                record(held, action=RoleChangeAction.CHANGED, actor=actor, at=at, via=via)
                return held
            if actor is None:
                return held
            raise already_held(held)
        granted = OfficerRole.objects.create(
            user=officer, unit=unit, role=role, title=title, valid_from=valid_from,
            valid_until=valid_until, document_number=document_number.strip(),
            document_date=document_date,
        )  # fmt: skip
        record(
            granted, action=RoleChangeAction.GRANTED, actor=actor, at=at, via=via,
            document_number=document_number, document_date=document_date,
        )  # fmt: skip
    officer.__dict__.pop("_motcua_roles", None)
    return granted


def ended_role_check(officer_role: OfficerRole, day: datetime.date) -> None:
    if officer_role.valid_until is not None and officer_role.valid_until < day:
        raise DomainError(
            _("Vai trò này đã kết thúc ngày %(day)s; muốn giao lại thì cấp vai trò mới.")
            % {"day": day_text(officer_role.valid_until)}
        )


def officer_role_revoke_check(
    *,
    actor: User | None,
    officer_role: OfficerRole,
    at: datetime.datetime,
    effective: datetime.date | None = None,
    document_number: str = "",
    document_date: datetime.date | None = None,
) -> datetime.date:
    """Every rule of a revocation, without writing; returns the role's new last day."""
    day = local_day(at)
    effective = effective or day
    if actor is not None and effective < day:
        raise DomainError(
            _("Không thu hồi lùi ngày: ngày thôi giữ vai trò phải từ hôm nay trở đi.")
        )
    ended_role_check(officer_role, day)
    last_day = effective - datetime.timedelta(days=1)
    if officer_role.valid_until is not None and officer_role.valid_until <= last_day:
        raise DomainError(
            _("Vai trò này đã hết hạn từ trước, ngày %(day)s.")
            % {"day": day_text(officer_role.valid_until)}
        )
    if actor is not None:
        authority_check(
            actor=actor, officer=officer_role.user, unit=officer_role.unit,
            role=officer_role.role, day=day,
        )  # fmt: skip
        document_check(
            role=officer_role.role, number=document_number, date=document_date, day=day,
            what=_("Thu hồi"),
        )  # fmt: skip
    return last_day


def officer_role_revoke(
    *,
    actor: User | None,
    officer_role: OfficerRole,
    at: datetime.datetime,
    effective: datetime.date | None = None,
    document_number: str = "",
    document_date: datetime.date | None = None,
    via: str | None = None,
) -> OfficerRole:
    """The officer stops holding the role from ``effective`` (default: today): its last day is
    the day before. The row stays, with its history; nothing is deleted."""
    with transaction.atomic():
        officer_role = (
            OfficerRole.objects.select_for_update(of=("self",))
            .select_related("user", "unit")
            .get(pk=officer_role.pk)
        )
        last_day = officer_role_revoke_check(
            actor=actor, officer_role=officer_role, at=at, effective=effective,
            document_number=document_number, document_date=document_date,
        )  # fmt: skip
        officer_role.valid_until = last_day
        officer_role.save(update_fields=["valid_until"])
        record(
            officer_role, action=RoleChangeAction.REVOKED, actor=actor, at=at, via=via,
            document_number=document_number, document_date=document_date,
        )  # fmt: skip
    officer_role.user.__dict__.pop("_motcua_roles", None)
    return officer_role


def officer_role_change_check(
    *,
    actor: User | None,
    officer_role: OfficerRole,
    at: datetime.datetime,
    title: str,
    valid_until: datetime.date | None,
    document_number: str = "",
    document_date: datetime.date | None = None,
) -> str | None:
    """Every rule of a change of title or last day, without writing; returns the action to
    record (None: nothing changes)."""
    day = local_day(at)
    dates_change = valid_until != officer_role.valid_until
    if not dates_change and title.strip() == officer_role.title:
        return None
    ended_role_check(officer_role, day)
    if actor is not None:
        authority_check(
            actor=actor, officer=officer_role.user, unit=officer_role.unit,
            role=officer_role.role, day=day,
        )  # fmt: skip
    if not dates_change:
        return RoleChangeAction.CHANGED
    yesterday = day - datetime.timedelta(days=1)
    if valid_until is not None and valid_until < yesterday:
        raise DomainError(
            _(
                "Không sửa lùi ngày: ngày cuối giữ vai trò sớm nhất là hôm qua (vai trò thôi "
                "từ hôm nay)."
            )
        )
    others = OfficerRole.objects.filter(
        overlapping(
            officer_role.user, officer_role.unit, officer_role.role, officer_role.valid_from,
            valid_until,
        )
    ).exclude(pk=officer_role.pk)  # fmt: skip
    if others.exists():
        raise DomainError(_("Thời hạn mới trùng với một lần giữ vai trò này khác của cùng cán bộ."))
    if actor is not None:
        document_check(
            role=officer_role.role, number=document_number, date=document_date, day=day,
            what=_("Sửa thời hạn"),
        )  # fmt: skip
    # Ended now, or before it began (a role that had not started yet, cancelled).
    starts = max(day, officer_role.valid_from or day)
    if valid_until is not None and valid_until < starts:
        return RoleChangeAction.REVOKED
    return RoleChangeAction.CHANGED


def officer_role_change(
    *,
    actor: User | None,
    officer_role: OfficerRole,
    at: datetime.datetime,
    title: str,
    valid_until: datetime.date | None,
    document_number: str = "",
    document_date: datetime.date | None = None,
    via: str | None = None,
) -> OfficerRole:
    """A new title or last day for a role that has not ended (the admin site's change form);
    a last day before today is a revocation and recorded as one."""
    with transaction.atomic():
        officer_role = (
            OfficerRole.objects.select_for_update(of=("self",))
            .select_related("user", "unit")
            .get(pk=officer_role.pk)
        )
        action = officer_role_change_check(
            actor=actor, officer_role=officer_role, at=at, title=title, valid_until=valid_until,
            document_number=document_number, document_date=document_date,
        )  # fmt: skip
        if action is None:
            return officer_role
        officer_role.title = title.strip()
        officer_role.valid_until = valid_until
        officer_role.save(update_fields=["title", "valid_until"])
        record(
            officer_role, action=action, actor=actor, at=at, via=via,
            document_number=document_number, document_date=document_date,
        )  # fmt: skip
    officer_role.user.__dict__.pop("_motcua_roles", None)
    return officer_role


def grantable_roles(actor: User, unit: Unit, day: datetime.date) -> list[str]:
    """The roles ``actor`` may grant at ``unit`` (to some officer): what a form offers."""
    if actor.is_superuser:
        return list(OfficerRoleName.values)
    granters = list(OfficerRole.objects.effective_on(day).filter(user=actor).select_related("unit"))
    relations = [(granter.role, relation_of(granter.unit, unit)) for granter in granters]
    return [
        role
        for role in OfficerRoleName.values
        if any(rule_allows(granter_role, role, relation) for granter_role, relation in relations)
    ]


def managed_unit_ids(actor: User, day: datetime.date) -> set[int]:
    """Units where ``actor`` may grant some role: the admin site lists their roles only."""
    granting = {role for rule in GRANT_RULES.values() for role in rule.granted_by}
    roots = OfficerRole.objects.effective_on(day).filter(user=actor, role__in=granting)
    return unit_descendant_ids(roots.values_list("unit_id", flat=True))
