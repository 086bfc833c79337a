"""Where files live (docs/decisions/0017-object-storage-and-one-scheduler.md).

The embedded default keeps files in the local media folder. With ``MOTCUA_S3_BUCKET`` set, every
file (dossier documents, drafts, issued PDFs, tracking books) goes to an S3-compatible object
store through django-storages, so that several servers share them. Either way the code only
speaks Django's storage API (``FieldFile``, ``default_storage``); files are private and are
downloaded through our views, after the permission check, never from the store directly.

This module is imported by ``settings.py``: it must not import models, Django's settings or boto3.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# boto3 is imported only by processes that use the store (it weighs some 35 MB and a second).
S3_BACKEND = "motcua.common.s3.PrivateS3Storage"
# The variables that configure the object store; any of them without a bucket is a mistake.
S3_VARIABLES = (
    "MOTCUA_S3_BUCKET",
    "MOTCUA_S3_ENDPOINT_URL",
    "MOTCUA_S3_ACCESS_KEY_ID",
    "MOTCUA_S3_SECRET_ACCESS_KEY",
    "MOTCUA_S3_REGION",
    "MOTCUA_S3_PREFIX",
    "MOTCUA_S3_ADDRESSING_STYLE",
    "MOTCUA_S3_CA_BUNDLE",
)


def s3_options(
    *, bucket: str, endpoint_url: str = "", access_key: str = "", secret_key: str = "",
    region: str = "", prefix: str = "", addressing_style: str = "", ca_bundle: str = "",
) -> dict[str, Any]:  # fmt: skip
    """The OPTIONS of ``PrivateS3Storage``. Empty keys leave boto3's own credential chain
    (an instance role, ``AWS_*`` variables); a custom endpoint defaults to path-style addressing,
    which S3-compatible stores (MinIO, Ceph, Garage, moto) expect."""
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "MOTCUA_S3_ACCESS_KEY_ID and MOTCUA_S3_SECRET_ACCESS_KEY go together."
        )
    style = addressing_style or ("path" if endpoint_url else "auto")
    if style not in {"path", "virtual", "auto"}:
        raise ImproperlyConfigured(
            f"MOTCUA_S3_ADDRESSING_STYLE must be path, virtual or auto, got {style!r}"
        )
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "location": prefix.strip("/"),
        "addressing_style": style,
    }
    if ca_bundle:
        options["verify"] = ca_bundle
    return options


def s3_storage_from_env(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The ``STORAGES["default"]`` entry for the object store, or None (the local folder) when
    ``MOTCUA_S3_BUCKET`` is empty."""
    value = {name: environ.get(name, "").strip() for name in S3_VARIABLES}
    if not value["MOTCUA_S3_BUCKET"]:
        stray = [name for name, given in value.items() if given]
        if stray:
            raise ImproperlyConfigured(
                f"{', '.join(stray)} set without MOTCUA_S3_BUCKET: set the bucket too, or unset "
                "them to keep files in the local media folder."
            )
        return None
    options = s3_options(
        bucket=value["MOTCUA_S3_BUCKET"], endpoint_url=value["MOTCUA_S3_ENDPOINT_URL"],
        access_key=value["MOTCUA_S3_ACCESS_KEY_ID"], secret_key=value["MOTCUA_S3_SECRET_ACCESS_KEY"],
        region=value["MOTCUA_S3_REGION"], prefix=value["MOTCUA_S3_PREFIX"],
        addressing_style=value["MOTCUA_S3_ADDRESSING_STYLE"], ca_bundle=value["MOTCUA_S3_CA_BUNDLE"],
    )  # fmt: skip
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


# botocore's exceptions for a store that did not answer (refused, timed out, cut off), named
# rather than imported: this module must not import boto3 (above).
UNREACHABLE = frozenset(
    {"botocore.exceptions.ConnectionError", "botocore.exceptions.HTTPClientError"}
)


def store_unreachable(error: BaseException) -> bool:
    """The object store did not answer, or answered that it cannot now (5xx, "slow down"):
    a passing fault to tell the person about, not a fault of ours (decision 0017)."""
    kinds = {f"{kind.__module__}.{kind.__qualname__}" for kind in type(error).__mro__}
    if kinds & UNREACHABLE:
        return True
    if "botocore.exceptions.ClientError" not in kinds:
        return False
    answer = getattr(error, "response", None) or {}
    status = answer.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    return status >= 500 or answer.get("Error", {}).get("Code") in {"SlowDown", "RequestTimeout"}
