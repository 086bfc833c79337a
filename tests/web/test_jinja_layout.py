"""The layout written once in Jinja2 (decision 0044): Django pages and Jinja2 pages get the same
frame, in the person's language, with their own links and form token; input is escaped; a
misspelt name is an error; what the environment keeps follows the request's script prefix."""

from __future__ import annotations

import re

import jinja2
import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse, set_script_prefix
from django.utils import translation

from motcua.web import jinja
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"')


def frame(html: str) -> str:
    """The page without its title and main part; the form tokens (they differ per response) and
    the language switch's way back (the page's own address) blanked."""
    outside = re.sub(r"<main .*</main>|<title>.*</title>", "", html, flags=re.S)
    outside = re.sub(r'name="next" type="hidden" value="[^"]*"', "NEXT", outside)
    return TOKEN.sub("TOKEN", outside).strip()


def test_a_django_page_and_a_jinja2_page_share_one_frame() -> None:
    client = Client()
    django_page = client.get(reverse("portal:sign-up")).content.decode()  # base.html
    jinja_page = client.get(reverse("portal:lookup")).content.decode()  # layout.jinja
    assert "<title>Đăng ký tài khoản công dân · Một Cửa Hà Nội</title>" in django_page
    assert "<title>Tra cứu hồ sơ · Một Cửa Hà Nội</title>" in jinja_page
    assert frame(django_page) == frame(jinja_page)
    assert TOKEN.search(jinja_page)  # the language switch's form carries the token
    assert 'value="/tra-cuu/"' in jinja_page  # …and comes back to the page


@pytest.mark.parametrize("path", ["portal:lookup", "portal:sign-up"])
def test_the_frame_follows_the_person(path: str) -> None:
    english, citizen = Client(), Client()
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    citizen.force_login(factories.citizen())
    in_english = english.get(reverse(path)).content.decode()
    assert 'lang="en"' in in_english
    assert "Log in" in in_english
    assert "Đăng nhập" not in frame(in_english)
    signed_in = citizen.get(reverse(path)).content.decode()
    assert "Đăng xuất" in signed_in
    assert reverse("portal:my-dossiers") in signed_in
    assert "Đăng ký tài khoản" not in frame(signed_in)


def test_input_written_back_is_escaped() -> None:
    hostile = '"><script>alert(1)</script>'
    page = Client().post(reverse("portal:lookup"), {"code": hostile, "digits": "1234"})
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_a_page_rendered_without_a_request_has_its_frame() -> None:
    """Django renders some pages with no request (no context processors): the frame still says
    whose site it is, and shows no one's links."""
    html = render_to_string("404.html")
    assert "Không tìm thấy trang · Một Cửa Hà Nội" in html
    assert "Đăng xuất" not in html


def test_a_misspelt_name_is_an_error() -> None:
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ brnad_name }}").render()
    assert env.from_string("{{ x if x is defined else 'none' }}").render() == "none"


def test_kept_values_follow_the_script_prefix_and_the_language() -> None:
    assert jinja.url("portal:lookup") == reverse("portal:lookup") == "/tra-cuu/"
    set_script_prefix("/motcua/")
    try:
        assert jinja.url("portal:lookup") == "/motcua/tra-cuu/"
    finally:
        set_script_prefix("/")
    assert jinja.url("portal:lookup") == "/tra-cuu/"
    with translation.override("en"):
        english = jinja.translated("Tra cứu hồ sơ")
    with translation.override("vi"):
        assert jinja.translated("Tra cứu hồ sơ") == "Tra cứu hồ sơ"
    assert english != "Tra cứu hồ sơ"


REWRITTEN = (
    '{{ _("Tra cứu hồ sơ") }}|{{ _("số tham chiếu khi nộp: %(ref)s") % {"ref": "R<1>"} }}|'
    "{{ url('portal:lookup') }}|{{ _('Tra cứu' ' hồ sơ') }}|{{ url('portal:my-dossier', 'R1') }}|"
    # What follows a call applies to its value, as it did before the rewriting.
    "{{ _('Tra cứu hồ sơ').upper() }}|{{ _('Tra cứu hồ sơ')[0] }}|{{ url('portal:lookup')[1:] }}|"
    "{{ url('portal:lookup') is sameas url('portal:lookup') }}|{{ _('Tra cứu hồ sơ')|length }}"
)


def plain_environment() -> jinja2.Environment:
    """The same environment without the rewriting of fixed calls: the meaning to keep."""
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    plain = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    plain.globals.update(env.globals)
    plain.filters.update(env.filters)
    return plain


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("prefix", ["/", "/motcua/"])
def test_fixed_calls_compiled_as_filters_mean_what_the_calls_mean(
    language: str, prefix: str
) -> None:
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    source = env.compile(REWRITTEN, raw=True)
    # Left as calls: the URL with an argument that is not written text, and ``.upper()``.
    assert source.count("context.call") == 2
    set_script_prefix(prefix)
    try:
        with translation.override(language):
            rewritten = env.from_string(REWRITTEN).render()
            assert rewritten == plain_environment().from_string(REWRITTEN).render()
    finally:
        set_script_prefix("/")
    assert f"{prefix}tra-cuu/" in rewritten
    assert ("Tra cứu hồ sơ" in rewritten) == (language == "vi")
    assert "R&lt;1&gt;" in rewritten


@pytest.mark.parametrize(
    "source",
    [
        "{{ x._('a') }}",
        "{{ _(x) }}",
        "{{ _('a', b) }}",
        "{{ url('a', 'b') }}",
        "{{ _ }}",
        "{{ x|url('a') }}",
    ],
)
def test_other_uses_of_the_names_are_left_as_written(source: str) -> None:
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    assert "fixed_" not in repr(env.parse(source))  # parsed: no filter named url needed


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("prefix", ["/", "/motcua/"])
def test_each_language_and_prefix_compiles_its_fixed_texts_into_the_template(
    language: str, prefix: str
) -> None:
    """The engine's templates come from an environment per language and script prefix, where
    the fixed calls are worked out once, at compile time: the same text as the calls at render
    time, with nothing left to call."""
    engine = engines["jinja2"]
    set_script_prefix(prefix)
    try:
        with translation.override(language):
            env = engine.env_now()  # type: ignore[attr-defined]
            source = env.compile(REWRITTEN, raw=True)
            compiled = env.from_string(REWRITTEN).render()
            assert compiled == engine.env.from_string(REWRITTEN).render()  # type: ignore[attr-defined]
    finally:
        set_script_prefix("/")
    # Only what was not written text is left to call: the URL with an argument, ``.upper()``.
    assert source.count("context.call") == 2
    assert not re.search(r"(?<!def )t_[12]\(", source)  # no fixed filter called at render
    assert f"{prefix}tra-cuu/" in source  # written into the template, escaped
    assert ("Tra cứu hồ sơ" in source) == (language == "vi")


def test_a_page_is_written_in_the_language_of_each_request() -> None:
    """One process, both languages in turn: each request gets its own language's compiled page,
    never the one compiled first."""
    english, vietnamese = Client(), Client()
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    for _round in range(2):
        assert "Track a dossier" in english.get(reverse("portal:lookup")).content.decode()
        page = vietnamese.get(reverse("portal:lookup")).content.decode()
        assert "Tra cứu hồ sơ" in page
        assert "Track a dossier" not in page


def test_a_changed_language_setting_forgets_the_compiled_pages(
    settings: pytest.FixtureRequest,
) -> None:
    engine = engines["jinja2"]
    with translation.override("vi"):
        engine.env_now()  # type: ignore[attr-defined]
    assert engine.fixed  # type: ignore[attr-defined]
    settings.LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]  # type: ignore[attr-defined]
    assert not engine.fixed  # type: ignore[attr-defined]


def test_the_compiled_pages_kept_are_bounded() -> None:
    """A new script prefix per request (a proxy passing on a client's ``SCRIPT_NAME``) must not
    keep a compiled layout per prefix without end (a helper's finding)."""
    engine = engines["jinja2"]
    try:
        for number in range(jinja.OVERLAYS + 5):
            set_script_prefix(f"/p{number}/")
            engine.env_now()  # type: ignore[attr-defined]
    finally:
        set_script_prefix("/")
    assert len(engine.fixed) == jinja.OVERLAYS  # type: ignore[attr-defined]
    assert (translation.get_language(), f"/p{jinja.OVERLAYS + 4}/", None) in engine.fixed  # type: ignore[attr-defined]
