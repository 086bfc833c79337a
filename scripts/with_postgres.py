"""Run a command against a throwaway PostgreSQL cluster, and optionally a streaming replica.

    python scripts/with_postgres.py -- pytest -q
    python scripts/with_postgres.py --replica -- pytest -q
    python scripts/with_postgres.py --replica --route-reads -- motcua serve

Creates a cluster with ``initdb`` in a temporary folder (as the ``postgres`` user when run as
root), starts it on a free loopback port, exports ``MOTCUA_DATABASE_URL`` for the command, and
removes everything afterwards, whatever the command's outcome. Where no PostgreSQL server binary
exists the command is skipped with a loud warning, unless ``MOTCUA_REQUIRE_POSTGRES=1``.

``--replica`` also makes a hot standby of it (``pg_basebackup -R`` as a replication role, a
replication slot, streaming) on another free port and exports its address as
``MOTCUA_TEST_REPLICA_URL``: the multi-process test routes its servers' reads there, the rest of
the suite runs on the primary alone. ``--route-reads`` exports it as
``MOTCUA_DATABASE_REPLICA_URLS`` too, so the command itself reads from the replica
(docs/decisions/0018-read-replicas.md).
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


REPLICATION_ROLE = "replicator"
REPLICATION_SLOT = "motcua_replica"


def server_options(port: int, root: Path) -> str:
    """Fast and throwaway (no fsync), on loopback only; WAL kept for a streaming standby."""
    return (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100 "
        "-c wal_level=replica -c max_wal_senders=4 -c max_replication_slots=4 "
        "-c hot_standby=on -c hot_standby_feedback=on -c wal_receiver_status_interval=1"
    )


def stop_server(pg_ctl: str, data: Path) -> None:
    subprocess.run(
        as_postgres_user([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def allow_replication(data: Path) -> None:
    """A replication role may stream from loopback (the primary's pg_hba.conf, before start)."""
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write(f"host replication {REPLICATION_ROLE} 127.0.0.1/32 trust\n")


@contextmanager
def streaming_replica(pg_ctl: str, root: Path, primary_port: int, log: Path) -> Iterator[str]:
    """A hot standby of the primary on ``primary_port``: the replication role and a slot (so the
    primary keeps the WAL the standby has not received), ``pg_basebackup -R`` (which writes
    ``standby.signal`` and ``primary_conninfo``), then the standby started on a free port."""
    bin_dir = Path(pg_ctl).parent
    psql, basebackup = str(bin_dir / "psql"), str(bin_dir / "pg_basebackup")
    for binary in (psql, basebackup):
        if not Path(binary).exists():
            raise FileNotFoundError(f"{binary}: needed for --replica, beside {pg_ctl}")
    data, server_log = root / "replica", root / "replica.log"
    port = free_port()
    run_quietly(
        as_postgres_user(
            [psql, "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres", "-d", "postgres",
             "-v", "ON_ERROR_STOP=1", "-c", f"CREATE ROLE {REPLICATION_ROLE} REPLICATION LOGIN"]
        ),
        log,
    )  # fmt: skip
    run_quietly(
        as_postgres_user(
            [basebackup, "-h", "127.0.0.1", "-p", str(primary_port), "-U", REPLICATION_ROLE,
             "-D", str(data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
             "-C", "-S", REPLICATION_SLOT]
        ),
        log,
    )  # fmt: skip
    started = False
    try:
        run_quietly(
            as_postgres_user(
                [pg_ctl, "-D", str(data), "-o", server_options(port, root), "-l", str(server_log),
                 "-w", "start"]
            ),
            log,
        )  # fmt: skip
        started = True
        print(f"Bản sao / streaming replica on 127.0.0.1:{port}", flush=True)
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError:
        print(server_log.read_text() if server_log.exists() else "", file=sys.stderr)
        raise
    finally:
        if started:
            stop_server(pg_ctl, data)


@contextmanager
def throwaway_cluster(initdb: str, pg_ctl: str, replica: bool = False) -> Iterator[dict[str, str]]:
    """The primary's address as ``MOTCUA_DATABASE_URL`` and, with ``replica``, its streaming
    standby's as ``MOTCUA_TEST_REPLICA_URL``."""
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
        allow_replication(data)
        options = server_options(port, root)
        run_quietly(
            as_postgres_user(
                [pg_ctl, "-D", str(data), "-o", options, "-l", str(server_log), "-w", "start"]
            ),
            log,
        )
        started = True
        print(f"PostgreSQL tạm / throwaway PostgreSQL on 127.0.0.1:{port} ({root})", flush=True)
        urls = {"MOTCUA_DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/postgres"}
        if not replica:
            yield urls
        else:
            with streaming_replica(pg_ctl, root, port, log) as replica_url:
                yield {**urls, "MOTCUA_TEST_REPLICA_URL": replica_url}
    except subprocess.CalledProcessError:
        for path in (log, server_log):
            print(path.read_text() if path.exists() else "", file=sys.stderr)
        raise
    finally:
        if started:
            stop_server(pg_ctl, data)
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(
            "usage: with_postgres.py [--replica [--route-reads]] -- COMMAND [ARGS...]",
            file=sys.stderr,
        )
        return 2
    options, command = argv[1 : argv.index("--")], argv[argv.index("--") + 1 :]
    unknown = set(options) - {"--replica", "--route-reads"}
    if unknown:
        print(f"unknown options: {' '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    replica = "--replica" in options or "--route-reads" in options
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
    with throwaway_cluster(initdb, pg_ctl, replica=replica) as urls:
        env = {**os.environ, **urls}
        if "--route-reads" in options:
            env["MOTCUA_DATABASE_REPLICA_URLS"] = urls["MOTCUA_TEST_REPLICA_URL"]
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
