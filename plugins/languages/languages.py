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
import re
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
# A language code as `Lang:` takes it: `en`, `pt_BR`, `zh-Hans` (BCP 47's shape, `_` or `-`).
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
DATE_STYLES = {"short", "medium", "long", "full"}
# Forms a Babel skeleton cannot give: the month's name standing alone (`leden`, not `ledna`).
DATE_PATTERNS = {"month": "LLLL"}


class StringTables:
    """The theme's interface strings, each language's read once per build when first asked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tables: dict[str, dict[str, str]] = {}

    def table(self, language: str) -> dict[str, str]:
        """The strings for a language: its own table over English, key by key."""
        if language not in self.tables:
            table = read_table(self.folder / f"{FALLBACK_LANGUAGE}.json")
            base = language.replace("-", "_").split("_")[0].lower()
            for code in dict.fromkeys([base, language.replace("-", "_")]):
                table.update(read_table(self.folder / f"{code}.json"))
            self.tables[language] = table
        return self.tables[language]

    @pass_context
    def translate(self, context, key: str, **values: object) -> str:
        """The interface string named key in the page's language, with its {values} filled in."""
        text = self.table(language_of(context)).get(key)
        if text is None:
            raise KeyError(f"no interface string {key!r} in {self.folder}/{FALLBACK_LANGUAGE}.json")
        return text.format(**values) if values else text


def read_table(path: Path) -> dict[str, str]:
    """One language's strings, or none when the theme has no table for it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


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
    folder = generator.settings.get("LANGUAGES_STRINGS_PATH") or Path(
        generator.theme, DEFAULT_STRINGS_FOLDER
    )
    environment.globals.update(
        t=StringTables(Path(folder)).translate,
        html_lang=html_lang,
        og_locale=og_locale,
        language_name=language_name,
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


def header_line(source: str, key: str) -> int:
    """The line of a source's `Key:` header, or 1."""
    try:
        lines = Path(source).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    prefix = f"{key.lower()}:"
    return next((n for n, line in enumerate(lines, 1) if line.lower().startswith(prefix)), 1)


def check_language(instance) -> None:
    """Refuse a `Lang:` that is no language code: it names the page's language and addresses."""
    language = instance.metadata.get("lang")
    if isinstance(instance, Content) and language and not LANGUAGE_CODE.fullmatch(language):
        logger.error(
            "%s:%d: language %r is not a language code (write one like en, cs or pt_BR)",
            instance.source_path,
            header_line(instance.source_path, "lang"),
            language[:40],
        )


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.content_object_init.connect(check_language)
    signals.generator_init.connect(add_template_functions)
    signals.article_generator_finalized.connect(keep_site_addresses)
    signals.page_generator_finalized.connect(keep_site_addresses)
