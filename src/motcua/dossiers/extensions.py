"""What apps above the dossier kernel add to its officer pages, registered from their ``ready``
(the kernel never imports them; tests/test_architecture.py): a worklist hook marks a page's rows
in place (one query at most, none when no row is theirs), a panel gives the dossier page a block
of its own under a template name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from motcua.accounts.models import User

    from .models import Dossier

# A worklist row is a plain dict (selectors.list_rows): "id", "ref", the shown columns and
# "bundle_marker"; a hook adds keys of its own for the template.
WorklistHook = Callable[[list[dict[str, Any]]], None]
Panel = Callable[["Dossier", "User"], Any]

WORKLIST_HOOKS: list[WorklistHook] = []
PANELS: dict[str, Panel] = {}


def worklist_hook_register(hook: WorklistHook) -> None:
    if hook not in WORKLIST_HOOKS:
        WORKLIST_HOOKS.append(hook)


def panel_register(name: str, panel: Panel) -> None:
    PANELS[name] = panel


def worklist_rows_mark(rows: list[dict[str, Any]]) -> None:
    for hook in WORKLIST_HOOKS:
        hook(rows)


def panels_for(dossier: Dossier, user: User) -> dict[str, Any]:
    return {name: panel(dossier, user) for name, panel in PANELS.items()}
