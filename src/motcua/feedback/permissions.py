"""Who handles a feedback: the officers of its responsible unit who work on dossiers there
(reception, specialists, division heads, leaders) and the supervisors of that unit or of a unit
above it. Unit administrators manage staff, not citizens' matters: they do not."""

from __future__ import annotations

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User

HANDLING = (
    Capability.RECEIVE_DOSSIER,
    Capability.PROCESS_DOSSIER,
    Capability.APPROVE_DOSSIER,
    Capability.VIEW_UNIT_DOSSIERS,  # division heads, leaders; supervisors over their subtree
)


def handling_unit_ids(user: User) -> set[int]:
    """The units whose feedback ``user`` sees and acts on."""
    if not user.is_authenticated:
        return set()
    found: set[int] = set()
    for capability in HANDLING:
        found |= permissions.unit_ids_with(user, capability)
    return found


def counter_unit_ids(user: User) -> set[int]:
    """Where ``user`` may record a feedback brought to the counter (a reception officer)."""
    if not user.is_authenticated:
        return set()
    return permissions.unit_ids_with(user, Capability.RECEIVE_DOSSIER)
