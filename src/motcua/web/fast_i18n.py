"""``{% translate "…" %}`` of Django's ``i18n`` template library, a fixed text kept once per
language.

Our pages write most of their words as ``{% translate "literal" %}``: a public lookup's answer a
dozen times, a worklist page many more. Each one asks Django for the active translation through
its per-request local storage, looks the text up in the catalogue and hands the result to the
escaping: a fifth of the time Django takes to render a public lookup (issue 12). The answer depends on
nothing but the language (a text written in the template is safe, so Django never escapes it,
nor its translation), so a tag whose message is a fixed text, with no filter, no ``as``, no
``context`` and no ``noop``, keeps it per language in the node. Every other form of the tag,
and every other tag and filter of the library, is Django's own.

Installed into Django's own ``i18n`` library when the apps are ready (``WebConfig.ready``, as
``common.choice_labels`` installs its method), so that every ``{% load i18n %}`` gets it:
registering a second library under the name ``i18n`` is what Django's checks warn against
(templates.W003). ``tests/web/test_fast_templates.py`` renders the tag's forms with it and with
Django's own (``DJANGO_TAGS``) and compares them.
"""

from __future__ import annotations

import weakref
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Node, Parser, Token
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

# Django's compile functions of the tag, before ``install``.
DJANGO_TAGS = {name: django_i18n.register.tags[name] for name in ("translate", "trans")}

# Every node made here, so that a change of the languages or catalogues (tests) forgets them;
# weakly, so that templates compiled again and again (no cached loader) are not kept alive.
_NODES: weakref.WeakSet[FixedTranslateNode] = weakref.WeakSet()


class FixedTranslateNode(Node):
    """``{% translate "fixed text" %}``: Django's node rendered once per language."""

    child_nodelists = ()

    def __init__(self, node: django_i18n.TranslateNode) -> None:
        self.node = node
        self.rendered: dict[str | None, str] = {}
        _NODES.add(self)

    def render(self, context: Any) -> str:
        language = get_language()
        found = self.rendered.get(language)
        if found is None:
            found = self.rendered[language] = self.node.render(context)
        return found


def fixed(node: django_i18n.TranslateNode) -> bool:
    """The tag's message is a literal text, rendered as it is (nothing depends on the context)."""
    expression = node.filter_expression
    return (
        not node.noop
        and node.asvar is None
        and node.message_context is None
        and not expression.filters
        and getattr(expression.var, "literal", None) is not None
        and getattr(expression.var, "lookups", None) is None
    )


def do_translate(parser: Parser, token: Token) -> Node:
    node = DJANGO_TAGS["translate"](parser, token)
    return FixedTranslateNode(node) if fixed(node) else node


def install() -> None:
    """``{% translate %}`` and ``{% trans %}`` of Django's ``i18n`` library become this one's."""
    for name in DJANGO_TAGS:
        django_i18n.register.tags[name] = do_translate


@receiver(setting_changed)
def rendered_forget(*, setting: str, **kwargs: Any) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        for node in _NODES:
            node.rendered.clear()
