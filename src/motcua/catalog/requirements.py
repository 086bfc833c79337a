"""Reading the national checklist of documents, which mixes documents with notes.

National records file explanations ("Lưu ý…", "Người tiếp nhận có trách nhiệm…") as requirements
with neither an original nor a copy to hand in. Counters and the online form show them as
guidance, not as documents to tick or upload.
"""

from __future__ import annotations

import re

from .models import Procedure, Requirement, RequirementGroup

NOTE_GROUP = re.compile(r"^(lưu ý|ghi chú)", re.IGNORECASE)


def is_note(requirement: Requirement, group: RequirementGroup) -> bool:
    """Guidance, not a document to hand in; so is a paper the law abolished (``abolished_note``):
    no counter and no online form may ask for it."""
    return (
        bool(NOTE_GROUP.match(group.name.strip()))
        or (requirement.originals == 0 and requirement.copies == 0)
        or bool(requirement.abolished_note)
    )


def document_name(name: str) -> str:
    """The name without the list marks the records start with ("- ", "+ ")."""
    return name.lstrip("-+*• ").strip()


def counter_checklist(
    procedure: Procedure,
) -> list[tuple[RequirementGroup, list[Requirement], list[Requirement]]]:
    """Per group: the documents to check at the counter, then the notes."""
    sections = []
    for group in procedure.requirement_groups.prefetch_related("items"):
        items = [item for item in group.items.all() if not item.is_result]
        documents = [item for item in items if not is_note(item, group)]
        notes = [item for item in items if is_note(item, group)]
        if documents or notes:
            sections.append((group, documents, notes))
    return sections
