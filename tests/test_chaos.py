"""Chaos under load (issue 18), small size: submissions through the API while the web server and
the workers are killed with SIGKILL at random moments and restarted (tests/chaos.py). Afterwards
every accepted submission exists exactly once, none that was refused exists, every message and
portal record is delivered once in effect, and no orphan file remains (tests/chaos_checks.py).
The full size runs from bench/chaos.py (figures in docs/performance.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import connection

from tests.chaos import KILLED, Plan
from tests.chaos_checks import chaos_run, figures_text
from tests.deployment.processes import database_url_named

PRIMARY_URL = os.environ.get("MOTCUA_DATABASE_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not PRIMARY_URL.startswith("postgres"),
        reason="needs PostgreSQL: other processes share the database (make test's PostgreSQL pass)",
    ),
]

# bench/chaos.py runs this test at full size.
SIZE = int(os.environ.get("MOTCUA_CHAOS_SIZE", "60"))
SEED = int(os.environ.get("MOTCUA_CHAOS_SEED", "18"))
FIGURES = os.environ.get("MOTCUA_CHAOS_FIGURES", "")


@pytest.fixture
def database_url(transactional_db: None) -> str:
    """The test database, committed, so that the web and worker processes see it."""
    return database_url_named(PRIMARY_URL, connection.settings_dict["NAME"])


def test_nothing_lost_or_doubled_when_web_and_workers_are_killed_under_load(
    database_url: str, tmp_path: Path
) -> None:
    small = SIZE <= 200
    plan = Plan(size=SIZE, seed=SEED, callers=4 if small else 6, kill_rounds=3 if small else 10)
    figures, problems = chaos_run(
        plan, database_url=database_url, folder=tmp_path, drain_seconds=180 if small else 900
    )
    summary = figures.summary()
    if FIGURES:
        Path(FIGURES).write_text(json.dumps({"summary": summary, "problems": problems}, indent=1))
    print("\n" + figures_text(summary))
    assert not problems, problems
    assert all(figures.kills[name] >= 3 for name in KILLED), figures.kills
    assert figures.refused()
    assert figures.accepted()
