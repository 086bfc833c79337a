"""``{% page_layout %}``: a Django page in the layout written once, for Jinja2 (decision 0044).

``base.html`` is this tag around its two blocks::

    {% page_layout %}{% block title %}…{% endblock %}{% page_content %}{% block content %}{% endblock %}{% end_page_layout %}

The blocks render as Django renders them (a page's own blocks replace them, ``block.super``
included); the layout (``layout.jinja``) then writes the frame around them from the page's
context, as ``base.html`` wrote it before: the person, their messages, the form token.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.template.base import Node, NodeList, Parser, Token
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString

from motcua.web.context_processors import site_without_request

register = template.Library()
LAYOUT = "layout.jinja"
# What the layout reads of a Django page's context (its context processors' names).
FROM_CONTEXT = ("request", "user", "user_is_officer", "brand_name", "embedded_mode", "messages")


class PageLayoutNode(Node):
    child_nodelists = ("title", "content")  # where ``extends`` finds the blocks

    def __init__(self, title: NodeList, content: NodeList) -> None:
        self.title = title
        self.content = content

    def render(self, context: Any) -> str:
        values = site_without_request()
        values.update((name, context[name]) for name in FROM_CONTEXT if name in context)
        # Django's output is marked safe (``__html__``), which Jinja2 writes as it is.
        values.update(
            page_title=self.title.render(context),
            page_content=self.content.render(context),
            csrf_input=CsrfTokenNode().render(context),  # what ``{% csrf_token %}`` wrote
        )
        return jinja_template(LAYOUT).render(values)


def jinja_template(name: str) -> Any:
    """A compiled Jinja2 template, for the request's language (``web.jinja.Jinja2``; Jinja2
    keeps it, Django's engine list is read once)."""
    return engines["jinja2"].env_now().get_template(name)  # type: ignore[attr-defined]


@register.tag("page_layout")
def do_page_layout(parser: Parser, token: Token) -> PageLayoutNode:
    title = parser.parse(("page_content",))
    parser.delete_first_token()
    content = parser.parse(("end_page_layout",))
    parser.delete_first_token()
    return PageLayoutNode(title, content)


@register.simple_tag(takes_context=True)
def jinja_include(context: Any, name: str, **values: Any) -> SafeString:
    """A Jinja2 part in a Django page, with the page's context and ``values``, as
    ``{% include name with … %}`` would render a Django one."""
    names = context.flatten()
    names.update(values)
    # Escaped by Jinja2's autoescape as it wrote it.
    return SafeString(jinja_template(name).render(names))
