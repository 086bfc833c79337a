"""Looking a person up in the population registry (CSDL quốc gia về dân cư) by personal ID
number, for the counter's prefill (issue 15): name, date of birth, sex, permanent address,
household members; and what the officer typed that the registry says otherwise."""

from __future__ import annotations

import json
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .client import RegistryError, http_error


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    birth_date: str  # ISO date, as the registry gives it
    sex: str
    address: str
    household: tuple[str, ...] = ()

    @classmethod
    def from_answer(cls, id_number: str, answer: dict[str, Any]) -> Person:
        members = answer.get("household") or ()
        return cls(
            id_number=id_number, name=str(answer.get("name") or ""),
            birth_date=str(answer.get("birth_date") or ""), sex=str(answer.get("sex") or ""),
            address=str(answer.get("address") or answer.get("residence") or ""),
            household=tuple(str(m) for m in members if m) if isinstance(members, list) else (),
        )  # fmt: skip


def person_lookup(id_number: str) -> Person | None:
    """The registry's record of ``id_number``; None when it holds none or no registry is
    configured (the embedded demo holds no population data). RegistryError when it cannot say."""
    url = str(getattr(settings, "MOTCUA_REGISTRY_URL", "") or "").rstrip("/")
    if not url.startswith(("http://", "https://")) or not (
        id_number.isascii() and id_number.isdigit()
    ):
        return None
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        f"{url}/population/people/{id_number}",
        headers={
            "Accept": "application/json",
            "Authorization": f"Bearer {settings.MOTCUA_REGISTRY_TOKEN}",
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.MOTCUA_REGISTRY_TIMEOUT
        ) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise http_error(error) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise RegistryError(f"registry unreachable: {getattr(error, 'reason', error)}") from error
    except ValueError as error:
        raise RegistryError(f"registry answered with invalid JSON: {error}") from error
    if not isinstance(answer, dict):
        raise RegistryError("registry answered without a person")
    return Person.from_answer(id_number, answer)


def folded(text: str) -> str:
    """Compared as written, diacritics included (Phạm is not Phan), but not letter case, the
    Unicode composition or runs of spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def as_iso(day: str) -> str:
    """A date typed the Vietnamese way (dd/mm/yyyy) as the registry writes it (yyyy-mm-dd)."""
    parts = day.strip().replace("-", "/").split("/")
    if len(parts) == 3 and len(parts[2]) == 4 and all(p.isascii() and p.isdigit() for p in parts):
        return f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}"
    return day.strip()


def mismatches(typed: dict[str, str], person: Person) -> list[tuple[str, str, str]]:
    """(field, typed, registry) for each field typed that the registry holds otherwise; a field
    left empty is no mismatch (it is prefilled)."""
    held = {"name": person.name, "birth_date": person.birth_date, "address": person.address}
    return [
        (field, typed[field], value)
        for field, value in held.items()
        if typed.get(field, "").strip() and value and same(field, typed[field], value) is False
    ]


def same(field: str, typed: str, held: str) -> bool:
    if field == "birth_date":
        return as_iso(typed) == as_iso(held)
    return folded(typed) == folded(held)
