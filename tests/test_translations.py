"""The English catalogs are complete: no untranslated or fuzzy entry, and compiled.

Django shows the Vietnamese text for an empty or fuzzy English entry, so a string added without
English, or one whose Vietnamese changed after translation, would silently reach English users in
Vietnamese. The .po files are parsed here with a few lines rather than a new dependency.
"""

from __future__ import annotations

import ast
import gettext
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "motcua"
CATALOGS = sorted(PACKAGE.glob("**/locale/en/LC_MESSAGES/django.po"))


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgstrs(self) -> dict[str, str]:
        return {k: v for k, v in self.fields.items() if k.startswith("msgstr")}

    def mo_keys(self) -> dict[str | tuple[str, int], str]:
        """The keys gettext's compiled catalog uses for this entry, with their expected text."""
        msgid = self.msgid
        if "msgctxt" in self.fields:
            msgid = f"{self.fields['msgctxt']}\x04{msgid}"
        if "msgid_plural" not in self.fields:
            return {msgid: self.fields.get("msgstr", "")}
        return {(msgid, int(k[7:-1])): v for k, v in self.msgstrs.items()}


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po text (the header excluded; obsolete `#~` entries ignored)."""
    entries: list[Entry] = []
    current: Entry | None = None
    key = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            current, key = None, ""
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current.fields[key] += ast.literal_eval(line)
        else:
            key, _, literal = line.partition(" ")
            current.fields[key] = ast.literal_eval(literal)
    return [entry for entry in entries if entry.msgid]


def problems(entries: list[Entry]) -> list[str]:
    found = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            found.append(f"line {entry.line}: fuzzy: {entry.msgid!r}")
        elif not entry.msgstrs or not all(entry.msgstrs.values()):
            found.append(f"line {entry.line}: untranslated: {entry.msgid!r}")
    return found


SAMPLE = r"""
msgid ""
msgstr "Language: en\n"

#: a.py
msgid "Hồ sơ"
msgstr "Dossier"

#, fuzzy
#| msgid "Nộp"
msgid "Nộp hồ sơ"
msgstr "Apply"

msgid ""
"Dòng một "
"dòng \"hai\""
msgstr ""

msgctxt "time limit unit"
msgid "ngày"
msgstr "days"

#, python-format
msgid "%(n)s hồ sơ"
msgid_plural "%(n)s hồ sơ"
msgstr[0] "%(n)s dossier"
msgstr[1] ""

#~ msgid "Cũ"
#~ msgstr ""
"""


def test_the_checker_finds_fuzzy_and_untranslated_entries() -> None:
    entries = parse_po(SAMPLE)
    assert [entry.msgid for entry in entries] == [
        "Hồ sơ",
        "Nộp hồ sơ",
        'Dòng một dòng "hai"',
        "ngày",
        "%(n)s hồ sơ",
    ]
    assert problems(entries) == [
        "line 9: fuzzy: 'Nộp hồ sơ'",
        "line 14: untranslated: 'Dòng một dòng \"hai\"'",
        "line 23: untranslated: '%(n)s hồ sơ'",
    ]
    assert entries[3].mo_keys() == {"time limit unit\x04ngày": "days"}
    assert entries[4].mo_keys() == {("%(n)s hồ sơ", 0): "%(n)s dossier", ("%(n)s hồ sơ", 1): ""}


def test_there_are_english_catalogs() -> None:
    assert PACKAGE / "locale/en/LC_MESSAGES/django.po" in CATALOGS


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_english_catalog_is_complete(po: Path) -> None:
    assert problems(parse_po(po.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_english_catalog_is_compiled(po: Path) -> None:
    """The .mo Django reads says what the .po says (compilemessages was run after editing)."""
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = [
        key
        for entry in parse_po(po.read_text(encoding="utf-8"))
        for key, text in entry.mo_keys().items()
        if compiled.get(key) != text
    ]
    assert stale == []
