"""Chaos under load at full size (issue 18): N counter submissions through the API while the web
server and the workers are killed with SIGKILL at random moments and restarted; then the checks
of tests/chaos_checks.py (each accepted submission once, refused ones never, every SMS, e-mail
and portal record once in effect, no orphan file) and the run's figures.

    .venv/bin/python bench/chaos.py [--size 2000] [--seed 18]

It runs tests/test_chaos.py at that size (the same harness as `make test`'s small run) on a
throwaway PostgreSQL (scripts/with_postgres.py) unless MOTCUA_DATABASE_URL names one, and prints
the figures; the exit status is the test's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="submissions (default 2000)")
    parser.add_argument("--seed", type=int, default=18, help="seed of the kills and the load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-chaos-") as folder:
        figures = Path(folder) / "figures.json"
        env = dict(
            os.environ, MOTCUA_CHAOS_SIZE=str(args.size), MOTCUA_CHAOS_SEED=str(args.seed),
            MOTCUA_CHAOS_FIGURES=str(figures),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
        )  # fmt: skip
        pytest = [sys.executable, "-m", "pytest", "-n0", "-q", "-p", "no:cacheprovider",
                  f"--basetemp={folder}/tmp", "tests/test_chaos.py"]  # fmt: skip
        if not env.get("MOTCUA_DATABASE_URL", "").startswith("postgres"):
            env["MOTCUA_REQUIRE_POSTGRES"] = "1"
            pytest = [sys.executable, "scripts/with_postgres.py", "--", *pytest]
        status = subprocess.run(pytest, cwd=ROOT, env=env, check=False).returncode
        if figures.exists():
            found = json.loads(figures.read_text())
            width = max(len(name) for name in found["summary"])
            for name, value in found["summary"].items():
                print(f"{name:{width}}  {value}")
            for check, problems in found["problems"].items():
                print(f"!!! {check}: {problems}")
    return status


if __name__ == "__main__":
    sys.exit(main())
