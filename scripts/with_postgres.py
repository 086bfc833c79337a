"""Run a command against a throwaway PostgreSQL cluster.

    python scripts/with_postgres.py -- pytest -q

Creates a cluster with ``initdb`` in a temporary folder (as the ``postgres`` user when run as
root), starts it on a free loopback port, exports ``MOTCUA_DATABASE_URL`` for the command, and
removes everything afterwards, whatever the command's outcome. Where no PostgreSQL server binary
exists the command is skipped with a loud warning, unless ``MOTCUA_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BANNER = "!" * 78


def find_binary(name: str) -> str | None:
    versioned = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return versioned[0] if versioned else shutil.which(name)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_postgres_user(command: list[str]) -> list[str]:
    """The server refuses to run as root; drop to the `postgres` account when we are root."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def run_quietly(command: list[str], log: Path) -> None:
    with log.open("a") as out:
        subprocess.run(command, check=True, stdout=out, stderr=subprocess.STDOUT)


@contextmanager
def throwaway_cluster(initdb: str, pg_ctl: str) -> Iterator[str]:
    root = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
    data, log, server_log = root / "data", root / "setup.log", root / "server.log"
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    root.chmod(0o700)
    port = free_port()
    started = False
    try:
        run_quietly(
            as_postgres_user(
                [initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync"]
            ),
            log,
        )  # fmt: skip
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        run_quietly(
            as_postgres_user(
                [pg_ctl, "-D", str(data), "-o", options, "-l", str(server_log), "-w", "start"]
            ),
            log,
        )
        started = True
        print(f"PostgreSQL tạm / throwaway PostgreSQL on 127.0.0.1:{port} ({root})", flush=True)
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError:
        for path in (log, server_log):
            print(path.read_text() if path.exists() else "", file=sys.stderr)
        raise
    finally:
        if started:
            subprocess.run(
                as_postgres_user([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print("usage: with_postgres.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        print(BANNER, file=sys.stderr)
        print("!! KHÔNG CÓ PostgreSQL: BỎ QUA kiểm thử trên PostgreSQL", file=sys.stderr)
        print(
            "!! NO PostgreSQL server binary (initdb/pg_ctl): PostgreSQL tests SKIPPED",
            file=sys.stderr,
        )
        print(BANNER, file=sys.stderr)
        return 1 if os.environ.get("MOTCUA_REQUIRE_POSTGRES") == "1" else 0
    with throwaway_cluster(initdb, pg_ctl) as url:
        env = {**os.environ, "MOTCUA_DATABASE_URL": url}
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
