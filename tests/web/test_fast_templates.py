"""``web.fast_i18n`` and ``fast_extends`` render exactly what Django's own tags render: every
form of ``{% translate %}`` in both languages, inheritance on three levels, and real pages of
the site."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Engine, engines
from django.template.base import Template
from django.utils import translation

from motcua.web.fast_i18n import FixedTranslateNode
from motcua.web.templatetags.fast_extends import KeptBlocksExtendsNode

# The site's engine as settings make it, and the same with Django's ``i18n`` and ``extends``.
SITE = engines["django"].engine  # type: ignore[attr-defined]
OURS: dict[str, Any] = {"builtins": SITE.builtins, "libraries": SITE.libraries}
DJANGO: dict[str, Any] = {
    "builtins": [name for name in SITE.builtins if not name.endswith("fast_extends")],
    "libraries": {**SITE.libraries, "i18n": "tests.web.stock_i18n"},
}

TRANSLATIONS = {
    "fixed": '{% load i18n %}{% translate "Tra cứu hồ sơ" %}|{% trans "Đăng nhập" %}',
    "quotes": "{% load i18n %}{% translate 'Mã hồ sơ:' %} {% translate \"a < b & 'c'\" %}",
    "percent": '{% load i18n %}{% translate "100%% đúng hạn" %}',
    "variable": "{% load i18n %}{% translate word %}",
    "filtered": '{% load i18n %}{% translate "Tra cứu hồ sơ"|upper %}',
    "as": '{% load i18n %}{% translate "Thủ tục" as label %}[{{ label }}]',
    "noop": '{% load i18n %}{% translate "Thủ tục" noop %}',
    "context": '{% load i18n %}{% translate "Thủ tục" context "menu" %}',
    "autoescape off": '{% load i18n %}{% autoescape off %}{% translate "a < b" %}{% endautoescape %}',
    "in a loop": '{% load i18n %}{% for x in items %}{% translate "Hẹn trả" %}{{ x }};{% endfor %}',
    "block": "{% load i18n %}{% blocktranslate with n=count %}{{ n }} hồ sơ{% endblocktranslate %}",
}

LAYOUTS = {
    "root.html": (
        "<title>{% block title %}Gốc{% endblock %}</title>"
        "{% if on %}{% block top %}trên{% endblock %}{% endif %}"
        "{% for i in items %}{% block row %}[{{ i }}]{% endblock %}{% endfor %}"
        "{% block content %}nội dung gốc{% endblock %}"
    ),
    "middle.html": (
        '{% extends "root.html" %}{% block title %}Giữa · {{ block.super }}{% endblock %}'
        "{% block content %}<main>{% block inner %}giữa{% endblock %}</main>{% endblock %}"
    ),
    "leaf.html": (
        '{% extends "middle.html" %}{% block inner %}lá, {{ block.super }}{% endblock %}'
        '{% block top %}{% include "part.html" %}{% endblock %}'
    ),
    "part.html": "phần {{ on }}",
    "direct.html": '{% extends "root.html" %}{% block row %}<{{ i }}>{% endblock %}',
}


def engine(options: dict[str, Any], templates: dict[str, str]) -> Engine:
    loader = ("django.template.loaders.locmem.Loader", templates)
    return Engine(loaders=[("django.template.loaders.cached.Loader", [loader])], **options)


def rendered(options: dict[str, Any], templates: dict[str, str], name: str, **values: Any) -> str:
    return engine(options, templates).get_template(name).render(Context(values))


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("name", list(TRANSLATIONS))
def test_every_form_of_translate_renders_as_django_s(name: str, language: str) -> None:
    values = {"word": "Thủ tục", "items": [1, 2], "count": 3}
    with translation.override(language):
        ours = [rendered(OURS, TRANSLATIONS, name, **values) for _ in range(2)]  # kept, then reused
        django = rendered(DJANGO, TRANSLATIONS, name, **values)
    assert ours == [django, django]


def test_the_languages_do_not_share_what_is_kept() -> None:
    kept = engine(OURS, TRANSLATIONS).get_template("fixed")
    with translation.override("en"):
        english = kept.render(Context())
    with translation.override("vi"):
        vietnamese = kept.render(Context())
    assert vietnamese == "Tra cứu hồ sơ|Đăng nhập"
    assert english != vietnamese


def nodes(template: Template, kind: type) -> list[Any]:
    return template.nodelist.get_nodes_by_type(kind)


def test_only_fixed_texts_are_kept() -> None:
    """Not a vacuous comparison: the fixed forms do take the kept path, the others do not."""
    ours = engine(OURS, TRANSLATIONS)
    kept = {name: len(nodes(ours.get_template(name), FixedTranslateNode)) for name in TRANSLATIONS}  # fmt: skip
    assert kept == {
        "fixed": 2, "quotes": 2, "percent": 1, "variable": 0, "filtered": 0, "as": 0, "noop": 0,
        "context": 0, "autoescape off": 1, "in a loop": 1, "block": 0,
    }  # fmt: skip


@pytest.mark.parametrize("name", ["leaf.html", "middle.html", "direct.html", "root.html"])
@pytest.mark.parametrize("on", [True, False])
def test_inheritance_renders_as_django_s(name: str, on: bool) -> None:
    values = {"on": on, "items": ["a", "b"]}
    ours = engine(OURS, LAYOUTS)
    first, again = (ours.get_template(name).render(Context(values)) for _ in range(2))
    assert first == again == rendered(DJANGO, LAYOUTS, name, **values)
    if name != "root.html":
        assert nodes(ours.get_template(name), KeptBlocksExtendsNode)


PAGES = {
    "portal/sign_up.html": {},
    "400.html": {"reason": "NUL", "reason_en": "NUL"},
}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_the_site_s_pages_render_as_with_django_s_tags(page: str, language: str) -> None:
    def site(options: dict[str, Any]) -> str:
        site_engine = Engine(app_dirs=True, **options)
        return site_engine.get_template(page).render(Context(PAGES[page]))

    with translation.override(language):
        assert site(OURS) == site(DJANGO)


def test_the_site_uses_these_tags() -> None:
    """Settings install them: ``extends`` from the builtins, ``translate`` from ``i18n``."""
    page = SITE.get_template("portal/sign_up.html")
    assert isinstance(page.nodelist[0], KeptBlocksExtendsNode)
    assert nodes(page, FixedTranslateNode)
