"""The S3-compatible object store behind Django's storage API (decision 0017), loaded only by
processes configured with ``MOTCUA_S3_BUCKET`` (see ``storage.py``)."""

from __future__ import annotations

from typing import Any

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage


def s3_client_config(*, addressing_style: str) -> Config:
    """Timeouts and retries suited to a request, the addressing the store wants, and checksums
    only where S3 requires them (newer botocore sends CRC32 trailers that some S3-compatible
    stores refuse). A stuck store must give up inside gunicorn's 30 s timeout: two attempts of
    at most 2 + 8 s (and the backoff between them) end in the 503 page, where four of 5 + 30 s
    had gunicorn kill the worker mid-request (a helper froze the store: 30 s, then a bare 500).
    8 s is the wait for an answer, not for a whole upload: S3 answers a PUT once it has it."""
    return Config(
        signature_version="s3v4",
        s3={"addressing_style": addressing_style},
        connect_timeout=2,
        read_timeout=8,
        retries={"max_attempts": 2, "mode": "standard"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


# What makes the store private and safe to share: not for a deployment to change.
FIXED = {"default_acl", "file_overwrite", "querystring_auth", "querystring_expire", "custom_domain"}


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend with the choices Một Cửa needs (options cannot change them):

    - no ACL is ever sent: objects are as private as the bucket (which must not be public);
    - a name already taken gets another (Django's rule, as in the local folder), so that two
      rows never share one object and deleting one file never deletes another's;
    - ``url()`` (used by nothing of ours) is a presigned link valid one minute, never a public one;
    - a file being read is buffered in memory up to 2 MB, then in a temporary file.
    """

    default_acl = None
    file_overwrite = False
    querystring_auth = True
    querystring_expire = 60
    max_memory_size = 2 * 1024 * 1024

    def __init__(self, **options: Any) -> None:
        fixed = sorted(FIXED & options.keys())
        if fixed:
            raise ImproperlyConfigured(f"PrivateS3Storage does not take {', '.join(fixed)}.")
        if options.get("client_config") is None:
            style = options.get("addressing_style") or "auto"
            options["client_config"] = s3_client_config(addressing_style=style)
        super().__init__(**options)
