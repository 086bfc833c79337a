"""PDF rendering reads our static files and nothing else: no outside URL is ever opened."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.template import Context, Template

from motcua.common.pdf_fetch import DATA_MAX, RefusedURL, StaticOnlyFetcher, static_base_url
from motcua.dossiers.legal_forms import html_to_pdf


@pytest.fixture
def outside() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server standing for the outside world; it records every request."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_a_template_value_naming_an_outside_url_is_not_fetched(
    outside: tuple[str, list[str]],
) -> None:
    base, hits = outside
    template = Template(
        '<img src="{{ logo }}"><link rel="stylesheet" href="{{ style }}">'
        '<p style="background: url({{ logo }}?bg)">{{ name }}</p><img src="file:///etc/passwd">'
    )
    html = template.render(
        Context({"logo": f"{base}/logo.png", "style": f"{base}/x.css", "name": "A"})
    )
    assert html_to_pdf(html).startswith(b"%PDF")
    assert hits == []


def test_only_our_static_files_and_small_data_are_served() -> None:
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(static_base_url() + "motcua/site.css")
    assert css.read()  # an app's static file, found whether or not collectstatic ran
    css.close()
    for url in (
        static_base_url() + "../settings.py",
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.invalid/x.css",
        "data:text/plain," + "a" * DATA_MAX,
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
