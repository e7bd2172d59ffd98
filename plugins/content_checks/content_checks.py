"""Stop a build early, naming the file and line, when content would publish wrong, leak or escape.

Before anything is read: symlink loops (which would make Pelican walk for minutes) and links out
of the project under `content/`; bytes that are not UTF-8, characters no feed can carry, a
metadata key given twice, and lists or quotes nested deeper than anyone writes. As each post is
read: dates outside 1900-2200, slugs, `URL:` and `Save_as:` that are no address of the site, and
`{static}` links that lead out of `content/`. Before anything is written: a template that does
not exist, two sources (or a source and the site's own pages, feeds or assets) claiming one
output path, and any output path outside the output folder.
"""

import functools
import logging
import math
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from pelican import signals
from pelican.contents import Article, Content, Page
from pelican.utils import slugify

from .sources import (
    MARKDOWN_SUFFIXES,
    deepest_nesting,
    find_control_character,
    find_invalid_utf8,
    header_line,
    line_of,
    may_nest_deeper,
    repeated_keys,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_NESTING = 100
DEFAULT_SLUG_LENGTH = 80
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
# What a slug may hold: one path segment, any letters (a non-Latin slug is a valid address),
# nothing that separates, ends or quotes a URL or its path.
SLUG = re.compile(r"[^\s/\\?#%<>\"'`{}|^\[\]]+")
# Generator attributes that hold content written to its own URL.
WRITTEN_CONTENT_ATTRIBUTES = (
    "articles",
    "translations",
    "drafts",
    "drafts_translations",
    "hidden_articles",
    "hidden_translations",
    "pages",
    "hidden_pages",
    "draft_pages",
    "draft_translations",
    "staticfiles",
)
# Folders of the output that the build fills itself (theme assets, the search index).
RESERVED_FOLDERS = ("pagefind",)
SITE_FEEDS = ("FEED_ATOM", "FEED_RSS", "FEED_ALL_ATOM", "FEED_ALL_RSS")
# Intrasite links that name a file of content/.
LINKED_FILE_KINDS = ("static", "attach", "filename")


class ContentError(Exception):
    """Content that cannot be built at all; raised to stop the build before anything is written."""


def option(settings: dict, name: str, default):
    """Read the plugin setting CONTENT_CHECKS_<name>, falling back to its default."""
    return settings.get(f"CONTENT_CHECKS_{name}", default)


def display_path(path: str | os.PathLike) -> str:
    """Return the path relative to the working directory when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_url_clashes(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Map each output path claimed by more than one owner to those owners, sorted."""
    owners_by_output: dict[str, set[str]] = defaultdict(set)
    for output_path, owner in items:
        if output_path:
            owners_by_output[os.path.normpath(output_path)].add(owner)
    return {
        output: sorted(owners)
        for output, owners in sorted(owners_by_output.items())
        if len(owners) > 1
    }


def escapes(relative: str) -> bool:
    """Whether an output or content path leads out of the folder it is relative to."""
    normal = os.path.normpath(relative)
    return os.path.isabs(relative) or normal == ".." or normal.startswith(".." + os.sep)


def link_problems(folder: Path, root: Path, project: Path) -> Iterator[str]:
    """What is wrong with each symlink below folder: loops, and links out of the project."""
    ancestors = [folder.resolve(), *folder.resolve().parents]
    for entry in sorted(folder.iterdir()):
        if not entry.is_symlink():
            if entry.is_dir():
                yield from link_problems(entry, root, project)
            continue
        target = entry.resolve()
        if entry.is_dir() and target in ancestors:
            yield f"{display_path(entry)}: symlink loop: it leads back to {display_path(target)}"
        elif not target.is_relative_to(project):
            yield f"{display_path(entry)}: symlink to {target}, outside the project; copy it in"
        elif entry.is_dir() and not target.is_relative_to(root):
            yield from link_problems(entry, root, project)


@functools.cache
def link_pattern(intrasite_link_regex: str) -> re.Pattern:
    """Pelican's intrasite links (`{static}/x`) in an attribute of some element."""
    return re.compile(
        r"""(?P<attribute>(?:href|src|poster|data|cite|action|content)\s*=\s*)(?P<quote>["'])"""
        rf"""(?P<link>{intrasite_link_regex}(?P<value>.*?))(?P=quote)"""
    )


def expected_url(save_as: str) -> str:
    """The URL a page saved at save_as is reached at."""
    return save_as[: -len("index.html")] if save_as.endswith("index.html") else save_as


def pages_of(settings: dict, template: str, count: int) -> list[str]:
    """Where a listing's first page and its further pages are written."""
    save_as = settings.get(f"{template.upper()}_SAVE_AS", f"{template}.html")
    if not save_as:
        return []
    pages = [save_as]
    per_page = settings.get("DEFAULT_PAGINATION") or 0
    if template == "index" and per_page:
        base = os.path.splitext(save_as)[0].removesuffix("index").rstrip("/")
        for number in range(2, math.ceil(count / per_page) + 1):
            pattern = settings["PAGINATION_PATTERNS"][-1][2]
            pages.append(pattern.format(base_name=base, number=number).lstrip("/"))
    return pages


def site_outputs(settings: dict, generators: list) -> Iterator[tuple[str, str]]:
    """(output path, owner) for what the site writes besides its sources: listings and feeds."""
    articles = [a for g in generators for a in getattr(g, "articles", [])]
    for template in settings.get("DIRECT_TEMPLATES", []):
        for page in pages_of(settings, template, len(articles)):
            yield page, f"the site's {template} page"
    for name in SITE_FEEDS:
        if settings.get(name):
            yield settings[name], "the site's feed"
    categories = {c.slug: c for a in articles for c in getattr(a, "categories", [a.category])}
    tags = {t.slug: t for a in articles for t in getattr(a, "tags", [])}
    authors = {w.slug: w for a in articles for w in getattr(a, "authors", [])}
    for kind, named in (("category", categories), ("tag", tags), ("author", authors)):
        for slug, item in sorted(named.items()):
            if settings.get(f"{kind.upper()}_SAVE_AS"):
                yield item.save_as, f"the page of {kind} {item.name!r}"
            if settings.get(f"{kind.upper()}_FEED_ATOM"):
                owner = f"the feed of {kind} {item.name!r}"
                yield settings[f"{kind.upper()}_FEED_ATOM"].format(slug=slug), owner


def reserved_folder(output: str, settings: dict) -> str | None:
    """The build's own folder an output path lies in, or None."""
    folders = (settings.get("THEME_STATIC_DIR", "theme"), *RESERVED_FOLDERS)
    first = os.path.normpath(output).split(os.sep)[0]
    return first if first in folders else None


def check_content_tree(pelican) -> None:
    """Refuse symlink loops and links out of the project before Pelican walks `content/`."""
    root = Path(pelican.settings["PATH"])
    problems = list(link_problems(root, root.resolve(), root.resolve().parent))
    for problem in problems:
        logger.error("%s", problem)
    if problems:
        raise ContentError(f"{len(problems)} symlink problem(s) under {display_path(root)}")


def check_sources(generator, paths: list[str], excludes: list[str]) -> None:
    """Check every source's text before Pelican reads it; stop on what would hang the build."""
    max_nesting = option(generator.settings, "MAX_NESTING", DEFAULT_MAX_NESTING)
    too_deep = 0
    for relative in generator.get_files(paths, exclude=excludes):
        source = Path(generator.path, relative)
        name = display_path(source)
        data = source.read_bytes()
        problem = find_invalid_utf8(data)
        if problem:
            line, column, byte = problem
            logger.error(
                "%s:%d:%d: not valid UTF-8 (byte 0x%02x); save the file as UTF-8",
                *(name, line, column, byte),
            )
            continue
        text = data.decode("utf-8")
        control = find_control_character(text)
        if control:
            line, column, character = control
            logger.error(
                "%s:%d:%d: control character U+%04X, which no page or feed can carry; delete it",
                *(name, line, column, ord(character)),
            )
        if source.suffix.lower() not in MARKDOWN_SUFFIXES:
            continue
        for line, key in repeated_keys(text):
            logger.error("%s:%d: `%s:` is given twice; keep one", name, line, key)
        line, depth = deepest_nesting(text) if may_nest_deeper(text, max_nesting) else (1, 0)
        if depth > max_nesting:
            too_deep += 1
            logger.error(
                "%s:%d: lists or quotes nested %d deep (at most %d); flatten them",
                *(name, line, depth, max_nesting),
            )
    if too_deep:
        # Markdown would take minutes and gigabytes on such a file before failing.
        raise ContentError(f"{too_deep} source(s) nested too deeply to read")


def check_article_sources(generator) -> None:
    """Check the articles' sources before Pelican reads them."""
    settings = generator.settings
    check_sources(generator, settings["ARTICLE_PATHS"], settings["ARTICLE_EXCLUDES"])


def check_page_sources(generator) -> None:
    """Check the pages' sources before Pelican reads them."""
    settings = generator.settings
    check_sources(generator, settings["PAGE_PATHS"], settings["PAGE_EXCLUDES"])


def check_date(instance: Content) -> None:
    """A date outside 1900-2200 is a typo, and makes odd URLs and time zones."""
    date = getattr(instance, "date", None)
    if date is not None and not EARLIEST_YEAR <= date.year <= LATEST_YEAR:
        logger.error(
            "%s:%d: date %s is not between %d and %d",
            *(instance.source_path, header_line(instance.source_path, "date")),
            *(date.date().isoformat(), EARLIEST_YEAR, LATEST_YEAR),
        )


def check_slug(instance: Content) -> None:
    """A slug must be one usable part of a URL; a long generated one is shortened."""
    slug = getattr(instance, "slug", None)
    if slug is None:
        return
    if "slug" in instance.metadata:
        if not SLUG.fullmatch(slug) or not slug.strip("."):
            logger.error(
                "%s:%d: `Slug: %s` is not one part of an address (no /, spaces or ..)",
                *(instance.source_path, header_line(instance.source_path, "slug"), slug),
            )
            instance.slug = slugify(slug) or "invalid-slug"
        return
    limit = option(instance.settings, "SLUG_LENGTH", DEFAULT_SLUG_LENGTH)
    if len(slug) > limit:
        shortened = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
        logger.warning(
            "%s:%d: the slug made from the title is %d characters long; it is cut to %r "
            "(set `Slug:` to choose one)",
            *(instance.source_path, header_line(instance.source_path, "title"), len(slug)),
            shortened,
        )
        instance.slug = shortened


def check_address(instance: Content) -> None:
    """`Save_as:` must stay in the output folder, and `URL:` must be where the page is saved."""
    metadata = instance.metadata
    if "save_as" not in metadata and "url" not in metadata:
        return  # addresses from the settings' patterns, which the build owns
    source = instance.source_path
    save_as = getattr(instance, "save_as", "")
    if "save_as" in metadata and escapes(save_as):
        logger.error(
            "%s:%d: `Save_as: %s` is outside the output folder",
            *(source, header_line(source, "save_as"), save_as),
        )
    if "url" in metadata and save_as:
        url = str(metadata["url"])
        parsed = urlparse(url)
        if parsed.scheme or parsed.netloc or url.lstrip("/") != expected_url(save_as):
            logger.error(
                "%s:%d: `URL: %s` is not where the page is saved (%s); set both or neither",
                *(source, header_line(source, "url"), url, save_as),
            )


def check_static_links(instance: Content) -> None:
    """A `{static}` or `{attach}` link out of `content/` is refused before it can be copied."""
    content = getattr(instance, "_content", None)
    if not content or not any(kind in content for kind in LINKED_FILE_KINDS):
        return
    root = Path(instance.settings["PATH"]).resolve()
    source_folder = Path(instance.source_path).resolve().parent

    def confined(match: re.Match) -> str:
        if match["what"] not in LINKED_FILE_KINDS:
            return match[0]
        path = urlparse(match["value"]).path.replace("%20", " ")
        target = root / path.lstrip("/") if path.startswith("/") else source_folder / path
        if Path(os.path.normpath(target)).is_relative_to(root):
            return match[0]
        logger.error(
            "%s:%d: link %s leads out of %s; keep linked files inside it",
            *(instance.source_path, line_of(instance.source_path, match["value"])),
            *(match["link"], display_path(root)),
        )
        return f"{match['attribute']}{match['quote']}#{match['quote']}"

    pattern = link_pattern(instance.settings["INTRASITE_LINK_REGEX"])
    instance._content = pattern.sub(confined, content)


def check_content(instance) -> None:
    """Check a post or page as soon as it is read, before anything uses its address."""
    if not isinstance(instance, Article | Page) or not getattr(instance, "source_path", None):
        return
    check_date(instance)
    check_slug(instance)
    check_address(instance)
    check_static_links(instance)


def written_content(generators: list) -> Iterator[Content]:
    """Every post, page and static file the generators will write."""
    for generator in generators:
        for attribute in WRITTEN_CONTENT_ATTRIBUTES:
            yield from getattr(generator, attribute, ())


def check_templates(generator) -> None:
    """Name the post whose `Template:` the theme does not have."""
    for item in written_content([generator]):
        template = getattr(item, "template", None)
        if not template or "template" not in item.metadata:
            continue
        try:
            generator.get_template(template)
        except Exception:  # Pelican's own not-found error, or a template that does not compile
            logger.error(
                "%s:%d: `Template: %s` is not a template of the theme",
                *(item.source_path, header_line(item.source_path, "template"), template),
            )


def check_outputs(generators: list) -> None:
    """One owner per output path, and every path inside the output folder; stop otherwise."""
    settings = generators[0].settings
    # Owners are shown as display paths only when reported: a site may have thousands of files.
    claims = [(item.save_as, item.source_path) for item in written_content(generators)]
    escaping = sorted({(path, owner) for path, owner in claims if path and escapes(path)})
    for path, owner in escaping:
        logger.error(
            "%s would be written outside the output folder, at %s", display_path(owner), path
        )
    if escaping:
        raise ContentError("output paths outside the output folder")
    for path, owner in claims:
        folder = reserved_folder(path, settings) if path else None
        if folder:
            logger.error(
                "%s would be written into %s/, which the build fills itself",
                *(display_path(owner), folder),
            )
    for output, owners in find_url_clashes([*claims, *site_outputs(settings, generators)]).items():
        shown = sorted(display_path(owner) for owner in owners)
        logger.error("%s would be written by more than one source: %s", output, ", ".join(shown))


def register() -> None:
    """Connect the checks to Pelican's signals."""
    signals.initialized.connect(check_content_tree)
    signals.article_generator_init.connect(check_article_sources)
    signals.page_generator_init.connect(check_page_sources)
    signals.content_object_init.connect(check_content)
    signals.article_generator_finalized.connect(check_templates)
    signals.page_generator_finalized.connect(check_templates)
    signals.all_generators_finalized.connect(check_outputs)
