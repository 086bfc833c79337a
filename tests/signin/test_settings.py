"""The two-factor setting's default follows the mode; the environment can turn it either way."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHECK = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.MOTCUA_REQUIRE_OFFICER_2FA)"
)
PRODUCTION = {"MOTCUA_MODE": "production", "MOTCUA_SECRET_KEY": "x" * 50}


def required_with(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_REQUIRE")}
    environment.update(DJANGO_SETTINGS_MODULE="motcua.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", CHECK], env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (PRODUCTION, "True"),
        ({"MOTCUA_MODE": "embedded"}, "False"),
        ({**PRODUCTION, "MOTCUA_REQUIRE_OFFICER_2FA": "false"}, "False"),
        ({"MOTCUA_MODE": "embedded", "MOTCUA_REQUIRE_OFFICER_2FA": "true"}, "True"),
    ],
)
def test_two_factor_default_follows_the_mode(env: dict[str, str], expected: str) -> None:
    assert required_with(**env) == expected
