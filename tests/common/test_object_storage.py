"""Files in an S3-compatible object store (decision 0017): configured from MOTCUA_S3_*, private,
one object per row. The document, PDF and tracking-book tests marked ``s3`` run the real flows
against the same local S3 server (moto, tests/s3_server.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from motcua.common.s3 import PrivateS3Storage
from motcua.common.storage import s3_storage_from_env
from tests.s3_server import S3Server


@pytest.fixture
def bucket(s3_server: S3Server, settings: Any) -> str:
    name = s3_server.bucket_create()
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage(name)}
    return name


def test_without_a_bucket_files_stay_in_the_local_folder() -> None:
    assert s3_storage_from_env({}) is None
    assert s3_storage_from_env({"MOTCUA_S3_BUCKET": "  "}) is None


def test_s3_variables_without_a_bucket_are_a_mistake_not_a_silent_local_folder() -> None:
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_S3_ENDPOINT_URL set without"):
        s3_storage_from_env({"MOTCUA_S3_ENDPOINT_URL": "http://127.0.0.1:9000"})


def test_a_key_without_its_secret_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="go together"):
        s3_storage_from_env({"MOTCUA_S3_BUCKET": "hs", "MOTCUA_S3_ACCESS_KEY_ID": "k"})


def test_the_environment_names_the_store() -> None:
    setting = s3_storage_from_env({
        "MOTCUA_S3_BUCKET": "motcua-hanoi", "MOTCUA_S3_ENDPOINT_URL": "https://s3.example.test",
        "MOTCUA_S3_ACCESS_KEY_ID": "k", "MOTCUA_S3_SECRET_ACCESS_KEY": "s",
        "MOTCUA_S3_REGION": "ap-southeast-1", "MOTCUA_S3_PREFIX": "/media/",
    })  # fmt: skip
    assert setting is not None
    assert setting["BACKEND"] == "motcua.common.s3.PrivateS3Storage"
    storage = PrivateS3Storage(**setting["OPTIONS"])
    assert (storage.bucket_name, storage.endpoint_url, storage.region_name, storage.location) == (
        "motcua-hanoi", "https://s3.example.test", "ap-southeast-1", "media",
    )  # fmt: skip
    # A custom endpoint (MinIO, Ceph, moto) is addressed by path; timeouts keep a stuck store
    # from holding a web worker: every attempt waiting its longest ends well inside gunicorn's
    # 30 s timeout (docs/production.md), so the person gets the 503 page, not a killed worker.
    config = storage.client_config
    assert config.s3 == {"addressing_style": "path"}
    attempts = config.retries["max_attempts"]
    assert (config.connect_timeout + config.read_timeout) * attempts + attempts <= 25


@pytest.mark.parametrize("option", ["default_acl", "file_overwrite", "querystring_auth"])
def test_what_keeps_files_private_cannot_be_configured_away(option: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=option):
        PrivateS3Storage(bucket_name="hs", **{option: "public-read"})


def test_stored_objects_are_private_and_links_expire(s3_server: S3Server, bucket: str) -> None:
    name = default_storage.save("dossiers/ab/abc", ContentFile(b"%PDF-1.4 private"))
    assert s3_server.keys(bucket) == ["dossiers/ab/abc"]
    grants = s3_server.client().get_object_acl(Bucket=bucket, Key=name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only
    assert all(g["Grantee"]["Type"] == "CanonicalUser" for g in grants)
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{s3_server.url}/{bucket}/{name}")
    assert anonymous.value.code == 403
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(default_storage.url(name)).query)
    assert query["X-Amz-Expires"] == ["60"]


def test_the_same_bytes_twice_are_two_objects_and_deleting_one_keeps_the_other(
    s3_server: S3Server, bucket: str
) -> None:
    first = default_storage.save("dossiers/ab/same", ContentFile(b"%PDF-1.4 same"))
    second = default_storage.save("dossiers/ab/same", ContentFile(b"%PDF-1.4 same"))
    assert first != second
    default_storage.delete(first)
    assert s3_server.keys(bucket) == [second]
    with default_storage.open(second) as kept:
        assert kept.read() == b"%PDF-1.4 same"


def test_a_missing_object_reads_as_a_missing_file(bucket: str) -> None:
    with pytest.raises(FileNotFoundError):
        default_storage.open("dossiers/ab/never-written")
    assert not default_storage.exists("dossiers/ab/never-written")


def test_settings_read_the_store_from_the_environment(s3_server: S3Server, tmp_path: Path) -> None:
    """What a web or worker process does when started with MOTCUA_S3_*: settings.py picks the
    store, and a file saved through the storage API lands in the bucket, not in var/media."""
    bucket = s3_server.bucket_create()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_"))}
    env.update(
        s3_server.env(bucket),
        MOTCUA_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="motcua.settings",
    )
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parents[2] / "src"), env.get("PYTHONPATH", "")]
    )
    script = (
        "import django; django.setup()\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage as s\n"
        "print(s.save('issued/aa/x.pdf', ContentFile(b'%PDF-1.4')))\n"
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert s3_server.keys(bucket) == ["issued/aa/x.pdf"]
    assert not (tmp_path / "media").exists()


def test_a_store_that_does_not_answer_is_told_apart_from_our_own_faults() -> None:
    from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

    from motcua.common.storage import store_unreachable

    def answered(status: int, code: str) -> ClientError:
        return ClientError(
            {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetObject"
        )

    assert store_unreachable(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    assert store_unreachable(ReadTimeoutError(endpoint_url="http://127.0.0.1:1"))
    assert store_unreachable(answered(503, "ServiceUnavailable"))
    assert store_unreachable(answered(400, "SlowDown"))
    assert not store_unreachable(answered(404, "NoSuchKey"))
    assert not store_unreachable(answered(403, "AccessDenied"))  # a setting to mend: a 500
    assert not store_unreachable(ValueError("ours"))
    assert not store_unreachable(ConnectionError("not the store's"))
