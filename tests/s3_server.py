"""A local S3 server for tests: moto's server mode, a real HTTP server on a free loopback port, in
a process of its own (so web and worker processes started by a test reach it like any store).

    from tests.s3_server import s3_server_start

    server = s3_server_start()
    server.url                         # http://127.0.0.1:<port>
    bucket = server.bucket_create()    # a new private bucket
    server.env(bucket)                 # the MOTCUA_S3_* variables for a subprocess (web, worker)
    server.storage(bucket)             # STORAGES["default"] for this process (settings fixture)
    server.keys(bucket)                # what the bucket holds (boto3, over HTTP)
    server.stop()

In pytest, the session fixture ``s3_server`` (tests/conftest.py) starts one server, the first time
a test asks for it. Run this file to start one by hand: it prints the port, then serves until its
standard input closes.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any

ACCESS_KEY = "motcua-test-key"
SECRET_KEY = "motcua-test-secret"  # moto accepts any; a real store checks them
REGION = "ap-southeast-1"


@dataclass
class S3Server:
    url: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION
    process: subprocess.Popen[str] | None = field(default=None, repr=False)

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.url, region_name=self.region,
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
        )  # fmt: skip

    def bucket_create(self, name: str = "") -> str:
        name = name or f"motcua-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region}
        )
        return name

    def env(self, bucket: str) -> dict[str, str]:
        """What ``settings.py`` reads to use this server (docs/production.md, "Object storage")."""
        return {
            "MOTCUA_S3_ENDPOINT_URL": self.url,
            "MOTCUA_S3_BUCKET": bucket,
            "MOTCUA_S3_ACCESS_KEY_ID": self.access_key,
            "MOTCUA_S3_SECRET_ACCESS_KEY": self.secret_key,
            "MOTCUA_S3_REGION": self.region,
        }

    def storage(self, bucket: str) -> dict[str, Any]:
        """``STORAGES["default"]`` exactly as ``settings.py`` builds it from ``env(bucket)``."""
        from motcua.common.storage import s3_storage_from_env

        setting = s3_storage_from_env(self.env(bucket))
        assert setting is not None
        return setting

    def keys(self, bucket: str) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # the server's signal to stop
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def s3_server_start() -> S3Server:
    """Start moto's S3 server in a new process on a free loopback port and return it once it
    listens. It stops with ``stop()``, or by itself when this process ends (its stdin closes)."""
    # -P: the tests folder (this file's) must not shadow packages moto imports.
    process = subprocess.Popen(
        [sys.executable, "-P", __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()  # "port <n>" once listening
    if not line.startswith("port "):
        process.kill()
        raise RuntimeError(f"moto's S3 server did not start (said {line!r})")
    server = S3Server(url=f"http://127.0.0.1:{int(line.split()[1])}", process=process)
    server.client().list_buckets()  # answers over HTTP before anyone uses it
    return server


def serve() -> None:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(f"port {server.get_host_and_port()[1]}", flush=True)
    try:
        sys.stdin.read()  # until the parent closes it or dies
    finally:
        server.stop()


if __name__ == "__main__":
    serve()
