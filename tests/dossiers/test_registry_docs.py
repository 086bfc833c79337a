"""The action registry is the one source: its reference page and API listing derive from it."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from motcua.dossiers.action_docs import registry_markdown
from motcua.dossiers.actions import REGISTRY, SPECS
from motcua.dossiers.constants import Action
from motcua.dossiers.services import PERFORMERS

DOC = Path(__file__).resolve().parents[2] / "docs" / "actions.md"


def test_the_committed_reference_page_matches_the_registry() -> None:
    with translation.override("vi"):
        expected = registry_markdown()
    assert DOC.read_text(encoding="utf-8") == expected, (
        "run: motcua actions --write docs/actions.md"
    )


def test_every_action_is_declared_once_and_every_offered_one_can_be_performed() -> None:
    assert sorted(REGISTRY) == sorted(Action.values)
    assert len(SPECS) == len(REGISTRY)
    for spec in SPECS:
        if spec.offered:
            assert spec.action in PERFORMERS, spec.action


def test_irreversible_actions_ask_for_confirmation() -> None:
    for action in (Action.WITHDRAW, Action.REFUSE_RECEPTION, Action.REJECT):
        spec = REGISTRY[action]
        assert spec.confirm
        assert spec.input("confirm") is not None
