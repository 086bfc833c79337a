"""A web process loads its URL configuration (and so the API) at start-up and sets what it
loaded aside from the garbage collector (``common.heap``); ``MOTCUA_GC_FREEZE=0`` leaves the
collector as Python sets it. Asked of a new interpreter: freezing the test process's own
objects would change the process every other test runs in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = (
    "import gc, json, sys; import motcua.wsgi; "
    "print(json.dumps({'frozen': gc.get_freeze_count(), "
    "'api_loaded': 'motcua.api.dossiers' in sys.modules}))"
)


def started(tmp_path: Path, **env: str) -> dict[str, object]:
    root = Path(__file__).resolve().parents[2]
    environment = {
        **os.environ, "PYTHONPATH": str(root / "src"), "MOTCUA_VAR_DIR": str(tmp_path), **env,
    }  # fmt: skip
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # as gunicorn starts it: wsgi sets it
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True,
        cwd=root, timeout=120, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_web_process_freezes_what_it_loaded_with_the_api_among_it(tmp_path: Path) -> None:
    found = started(tmp_path)
    assert found["api_loaded"] is True
    # Django, the models, the URL patterns and the API's schemas: far more than a bare import.
    frozen = found["frozen"]
    assert isinstance(frozen, int)
    assert frozen > 100_000


@pytest.mark.parametrize("value", ["0", "false"])
def test_the_freeze_can_be_turned_off(tmp_path: Path, value: str) -> None:
    assert started(tmp_path, MOTCUA_GC_FREEZE=value)["frozen"] == 0
