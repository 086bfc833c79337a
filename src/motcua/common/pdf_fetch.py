"""What WeasyPrint may read while it renders a PDF: our own static files, nothing else.

A template, or a value placed in one, may name a URL (an image, a stylesheet, a font). The
default fetcher would open it: an outside server learns who prints what and when, and a
``file://`` path could put any file of the machine into a PDF handed to an applicant. The
fetcher here serves only files of the project's static directories (``STATIC_ROOT`` and the
apps' ``static`` folders, by their path relative to ``STATIC_ROOT``, the documents' base URL)
and small ``data:`` URLs; anything else is refused without being opened, and WeasyPrint leaves
the resource out.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

DATA_MAX = 256 * 1024  # characters of a data: URL


class RefusedURL(ValueError):
    """The renderer asked for something that is not one of our static files."""


def static_base_url() -> str:
    return Path(settings.STATIC_ROOT).resolve().as_uri() + "/"


def static_path(url: str) -> Path | None:
    """The static file a ``file:`` URL names, if it names one below ``STATIC_ROOT``."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    root = Path(settings.STATIC_ROOT).resolve()
    asked = Path(unquote(parts.path)).resolve()
    if not asked.is_relative_to(root) or asked == root:
        return None
    relative = asked.relative_to(root).as_posix()
    if asked.is_file():
        return asked
    found = finders.find(relative)
    return Path(found).resolve() if isinstance(found, str) else None


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, **kwargs)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            if len(url) > DATA_MAX:
                raise RefusedURL("data: URL too large")
            return super().fetch(url, headers)
        path = static_path(url)
        if path is None:
            log.warning("pdf: refused to fetch %s (not one of our static files)", url[:200])
            raise RefusedURL(f"not one of our static files: {url[:200]}")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})


def html_to_pdf(html: str) -> bytes:
    """The PDF of ``html``; relative URLs are our static files, nothing outside is fetched."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=static_base_url(), url_fetcher=StaticOnlyFetcher())
    return bytes(document.write_pdf())
