"""A PostgreSQL cluster for the city bench, kept between runs in a folder (``var/bench-pg``).

Started on a free loopback port when it is not running; ``--reuse`` runs find it again with its
data. Same binaries and start-up as ``scripts/with_postgres.py`` (as the ``postgres`` user when
run as root), but durable: fsync and synchronous commit stay on, as in production.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from with_postgres import as_postgres_user, find_binary, free_port  # noqa: E402

# Production-like settings for a 2-core machine with a few GB for the database; JIT stays at
# PostgreSQL's default (on) so the baseline measures what a default install does.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "100",
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "work_mem": "16MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "4GB",
}


def cluster_url(folder: Path) -> str:
    """The cluster in ``folder`` (created and started as needed); its connection URL."""
    folder = folder.resolve()
    data = folder / "data"
    if not (data / "PG_VERSION").exists():
        cluster_create(folder, data)
    port_file = folder / "port"
    if not server_running(data):
        port = free_port()
        options = f"-p {port} -k {folder} " + " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        run([binary("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "server.log"),
             "-w", "start"])  # fmt: skip
        port_file.write_text(str(port))
    return f"postgres://postgres@127.0.0.1:{port_file.read_text().strip()}/postgres"


def server_running(data: Path) -> bool:
    """Asked of pg_ctl, not read from postmaster.pid: a machine that stopped without shutting
    the server down leaves that file behind with no server (pg_ctl start then removes it)."""
    status = subprocess.run(as_postgres_user([binary("pg_ctl"), "-D", str(data), "status"]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return status.returncode == 0


def cluster_stop(folder: Path) -> None:
    data = folder.resolve() / "data"
    if server_running(data):
        run([binary("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])


def cluster_create(folder: Path, data: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres", group="postgres")
    folder.chmod(0o700)
    run([binary("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--locale=C.UTF-8"])  # fmt: skip


def binary(name: str) -> str:
    found = find_binary(name)
    if found is None:
        raise SystemExit(f"PostgreSQL server binary {name} not found (Debian: postgresql)")
    return found


def run(command: list[str]) -> None:
    subprocess.run(as_postgres_user(command), check=True, stdout=subprocess.DEVNULL)


def database_url(folder: Path, database: str) -> str:
    """The URL of ``database`` in the cluster in ``folder``, both created and started as needed."""
    import psycopg

    url = cluster_url(folder)
    with psycopg.connect(url, autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{database}"')
    return url.rsplit("/", 1)[0] + "/" + database


if __name__ == "__main__":
    # `.venv/bin/python bench/pgcluster.py --database NAME` prints that database's URL, for
    # benches that read MOTCUA_DATABASE_URL (e.g. bench/bundles_bench.py's year in sittings).
    import argparse

    parser = argparse.ArgumentParser(description="Start the bench cluster; print a database URL.")
    parser.add_argument("--database", default="postgres")
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "bench-pg")
    options = parser.parse_args()
    print(database_url(options.folder, options.database))
