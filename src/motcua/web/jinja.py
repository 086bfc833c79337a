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
- ``static(path)``: the static file's URL, kept per path.
- ``date`` filter: Django's ``date`` (``fast_dates``), of the time in Hà Nội.
- ``htmx_script()``: django-htmx's ``htmx_script`` tag (kept: it depends on settings only).
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import jinja2
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, **options)
    env.globals.update(
        _=translated, url=url, static=static, htmx_script=htmx_script,
        current_language=translation.get_language, language_codes=language_codes,
    )  # fmt: skip
    env.filters["date"] = local_date
    return env


def translated(text: str) -> str:
    language = translation.get_language()
    kept = _TRANSLATED.get(language)
    if kept is None:
        kept = _TRANSLATED[language] = {}
    found = kept.get(text)
    if found is None:
        found = kept[text] = translation.gettext(text)
    return found


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
    if setting in STATIC_SETTINGS or setting == "DEBUG":
        static.cache_clear()
        htmx_script.cache_clear()
