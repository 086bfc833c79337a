from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from motcua.integrations.registry.sandbox import RegistrySandbox


def registry_serving(
    settings: Any, token: str, people: dict[str, dict[str, Any]]
) -> Iterator[RegistrySandbox]:
    """The registry sandbox running as a real server holding ``people`` (by ID number), the
    settings pointing at it; for a fixture to ``yield from``."""
    server = RegistrySandbox(token=token).start()
    for number, facts in people.items():
        server.person_add(number, **facts)
    settings.MOTCUA_REGISTRY_URL, settings.MOTCUA_REGISTRY_TOKEN = server.url, token
    yield server
    server.stop()
