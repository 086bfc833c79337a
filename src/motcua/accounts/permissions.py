"""Who may do what, where: capabilities granted by officer roles, scoped by unit.

Supervisors and administrators act on their unit and every unit below it; the other roles act
only in the unit where they hold the role. A request made with an API token keeps only the roles
in the token's units, and a read token only the capabilities that read (``accounts.tokens``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery

from motcua.common.clock import today
from motcua.common.inline import Inline, own_fields
from motcua.common.prepared import PreparedQuery
from motcua.organizations.models import Unit
from motcua.organizations.selectors import unit_descendant_ids

from .constants import READ_ONLY_CAPABILITIES, ApiTokenScope
from .constants import Capability as C
from .constants import OfficerRoleName as R
from .models import ApiToken, OfficerRole, User

T = TypeVar("T")

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    R.RECEPTION: frozenset(
        {C.VIEW_UNIT, C.VIEW_RECEIVED_DOSSIERS, C.RECEIVE_DOSSIER, C.RETURN_RESULT}
    ),
    R.SPECIALIST: frozenset({C.VIEW_UNIT, C.VIEW_ASSIGNED_DOSSIERS, C.PROCESS_DOSSIER}),
    R.DIVISION_HEAD: frozenset(
        {
            C.VIEW_UNIT,
            C.VIEW_STAFF,
            C.PROCESS_DOSSIER,
            C.ASSIGN_DOSSIER,
            C.REVIEW_DOSSIER,
            C.VIEW_UNIT_DOSSIERS,
        }
    ),
    R.LEADER: frozenset(
        {
            C.VIEW_UNIT,
            C.VIEW_STAFF,
            C.ASSIGN_DOSSIER,
            C.REVIEW_DOSSIER,
            C.APPROVE_DOSSIER,
            C.VIEW_UNIT_DOSSIERS,
            C.VIEW_REPORTS,
        }
    ),
    R.SUPERVISOR: frozenset({C.VIEW_UNIT, C.VIEW_STAFF, C.VIEW_UNIT_DOSSIERS, C.VIEW_REPORTS}),
    R.ADMINISTRATOR: frozenset({C.VIEW_UNIT, C.VIEW_STAFF, C.MANAGE_STAFF, C.CONFIGURE}),
}
SUBTREE_ROLES = frozenset({R.SUPERVISOR, R.ADMINISTRATOR})

UserLike = User | AnonymousUser


def roles_in_force(user_id: int, day: datetime.date) -> QuerySet[OfficerRole]:
    return (
        OfficerRole.objects.effective_on(day)
        .filter(user_id=user_id)
        .select_related("unit")
        .order_by("pk")
    )


def token_roles_in_force(user_id: int, day: datetime.date, token_id: int) -> QuerySet[OfficerRole]:
    """Only the token's units, in the same query."""
    units = ApiToken.units.through.objects.filter(apitoken_id=token_id).values("unit_id")
    return roles_in_force(user_id, day).filter(unit_id__in=units)


# Read on every request of an officer: compiled once (common/prepared.py).
DAYS = (datetime.date(2001, 1, 1), datetime.date(2001, 1, 2))
ROLES = PreparedQuery(roles_in_force, user_id=(1, 2), day=DAYS)
TOKEN_ROLES = PreparedQuery(token_roles_in_force, user_id=(1, 2), day=DAYS, token_id=(1, 2))

# The roles as they come inside the token's own query (``token_roles_inline``): each with its
# whole unit, as ``select_related("unit")`` gives them above.
ROLE_ROWS = Inline(
    "officer_roles", OfficerRole, "user", own_fields(OfficerRole, "user"),
    related={"unit": own_fields(Unit)},
)  # fmt: skip


def token_roles_inline(day: datetime.date) -> Subquery:
    """For a query of API tokens: the roles in force on ``day`` of the token's officer in the
    token's units, aggregated into the token's row, so that an API request reads its token and
    its roles in one statement (decision 0021)."""
    units = ApiToken.units.through.objects.filter(apitoken_id=OuterRef(OuterRef("pk")))
    rows = OfficerRole.objects.effective_on(day).filter(
        user_id=OuterRef("user_id"), unit_id__in=units.values("unit_id")
    )
    return ROLE_ROWS.aggregated(rows)


def active_roles(user: UserLike) -> list[OfficerRole]:
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[OfficerRole] | None = user.__dict__.get("_motcua_roles")
    if cached is None:
        token = api_token_of(user)
        if token is None:
            cached = ROLES(user_id=user.pk, day=today())
        else:
            cached = TOKEN_ROLES(user_id=user.pk, day=today(), token_id=token.pk)
        user.__dict__["_motcua_roles"] = cached
    return cached


API_TOKEN_KEY = "_motcua_api_token"


def api_token_attach(user: User, token: ApiToken) -> None:
    """From now on ``user`` (this object: one request's) acts through ``token``; its roles are
    those the token's query brought (``token_roles_inline``), else read when first asked."""
    user.__dict__[API_TOKEN_KEY] = token
    user.__dict__.pop("_motcua_roles", None)
    if ROLE_ROWS.annotation_name in token.__dict__:
        text = token.__dict__.pop(ROLE_ROWS.annotation_name)
        user.__dict__["_motcua_roles"] = ROLE_ROWS.instances(user, text)


def api_token_of(user: UserLike) -> ApiToken | None:
    """The API token this user object acts through, if any."""
    token: ApiToken | None = user.__dict__.get(API_TOKEN_KEY)
    return token


def is_officer(user: UserLike) -> bool:
    return bool(active_roles(user))


def unit_ids_with(user: UserLike, capability: str) -> set[int]:
    """Every unit in which ``user`` holds ``capability`` (worked out once per capability for
    the roles this user object holds: a page asks it for every action it may offer)."""
    return set(unit_ids_held(user, capability))


def holds_in(user: UserLike, capability: str, unit_id: int | None) -> bool:
    """Whether ``user`` holds ``capability`` in the unit: a look-up, where ``unit_ids_with``
    copies the set (a supervisor's units below can be thousands; a worklist page asks this
    for every action of every row)."""
    return unit_id in unit_ids_held(user, capability)


def unit_ids_held(user: UserLike, capability: str) -> frozenset[int]:
    held: dict[str, frozenset[int]] = kept_for_roles(user, UNIT_IDS, dict)
    found = held.get(capability)
    if found is None:
        found = held[capability] = frozenset(units_with(user, capability))
    return found


def kept_for_roles(user: UserLike, name: str, make: Callable[[], T]) -> T:
    """What ``make`` gave, kept on this user object (one request's) under ``name`` for the
    roles it holds now: a new role or token gives a new roles list, and a new one is made."""
    roles = active_roles(user)
    memo: tuple[list[OfficerRole], T] | None = user.__dict__.get(name)
    if memo is None or memo[0] is not roles:
        memo = (roles, make())
        if user.is_authenticated:
            user.__dict__[name] = memo
    return memo[1]


UNIT_IDS = "_motcua_unit_ids"


def units_with(user: UserLike, capability: str) -> set[int]:
    token = api_token_of(user)
    if (
        token is not None
        and token.scope == ApiTokenScope.READ
        and capability not in READ_ONLY_CAPABILITIES
    ):
        return set()
    direct: set[int] = set()
    subtree_roots: set[int] = set()
    for role in active_roles(user):
        if capability in ROLE_CAPABILITIES[role.role]:
            (subtree_roots if role.role in SUBTREE_ROLES else direct).add(role.unit_id)
    return direct | (unit_descendant_ids(subtree_roots) if subtree_roots else set())


def has_capability(user: UserLike, capability: str, unit: Unit) -> bool:
    return unit.pk in unit_ids_with(user, capability)


def capabilities_in(user: UserLike, unit: Unit) -> set[str]:
    return {capability for capability in C.values if has_capability(user, capability, unit)}


def visible_unit_ids(user: UserLike) -> set[int]:
    return unit_ids_with(user, C.VIEW_UNIT)


def identity_verified(user: User | AnonymousUser | None) -> bool:
    """The account is bound to its personal ID number by a level-2 identity (VNeID): it may see
    what the state holds under that number — registry data and the whole personal store. An
    account made with a password is not, whatever number was typed at sign-up."""
    profile = getattr(user, "citizen_profile", None) if user is not None else None
    return bool(profile is not None and profile.identity_verified)
