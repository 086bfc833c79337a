"""A web worker loads what every request needs; libraries for rare paths wait for them
(issue 12, worker memory): the VNeID sign-in's OpenID client and HTTP library, the
authenticator's QR code, the calendar's YAML reader once the facts are read, bm25s (and its
tqdm) once a search index is built: a worker that reads a built one needs neither."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

RARE = (
    "authlib", "joserfc", "requests", "segno", "holidays", "jsonschema", "pypdf", "PIL", "bm25s",
    "tqdm",
)  # fmt: skip


def test_a_loaded_worker_has_not_imported_the_rare_paths_libraries(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from motcua.wsgi import application\n"
        "from django.urls import resolve\n"
        "resolve('/api/v1/procedures')\n"  # every URL module imported, as a worker's first request
        f"print(' '.join(name for name in {RARE!r} if name in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ, "PYTHONPATH": str(root / "src"), "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "MOTCUA_VAR_DIR": str(tmp_path),
    }  # fmt: skip
    env.pop("MOTCUA_DATABASE_URL", None)  # the embedded database: nothing is read
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=root,
        timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(done.stderr[-2000:])
    assert done.stdout.split() == []
