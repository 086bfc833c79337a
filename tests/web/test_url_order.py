"""No route hides another: a path made for each route (its converters filled with sample
values) reaches that route's own view. The order of ``motcua.urls`` then chooses only how fast a
path is found (the public lookup comes early), never which view answers it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

SAMPLES = {"str": "R1", "int": "7", "slug": "mau-1", "uuid": str(uuid.UUID(int=5)), "path": "a/b"}
# Paths two routes answer on purpose: the admin's sign-in page sends to the one sign-in page;
# the JSON API's reads and writes of one collection are one path (told apart by the method).
MEANT = {
    "/quan-tri/login/": "motcua.urls.admin_sign_in",
    "/api/v1/dossiers": "api-v1:dossier_list",
    "/api/v1/bundles": "api-v1:bundle_create",
}


def filled(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


def routes(
    patterns: list[URLPattern | URLResolver], prefix: str
) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue  # Django's admin's regular expressions, under their own prefix
        path = prefix + filled(str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, path)
        else:
            yield "/" + path, pattern


def test_every_route_is_reached_by_its_own_paths() -> None:
    resolver = get_resolver()
    hidden = {}
    found = list(routes(resolver.url_patterns, ""))
    for path, route in found:
        match = resolver.resolve(path)
        if match.func is not route.callback and MEANT.get(path) != match.view_name:
            hidden[path] = (route.name, match.view_name)
    assert len(found) > 300
    assert hidden == {}


def test_the_public_lookup_is_resolved_before_the_other_apps_pages() -> None:
    patterns = get_resolver().url_patterns
    included = [
        getattr(pattern.urlconf_module, "__name__", "a list")
        for pattern in patterns
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == ""
    ]
    assert included[1] == "motcua.portal.urls"  # after the sign-in pages only
