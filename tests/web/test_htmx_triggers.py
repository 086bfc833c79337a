"""Every ``hx-trigger`` in our templates parses the way htmx 2 reads it: a ``from:`` selector
with a space in it must be wrapped in parentheses, or htmx takes only its first word and raises
``htmx:syntax:error`` on the rest (the worklist's filters once listened to the whole form)."""

from __future__ import annotations

import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "motcua"
TRIGGER = re.compile(r'hx-trigger="([^"]*)"')
# the words htmx 2 accepts after an event name (parseAndCacheTrigger)
MODIFIERS = re.compile(
    r"^(changed|once|consume|delay:\S+|throttle:\S+|queue:\S+|threshold:\S+"
    r"|(from|target|root):(\([^)]*\)|\{[^}]*\}|(closest|find|next|previous) \S+|[^\s(]\S*))$"
)

# a word, keeping a parenthesised selector or "from:closest <selector>" whole
SPLIT = r"(?:from|target|root):\([^)]*\)|from:(?:closest|find|next|previous) \S+|\S+"


def problems(trigger: str) -> list[str]:
    found = []
    for spec in re.split(r",\s*(?![^()]*\))", trigger):
        words = re.findall(SPLIT, spec.strip())
        event, *rest = words or [""]
        if event == "every":
            rest = rest[1:]
        found += [word for word in rest if not MODIFIERS.match(word)]
    return found


def test_the_checker_catches_an_unwrapped_selector() -> None:
    assert problems("submit, change from:#form select") == ["select"]
    assert problems("submit, change from:(#form select)") == []
    assert problems("input changed delay:300ms from:#q, change from:select, submit") == []


def test_no_trigger_listens_to_every_field_of_the_page() -> None:
    """``from:select`` hears the header's language select too (it once fired the catalogue's
    search): a trigger names its own fields."""
    broad = re.compile(r"from:(select|input|textarea)\b")
    found = {
        str(template.relative_to(SOURCE)): trigger
        for template in SOURCE.rglob("*.html")
        for trigger in TRIGGER.findall(template.read_text(encoding="utf-8"))
        if broad.search(trigger)
    }
    assert not found, found


def test_every_trigger_in_the_templates_parses() -> None:
    bad = {}
    for template in SOURCE.rglob("*.html"):
        for trigger in TRIGGER.findall(template.read_text(encoding="utf-8")):
            if problems(trigger):
                bad[str(template.relative_to(SOURCE))] = trigger
    assert not bad, bad
