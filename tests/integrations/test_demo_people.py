"""The demo's VNeID test users are people the population registry sandbox holds (``make run``
seeds it), by the same personal ID numbers as the demo citizen accounts: a demo sign-in through
VNeID finds its registry record."""

from __future__ import annotations

import json
import urllib.request

from motcua.accounts.demo import DEMO_CITIZENS
from motcua.integrations import demo
from motcua.integrations.oidc.sandbox import TEST_USERS


def registry_record(url: str, token: str, number: str) -> dict[str, object]:
    request = urllib.request.Request(
        f"{url}/population/people/{number}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return dict(json.loads(response.read()))


def test_every_vneid_sandbox_user_is_known_to_the_registry_sandbox_of_make_run() -> None:
    server, env = demo.build(demo.REGISTRY, host="127.0.0.1", port=0, callbacks=[])
    server.start()
    try:
        for user in TEST_USERS:
            record = registry_record(
                env["MOTCUA_REGISTRY_URL"], env["MOTCUA_REGISTRY_TOKEN"], user.id_number
            )
            assert record["name"] == user.name
            assert record["birth_date"] == user.birthdate
            assert record["sex"]
            assert record["address"]
    finally:
        server.stop()


def test_the_demo_citizen_accounts_are_vneid_users_at_level_2() -> None:
    verified = {user.id_number: user.name for user in TEST_USERS if user.level >= 2}
    for citizen in DEMO_CITIZENS:
        assert verified.get(citizen["id_number"]) == citizen["full_name"]
