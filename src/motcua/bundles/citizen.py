"""What the bundle pages need from the citizen portal, which sits above them (the portal
imports the bundles, never the other way round; tests/test_architecture.py). The portal fills
these in from its ``ready``; until it does, a bundle form opens empty and a citizen sees only
the bundles their account submitted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from .definitions import Definition

DraftFacts = Callable[[Any, str, "Definition"], "tuple[list[str], dict[str, str]] | None"]


@dataclass
class CitizenPortal:
    # (services the declaration's boxes chose, its facts) of the citizen's draft ``key``
    draft_facts: DraftFacts = lambda user, key, definition: None
    # the declaration the bundle was made from is the bundle's now: its draft goes
    draft_done: Callable[[Any, str], None] = lambda user, key: None
    # the dossiers the account applied for or proved it applied for
    dossiers_of: Callable[[Any], Q] = lambda user: Q(pk__in=[])


CITIZEN = CitizenPortal()
