from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def required(settings: Any) -> None:
    """Production's default: officers and administrators must use the second factor."""
    settings.MOTCUA_REQUIRE_OFFICER_2FA = True
