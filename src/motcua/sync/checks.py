"""A bad portal configuration is said at start-up (``manage.py check``, the server, the worker),
in Vietnamese and English, rather than as failed deliveries later."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from motcua.integrations.dvcqg.client import config_problems, sync_enabled


@register()
def portal_settings_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not sync_enabled():
        return []
    problems = config_problems(
        settings.MOTCUA_DVCQG_URL.strip(), settings.MOTCUA_DVCQG_TOKEN,
        settings.MOTCUA_DVCQG_TIMEOUT,
    )  # fmt: skip
    if settings.MOTCUA_DVCQG_MAX_ATTEMPTS < 1:
        problems.append("MOTCUA_DVCQG_MAX_ATTEMPTS phải ≥ 1 / must be at least 1")
    return [Error(problem, id="motcua.sync.E001") for problem in problems]
