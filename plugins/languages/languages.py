"""Each page in its language: interface strings, dates, `lang` and locale from the post's `Lang:`.

Templates call `t("read_more")` for an interface string and `date|localdate("long")` for a date.
Both use the language of what the page shows (its post's or page's `Lang:`; listings the site's,
DEFAULT_LANG). Strings come from the theme's `strings/<language>.json`, English filling in any a
language lacks; dates are formatted by Babel for the language (`long`, `medium`, ..., `month`, or a
Babel skeleton such as `MMMMd`). `html_lang()` and `og_locale()` name the language for `<html lang>`
and OpenGraph; the page links its translations with hreflang. A post alone in its language
keeps the site's address pattern; only translations take the `*_LANG_URL` one.
"""

import json
import logging
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_skeleton
from jinja2 import pass_context
from pelican import signals
from pelican.contents import Content
from pelican.generators import PagesGenerator

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"
DEFAULT_STRINGS_FOLDER = "strings"
DATE_STYLES = {"short", "medium", "long", "full"}
# Forms a Babel skeleton cannot give: the month's name standing alone (`leden`, not `ledna`).
DATE_PATTERNS = {"month": "LLLL"}


def strings_table(folder: str, language: str) -> dict[str, str]:
    """The interface strings for a language: its own table over English, key by key."""
    table = dict(read_table(*file_stamp(Path(folder, f"{FALLBACK_LANGUAGE}.json"))))
    base = language.replace("-", "_").split("_")[0].lower()
    for code in dict.fromkeys([base, language.replace("-", "_")]):
        table.update(read_table(*file_stamp(Path(folder, f"{code}.json"))))
    return table


def file_stamp(path: Path) -> tuple[Path, tuple[int, int] | None]:
    """A table's path, with what changes when it is edited (so an edit is read anew)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return path, None
    return path, (status.st_mtime_ns, status.st_size)


@cache
def read_table(path: Path, stamp: tuple[int, int] | None) -> dict[str, str]:
    """One language's strings as of stamp, or none when the theme has no table for it."""
    return json.loads(path.read_text(encoding="utf-8")) if stamp is not None else {}


@cache
def babel_locale(language: str) -> Locale:
    """Babel's locale for a `Lang:` value (`pt_BR`, `pt-BR`, `cs`), or English's."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(FALLBACK_LANGUAGE)


def language_of(context) -> str:
    """The language of what a page shows: its post's or page's, else the site's."""
    for name in ("article", "page"):
        item = context.get(name)
        if isinstance(item, Content) and getattr(item, "lang", None):
            return item.lang
    return context.get("DEFAULT_LANG") or FALLBACK_LANGUAGE


@pass_context
def translate(context, key: str, **values: object) -> str:
    """The interface string named key in the page's language, with its {values} filled in."""
    folder = context.get("LANGUAGES_STRINGS_PATH") or str(
        Path(context["THEME"], DEFAULT_STRINGS_FOLDER)
    )
    text = strings_table(folder, language_of(context)).get(key)
    if text is None:
        raise KeyError(f"no interface string {key!r} in {folder}/{FALLBACK_LANGUAGE}.json")
    return text.format(**values) if values else text


@pass_context
def localdate(context, value: date, form: str = "long") -> str:
    """A date written as the page's language writes it: a Babel style or skeleton."""
    locale = babel_locale(language_of(context))
    if form in DATE_STYLES or form in DATE_PATTERNS:
        return format_date(value, DATE_PATTERNS.get(form, form), locale=locale)
    return format_skeleton(form, value, locale=locale)


@pass_context
def html_lang(context) -> str:
    """The page's language as `<html lang>` takes it (BCP 47: `pt-BR`)."""
    return language_of(context).replace("_", "-")


@pass_context
def og_locale(context) -> str:
    """The page's language as OpenGraph takes it: language and territory (`cs_CZ`)."""
    locale = babel_locale(language_of(context))
    territory = locale.territory or likely_territory(locale.language)
    return f"{locale.language}_{territory}" if territory else locale.language


def likely_territory(language: str) -> str | None:
    """Where a language named without a territory is most likely spoken (`cs` → `CZ`)."""
    likely = get_global("likely_subtags").get(language)
    return Locale.parse(likely).territory if likely else None


def language_name(language: str) -> str:
    """A language's name in that language (`cs` → `čeština`), for links to translations."""
    return babel_locale(language).display_name or language


def add_template_functions(generator) -> None:
    """Give the generator's templates the language functions."""
    environment = getattr(generator, "env", None)
    if environment is None:
        return
    environment.globals.update(
        t=translate, html_lang=html_lang, og_locale=og_locale, language_name=language_name
    )
    environment.filters["localdate"] = localdate


def keep_site_addresses(generator) -> None:
    """A post with no translations keeps the site's address pattern, whatever its language.

    Pelican gives every post outside DEFAULT_LANG the `*_LANG_URL` pattern; here only a
    translation does (a post and its translation share a slug, and need two addresses).
    """
    kind = "PAGE" if isinstance(generator, PagesGenerator) else "ARTICLE"
    settings = generator.settings
    groups = ("pages", "hidden_pages") if kind == "PAGE" else ("articles", "hidden_articles")
    for item in (item for group in groups for item in getattr(generator, group, [])):
        if item.in_default_lang or item.translations or hasattr(item, "override_url"):
            continue
        fields = item.url_format
        item.override_url = settings[f"{kind}_URL"].format(**fields)
        item.override_save_as = settings[f"{kind}_SAVE_AS"].format(**fields)


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.generator_init.connect(add_template_functions)
    signals.article_generator_finalized.connect(keep_site_addresses)
    signals.page_generator_finalized.connect(keep_site_addresses)
