"""The Jinja2 environment of the page layout and of the hot public pages (decision 0044).

Django's template language spends 10–20 µs on each variable, tag and filter: the page chrome and
a public lookup's answer cost 1.2 ms of its 2.5 ms in process (issue 12). The same page written
for Jinja2, which compiles a template to Python, costs half. The layout (``layout.jinja``) exists
once, in Jinja2: Django's ``base.html`` hands it the blocks its pages fill (``page_layout``), and
a Jinja2 page extends it directly.

What the templates call, written for speed and for the meanings Django's tags have:

- ``_("text")``: Django's ``gettext`` in the active language, kept per language (the catalogs do
  not change while a process runs; they are forgotten when a test changes the languages).
  ``make messages`` reads these calls as Django's ``makemessages`` reads ``{{ _("…") }}``, so a
  placeholder is filled with ``%``: ``_("số %(ref)s") % {"ref": ref}``.
- ``url(name, *args, **kwargs)``: ``reverse``; the URL of a name without arguments is kept.
- Either called with written text only is compiled as a filter (``FixedArgumentCalls``): the
  same meaning, without Jinja2's inspection of the function on every call. The engine
  (``Jinja2``) compiles each template once per language and script prefix, and there Jinja2
  works these filters out at compile time: the page holds the text, escaped, as its own.
- ``static(path)``: the static file's URL, kept per path.
- ``date`` filter: Django's ``date`` (``fast_dates``), of the time in Hà Nội.
- ``htmx_script()``: django-htmx's ``htmx_script`` tag (kept: it depends on settings only).
"""

from __future__ import annotations

import datetime
import functools
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import jinja2
import jinja2.ext
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.backends import jinja2 as django_jinja2
from django.templatetags.static import static as static_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django_htmx.jinja import htmx_script as htmx_script_tag

from motcua.web.templatetags.fast_dates import date as date_text

_TRANSLATED: dict[str | None, dict[str, str]] = {}
# Settings whose change (in tests) changes what the kept values would be.
LANGUAGE_SETTINGS = frozenset({"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "USE_I18N"})
URL_SETTINGS = frozenset({"ROOT_URLCONF", "FORCE_SCRIPT_NAME"})
OURS = ("autoescape", "undefined")  # the environment's own, whatever Django's backend passes
STATIC_SETTINGS = frozenset({"STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS"})


def environment(**options: Any) -> jinja2.Environment:
    # Escaped always; a misspelt name is an error, not an empty text (optional names say
    # ``is defined``).
    options = {name: value for name, value in options.items() if name not in OURS}
    extensions = [*options.pop("extensions", ()), FixedArgumentCalls]
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, extensions=extensions, **options
    )
    env.globals.update(
        _=translated, url=url, static=static, htmx_script=htmx_script,
        current_language=translation.get_language, language_codes=language_codes,
    )  # fmt: skip
    env.filters.update(
        date=local_date, **{FIXED_CALLS["_"]: fixed_text, FIXED_CALLS["url"]: fixed_url}
    )
    return env


# ``_("text")`` and ``url("name")``, a function called with one written text, are compiled as
# filters of that text: Jinja2 calls a filter directly, a function through ``Context.call``,
# which inspects it on each call (about 2 µs: a page's 25 texts and 11 links were a fifth of
# rendering the public lookup's answer). The filters take the context so that Jinja2 never
# works them out once at compile time: the language and the script prefix are the request's.
FIXED_CALLS = {"_": "fixed_text", "url": "fixed_url"}


class FixedArgumentCalls(jinja2.ext.Extension):
    """Rewrites ``NAME ( "text" )`` as ``( "text" | FILTER )`` for the names of ``FIXED_CALLS``,
    at the tokens (an attribute ``x._("…")``, a filter ``x|url("…")`` or a call with other
    arguments is left as is).
    The names are the environment's: no template binds ``_`` or ``url`` to anything else."""

    def filter_stream(self, stream: jinja2.lexer.TokenStream) -> Iterator[jinja2.lexer.Token]:
        tokens = list(stream)  # a template's tokens: read whole to look ahead
        at = 0
        while at < len(tokens):
            token = tokens[at]
            texts = fixed_texts(tokens, at)
            if texts is None:
                yield token
                at += 1
                continue
            # In parentheses, so that what follows applies to the whole, as it did to the call:
            # ``_("…").upper()``, ``url("…")[1:]``, ``x is sameas url("…")``.
            line = token.lineno
            yield jinja2.lexer.Token(line, "lparen", "(")
            yield from texts
            yield jinja2.lexer.Token(line, "pipe", "|")
            yield jinja2.lexer.Token(line, "name", FIXED_CALLS[token.value])
            yield jinja2.lexer.Token(line, "rparen", ")")
            at += len(texts) + 3  # the name, both parentheses and the texts


def fixed_texts(tokens: list[jinja2.lexer.Token], at: int) -> list[jinja2.lexer.Token] | None:
    """The written texts of the call opened at ``at`` if it is one to rewrite (adjacent texts
    are one text, as Jinja2 reads them), else None."""
    name = tokens[at]
    if name.type != "name" or name.value not in FIXED_CALLS:
        return None
    if at and tokens[at - 1].type in ("dot", "pipe"):  # an attribute, or a filter of that name
        return None
    if at + 1 >= len(tokens) or tokens[at + 1].type != "lparen":
        return None
    end = at + 2
    while end < len(tokens) and tokens[end].type == "string":
        end += 1
    if end == at + 2 or end >= len(tokens) or tokens[end].type != "rparen":
        return None
    return tokens[at + 2 : end]


def translated(text: str) -> str:
    language = translation.get_language()
    kept = _TRANSLATED.get(language)
    if kept is None:
        kept = _TRANSLATED[language] = {}
    found = kept.get(text)
    if found is None:
        found = kept[text] = translation.gettext(text)
    return found


@jinja2.pass_context
def fixed_text(_context: jinja2.runtime.Context, text: str) -> str:
    return translated(text)


@jinja2.pass_context
def fixed_url(_context: jinja2.runtime.Context, name: str) -> str:
    return url(name)


def text_in(language: str | None, text: str) -> str:
    """``translated`` in ``language``, whatever is active."""
    with translation.override(language):
        return translated(text)


def url_under(prefix: str, urlconf: str | None, name: str) -> str:
    """``url(name)`` as a request under this script prefix and URLconf gets it (its overlay is
    only ever compiled in such a request, which is when Jinja2 works this out)."""
    return plain_url(name, prefix, urlconf)


Key = tuple[str | None, str, Any]
OVERLAYS = 8  # two languages under one prefix in production; tests use a few prefixes


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 engine, each template compiled once per language, script prefix and
    URLconf (decision 0044, "Later … session 43"). In the overlay of the environment for that
    triple, ``fixed_text`` and ``fixed_url`` are plain functions of their written text, so
    Jinja2 works out ``_("text")`` and ``url("name")`` when it compiles the template and writes
    the escaped result into it as it writes the template's own text: a page no longer looks up
    its fixed texts and links, nor escapes them, on every render. ``self.env`` keeps the filters
    that ask at render time (``from_string``, and any code that holds the environment)."""

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.fixed: OrderedDict[Key, jinja2.Environment] = OrderedDict()
        LIVE.add(self)

    def env_now(self) -> jinja2.Environment:
        """The environment for the active language, script prefix and URLconf: the last
        ``OVERLAYS`` kept (a proxy that passes on a client's ``SCRIPT_NAME`` would otherwise
        have every new prefix compile the templates again and keep them, without end)."""
        key = (translation.get_language(), get_script_prefix(), get_urlconf())
        env = self.fixed.get(key)
        if env is None:
            env = self.fixed[key] = fixed_overlay(self.env, key)
            while len(self.fixed) > OVERLAYS:
                self.fixed.popitem(last=False)
        else:
            self.fixed.move_to_end(key)
        return env

    def get_template(self, template_name: str) -> django_jinja2.Template:
        # Django's errors, as its engine raises them from its own environment.
        try:
            return django_jinja2.Template(self.env_now().get_template(template_name), self)
        except jinja2.TemplateNotFound as exc:
            raise TemplateDoesNotExist(str(exc.name), backend=self) from exc
        except jinja2.TemplateSyntaxError as exc:
            error = TemplateSyntaxError(exc.args)
            error.template_debug = django_jinja2.get_exception_info(exc)  # type: ignore[attr-defined, arg-type]
            raise error from exc


def fixed_overlay(base: jinja2.Environment, key: Key) -> jinja2.Environment:
    language, prefix, urlconf = key
    env = base.overlay()
    env.filters = {
        **base.filters,
        FIXED_CALLS["_"]: functools.partial(text_in, language),
        FIXED_CALLS["url"]: functools.partial(url_under, prefix, urlconf),
    }
    return env


LIVE: weakref.WeakSet[Jinja2] = weakref.WeakSet()


def url(name: str, *args: Any, **kwargs: Any) -> str:
    if args or kwargs:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    return plain_url(name, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=512)
def plain_url(name: str, prefix: str, urlconf: str | None) -> str:
    """A name's URL without arguments, for one script prefix and URLconf (the key: a request's
    prefix and URLconf are set per thread, and these values are what ``reverse`` reads)."""
    return reverse(name, urlconf=urlconf)


@functools.lru_cache(maxsize=256)
def static(path: str) -> str:
    return static_url(path)


@functools.lru_cache(maxsize=1)
def htmx_script() -> str:
    """django-htmx's script tag; it reads ``DEBUG`` and the static files' names only."""
    return htmx_script_tag()


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def local_date(value: Any, fmt: str | None = None) -> str:
    """Django's ``date`` filter as a template writes it: of the time in Hà Nội ("" for none,
    as Django's)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_text(value, fmt)


@receiver(setting_changed)
def kept_forget(*, setting: str, **kwargs: Any) -> None:
    if setting in LANGUAGE_SETTINGS:
        _TRANSLATED.clear()
    if setting in URL_SETTINGS:
        plain_url.cache_clear()
    if setting in LANGUAGE_SETTINGS | URL_SETTINGS:
        for engine in LIVE:
            engine.fixed.clear()
    if setting in STATIC_SETTINGS or setting == "DEBUG":
        static.cache_clear()
        htmx_script.cache_clear()
