"""``{% extends %}`` without walking the whole parent template on every render.

Django's ``ExtendsNode`` looks for every ``{% block %}`` of the root template, through every
``if``, ``for`` and ``cache`` of it, each time a page that extends it is rendered: for our
``base.html`` fifteen lists walked per page, a tenth of the time Django takes to render a public
lookup (issue 12). The blocks of a compiled template do not change once it is compiled, so this
node finds them once per parent template and keeps them on it. Everything else is Django's
(``ExtendsNode`` is subclassed, so every check of Django's for an ``extends`` still finds it).

Loaded as a template builtin after Django's (``settings.TEMPLATES``), so it replaces
``extends`` in every template; ``tests/web/test_fast_templates.py`` compares pages rendered with it
and with Django's.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, TextNode, Token
from django.template.loader_tags import (
    BLOCK_CONTEXT_KEY,
    BlockContext,
    BlockNode,
    ExtendsNode,
    do_extends,
)

register = template.Library()
ROOT_BLOCKS = "_motcua_root_blocks"  # where a compiled parent keeps its blocks


class KeptBlocksExtendsNode(ExtendsNode):
    def render(self, context: Any) -> str:
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        block_context.add_blocks(root_blocks(compiled_parent))
        # As Django's: Template._render, so that the parser's context stays the same.
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)  # type: ignore[attr-defined]


def root_blocks(compiled_parent: Any) -> dict[str, BlockNode]:
    """The parent's blocks if it is the root (its first tag is not an ``extends``), else none:
    Django's rule, worked out once per compiled template."""
    kept = compiled_parent.__dict__.get(ROOT_BLOCKS)
    if kept is None:
        kept = {}
        for node in compiled_parent.nodelist:
            if not isinstance(node, TextNode):
                if not isinstance(node, ExtendsNode):
                    found = compiled_parent.nodelist.get_nodes_by_type(BlockNode)
                    kept = {block.name: block for block in found}
                break
        setattr(compiled_parent, ROOT_BLOCKS, kept)
    return kept


@register.tag("extends")
def do_kept_extends(parser: Parser, token: Token) -> ExtendsNode:
    node = do_extends(parser, token)
    node.__class__ = KeptBlocksExtendsNode  # the same node, with the render above
    return node
