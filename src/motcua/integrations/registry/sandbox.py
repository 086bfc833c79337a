"""The three national registries a linked bundle writes to, as one local HTTP server: the same
protocol as ``client.HttpRegistry``, for tests and the demo (issue 14).

- civil status (hộ tịch, Ministry of Justice's shared software): ``POST /civil_status/birth``
  records a birth and gives the e-birth certificate's number and the child's personal ID number;
  ``POST /civil_status/death`` gives the e-death extract's number;
- population and residence (CSDL quốc gia về dân cư, cư trú): ``POST /population/residence_register``,
  ``POST /population/residence_remove``; ``GET /population/people/<12 digits>``;
- social insurance (VSS): ``POST /social_insurance/health_card`` (the card number),
  ``/social_insurance/funeral_allowance``, ``/social_insurance/survivor_allowance`` (decisions).

Every write needs ``Authorization: Bearer <token>`` and an ``Idempotency-Key``: a key seen before
gets the same record again (200, ``"duplicate": true``), never a second one. Answers: 201 with the
record, 401 wrong token, 422 facts missing (a retry cannot help), 404 unknown operation.

Faults, to rehearse an outage (``POST /_faults``): ``latency_ms`` before each answer;
``fail_next``: the next n writes answer 503 without recording anything; ``lose_next``: the next n
writes are recorded and then answer 503, as when the reply is lost on the way back — the retry
then gets a duplicate reply. ``GET /_records`` lists what was recorded.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from motcua.integrations.demo_people import DEMO_PEOPLE
from motcua.integrations.sandbox_server import SandboxHandler, SandboxServer

# What each operation needs among the facts it is sent, and the prefix of the number it gives.
OPERATIONS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("civil_status", "birth"): (("child_name", "birth_date"), "KS"),
    ("civil_status", "death"): (("deceased_name", "deceased_id_number", "death_date"), "KT"),
    ("population", "residence_register"): (("child_name", "residence_address"), "TT"),
    ("population", "residence_remove"): (("deceased_id_number",), "XT"),
    ("social_insurance", "health_card"): (("child_name", "birth_date"), "TE1"),
    ("social_insurance", "funeral_allowance"): (("deceased_id_number",), "MT"),
    ("social_insurance", "survivor_allowance"): (("deceased_id_number",), "TT"),
}
PERSON = re.compile(r"^/population/people/(\d{12})$")


class RegistrySandbox(SandboxServer):
    """The registries' state and server; ``start()`` serves from a thread, ``stop()`` ends it."""

    def __init__(
        self, *, token: str, host: str = "127.0.0.1", port: int = 0, quiet: bool = True
    ) -> None:
        self.token = token
        self.quiet = quiet
        self.lock = threading.Lock()
        self.records: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self.people: dict[str, dict[str, Any]] = {}
        self.latency_ms = 0
        self.fail_left = 0
        self.lose_left = 0
        self.requests = 0
        self.listen(host, port, handler_for(self))

    def faults(self, *, latency_ms: int = 0, fail_next: int = 0, lose_next: int = 0) -> None:
        with self.lock:
            self.latency_ms, self.fail_left, self.lose_left = latency_ms, fail_next, lose_next

    def recorded(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for r in self.records]

    def authorised(self, authorization: str) -> bool:
        return secrets.compare_digest(authorization, f"Bearer {self.token}")

    def write(
        self, system: str, operation: str, key: str, facts: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """The registry's answer to one write: (status, JSON body)."""
        spec = OPERATIONS.get((system, operation))
        if spec is None:
            return HTTPStatus.NOT_FOUND, {"error": "not_found", "message": "unknown operation"}
        required, prefix = spec
        if not key:
            return HTTPStatus.UNPROCESSABLE_ENTITY, {
                "error": "invalid",
                "message": "Idempotency-Key required",
            }
        missing = [name for name in required if not str(facts.get(name) or "").strip()]
        with self.lock:
            self.requests += 1
            if self.fail_left > 0:
                self.fail_left -= 1
                return HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"}
            if key in self.by_key:
                return HTTPStatus.OK, {**self.by_key[key], "duplicate": True}
            if missing:
                return HTTPStatus.UNPROCESSABLE_ENTITY, {
                    "error": "invalid", "message": f"missing: {', '.join(missing)}",
                }  # fmt: skip
            record = self.record_new(system, operation, prefix, key, facts)
            if self.lose_left > 0:  # recorded, but the reply never reaches the caller
                self.lose_left -= 1
                return HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"}
            return HTTPStatus.CREATED, {**record, "duplicate": False}

    def record_new(
        self, system: str, operation: str, prefix: str, key: str, facts: dict[str, Any]
    ) -> dict[str, Any]:
        sequence = len(self.records) + 1
        record: dict[str, Any] = {
            "id": f"{system}-{sequence:06d}", "system": system, "operation": operation,
            "number": f"{prefix}{sequence:09d}" if prefix == "TE1" else f"{prefix}-{sequence:06d}",
        }  # fmt: skip
        if (system, operation) == ("civil_status", "birth"):
            # The registration gives the newborn a personal ID number (Law on Civil Status art. 16).
            record["personal_id"] = f"0012{sequence:08d}"
            self.people[record["personal_id"]] = {"name": facts.get("child_name"), "residence": ""}
        if (system, operation) == ("population", "residence_register") and facts.get("personal_id"):
            person = self.people.setdefault(
                str(facts["personal_id"]), {"name": facts.get("child_name")}
            )
            person["residence"] = facts.get("residence_address", "")
        self.records.append({**record, "key": key, "facts": dict(facts)})
        self.by_key[key] = record
        return record

    def person_add(self, id_number: str, **facts: Any) -> None:
        """A person the population registry holds (name, birth_date, sex, address, household),
        as a test or the demo seeds it."""
        with self.lock:
            self.people[id_number] = dict(facts)

    def demo_people_add(self) -> None:
        """The demo's people (the VNeID sandbox's test users and the demo citizen accounts)."""
        for person in DEMO_PEOPLE:
            self.person_add(person.id_number, **person.registry_facts())

    def person(self, id_number: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            found = self.people.get(id_number)
        if found is None:
            return HTTPStatus.NOT_FOUND, {"error": "not_found"}
        return HTTPStatus.OK, {"id_number": id_number, **found}


def handler_for(sandbox: RegistrySandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(SandboxHandler):
        def do_GET(self) -> None:
            self.delay()
            found = PERSON.match(self.path)
            if self.path == "/_records":
                self.answer(HTTPStatus.OK, sandbox.recorded())
            elif found and not sandbox.authorised(self.headers.get("Authorization", "")):
                self.answer(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
            elif found:
                self.answer(*sandbox.person(found.group(1)))
            else:
                self.answer(HTTPStatus.NOT_FOUND, {"error": "not_found"})

        def do_POST(self) -> None:
            body = self.json_body()
            if body is None:
                self.answer(HTTPStatus.BAD_REQUEST, {"error": "invalid JSON object"})
                return
            if self.path == "/_faults":
                sandbox.faults(
                    **{k: int(body.get(k) or 0) for k in ("latency_ms", "fail_next", "lose_next")}
                )
                self.answer(HTTPStatus.OK, {"ok": True})
                return
            self.delay()
            if not sandbox.authorised(self.headers.get("Authorization", "")):
                self.answer(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})
                return
            system, _slash, operation = self.path.strip("/").partition("/")
            key = self.headers.get("Idempotency-Key", "")
            self.answer(*sandbox.write(system, operation, key, body))

        def delay(self) -> None:
            if sandbox.latency_ms:
                time.sleep(sandbox.latency_ms / 1000)

    Handler.sandbox = sandbox
    return Handler
