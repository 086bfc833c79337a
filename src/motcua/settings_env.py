"""What the environment says, read for the settings: the installation's folders and the helpers
that turn a variable into a value (settings.py reads every variable through them)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("MOTCUA_PROJECT_DIR", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", PROJECT_DIR / "var")).resolve()
DATA_DIR = Path(os.environ.get("MOTCUA_DATA_DIR", PROJECT_DIR / "data")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    normalized = value.strip().lower()
    if normalized in {"1", "true", "yes", "on"}:
        return True
    if normalized in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true/false, got {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def proxy_ssl_header(name: str, default: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto: https`` → Django's ``("HTTP_X_FORWARDED_PROTO", "https")``; empty or
    ``off``: no proxy header is trusted."""
    value = os.environ.get(name, default).strip()
    if value.lower() in {"", "off", "none", "false", "0"}:
        return None
    header, separator, secure = value.partition(":")
    if not separator or not header.strip() or not secure.strip():
        raise ImproperlyConfigured(
            f"{name} must look like 'X-Forwarded-Proto: https', got {value!r}"
        )
    return "HTTP_" + header.strip().upper().replace("-", "_"), secure.strip()


def origins(urls: list[str]) -> list[str]:
    """The scheme://host[:port] of each URL given (empty ones skipped), once each."""
    found: list[str] = []
    for url in urls:
        parts = urlsplit(url.strip())
        host = parts.netloc.rpartition("@")[2]
        if parts.scheme and host and f"{parts.scheme}://{host}" not in found:
            found.append(f"{parts.scheme}://{host}")
    return found
