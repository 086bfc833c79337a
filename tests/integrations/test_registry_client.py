"""The registries' HTTP client against the sandbox running as a real server: records, idempotent
retries, and the faults the sandbox injects (latency, 5xx, a reply lost after recording)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from motcua.integrations.registry.client import HttpRegistry, LocalRegistry, RegistryError
from motcua.integrations.registry.sandbox import RegistrySandbox

TOKEN = "registry-test-token"
BIRTH = {"child_name": "Nguyễn Minh Khang", "birth_date": "2026-02-20"}


@pytest.fixture
def sandbox() -> Iterator[RegistrySandbox]:
    server = RegistrySandbox(token=TOKEN).start()
    yield server
    server.stop()


def client(sandbox: RegistrySandbox, timeout: float = 5.0, token: str = TOKEN) -> HttpRegistry:
    return HttpRegistry(url=sandbox.url, token=token, timeout=timeout)


def test_a_birth_is_recorded_once_whatever_the_retries(sandbox: RegistrySandbox) -> None:
    first = client(sandbox).record(
        system="civil_status", operation="birth", key="LT1/birth", facts=BIRTH
    )
    assert first.number.startswith("KS-")
    assert first.extra["personal_id"].isdigit()
    assert len(first.extra["personal_id"]) == 12
    again = client(sandbox).record(
        system="civil_status", operation="birth", key="LT1/birth", facts=BIRTH
    )
    assert (again.number, again.duplicate) == (first.number, True)
    assert len(sandbox.recorded()) == 1


def test_a_registry_that_is_down_fails_in_a_way_a_retry_can_fix(sandbox: RegistrySandbox) -> None:
    sandbox.faults(fail_next=2)
    for _ in range(2):
        with pytest.raises(RegistryError) as failed:
            client(sandbox).record(
                system="social_insurance", operation="health_card", key="k", facts=BIRTH
            )
        assert (failed.value.status, failed.value.permanent) == (503, False)
    assert sandbox.recorded() == []
    reply = client(sandbox).record(
        system="social_insurance", operation="health_card", key="k", facts=BIRTH
    )
    assert reply.number.startswith("TE1")


def test_a_lost_reply_is_retried_into_the_same_record(sandbox: RegistrySandbox) -> None:
    sandbox.faults(lose_next=1)
    with pytest.raises(RegistryError):
        client(sandbox).record(
            system="civil_status", operation="birth", key="LT2/birth", facts=BIRTH
        )
    assert len(sandbox.recorded()) == 1  # recorded although the caller never heard
    retry = client(sandbox).record(
        system="civil_status", operation="birth", key="LT2/birth", facts=BIRTH
    )
    assert retry.duplicate
    assert retry.number == sandbox.recorded()[0]["number"]
    assert len(sandbox.recorded()) == 1


def test_a_slow_registry_times_out_and_may_be_retried(sandbox: RegistrySandbox) -> None:
    sandbox.faults(latency_ms=600)
    with pytest.raises(RegistryError) as failed:
        client(sandbox, timeout=0.2).record(
            system="civil_status", operation="birth", key="k", facts=BIRTH
        )
    assert not failed.value.permanent


def test_wrong_token_may_be_fixed_missing_facts_may_not(sandbox: RegistrySandbox) -> None:
    with pytest.raises(RegistryError) as unauthorised:
        client(sandbox, token="nope").record(
            system="civil_status", operation="birth", key="k", facts=BIRTH
        )
    assert (unauthorised.value.status, unauthorised.value.permanent) == (401, False)
    with pytest.raises(RegistryError) as invalid:
        client(sandbox).record(system="civil_status", operation="birth", key="k", facts={})
    assert (invalid.value.status, invalid.value.permanent) == (422, True)
    assert "child_name" in str(invalid.value)


def test_the_population_registry_knows_the_child_after_the_residence_registration(
    sandbox: RegistrySandbox,
) -> None:
    birth = client(sandbox).record(system="civil_status", operation="birth", key="b", facts=BIRTH)
    client(sandbox).record(
        system="population", operation="residence_register", key="r",
        facts={**BIRTH, "personal_id": birth.extra["personal_id"], "residence_address": "12 Hàng Bạc"},
    )  # fmt: skip
    request = urllib.request.Request(
        f"{sandbox.url}/population/people/{birth.extra['personal_id']}",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        person = json.loads(response.read())
    assert (person["name"], person["residence"]) == ("Nguyễn Minh Khang", "12 Hàng Bạc")


def test_the_embedded_stand_in_gives_the_same_record_for_the_same_key() -> None:
    local = LocalRegistry()
    one = local.record(system="civil_status", operation="birth", key="LT3/birth", facts=BIRTH)
    assert one == local.record(system="civil_status", operation="birth", key="LT3/birth", facts={})
    assert (
        one.number
        != local.record(system="civil_status", operation="birth", key="LT4", facts={}).number
    )


def test_every_registry_write_the_bundle_definitions_name_is_one_the_registries_know() -> None:
    from motcua.bundles.definitions import definitions
    from motcua.integrations.registry.sandbox import OPERATIONS

    named = {
        row.registry
        for definition in definitions().bundles
        for member in definition.members
        for row in ([member.resolved(v) for v in member.variant_names()] or [member.resolved()])
        if row.registry
    }
    assert named
    assert named <= {f"{system}/{operation}" for system, operation in OPERATIONS}
