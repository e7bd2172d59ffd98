"""Stop a build early, naming the file, when content would publish wrong or not at all."""

import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from pelican import signals

logger = logging.getLogger(__name__)

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


def display_path(path: str | os.PathLike) -> str:
    """Return the path relative to the working directory when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_invalid_utf8(data: bytes) -> tuple[int, int, int] | None:
    """Return (line, column, offending byte) of the first invalid UTF-8 sequence, or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        return line, column, data[error.start]
    return None


def find_url_clashes(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Map each output path written by more than one source to those sources, sorted."""
    sources_by_output: dict[str, set[str]] = defaultdict(set)
    for output_path, source_path in items:
        if output_path:
            sources_by_output[os.path.normpath(output_path)].add(source_path)
    return {
        output: sorted(sources)
        for output, sources in sorted(sources_by_output.items())
        if len(sources) > 1
    }


def check_encoding(generator, paths: list[str], excludes: list[str]) -> None:
    """Log an error naming file, line and column for every source that is not UTF-8."""
    for relative in generator.get_files(paths, exclude=excludes):
        source = Path(generator.path, relative)
        problem = find_invalid_utf8(source.read_bytes())
        if problem:
            line, column, byte = problem
            logger.error(
                "%s:%d:%d: not valid UTF-8 (byte 0x%02x); save the file as UTF-8",
                display_path(source),
                line,
                column,
                byte,
            )


def check_article_encoding(generator) -> None:
    """Check the articles' sources before Pelican reads them."""
    settings = generator.settings
    check_encoding(generator, settings["ARTICLE_PATHS"], settings["ARTICLE_EXCLUDES"])


def check_page_encoding(generator) -> None:
    """Check the pages' sources before Pelican reads them."""
    settings = generator.settings
    check_encoding(generator, settings["PAGE_PATHS"], settings["PAGE_EXCLUDES"])


def check_unique_urls(generators) -> None:
    """Log an error for every output file that two sources would both write."""
    written = (
        (item.save_as, display_path(item.source_path))
        for generator in generators
        for attribute in WRITTEN_CONTENT_ATTRIBUTES
        for item in getattr(generator, attribute, ())
    )
    for output, sources in find_url_clashes(written).items():
        logger.error("%s would be written by more than one source: %s", output, ", ".join(sources))


def register() -> None:
    """Connect the checks to Pelican's signals."""
    signals.article_generator_init.connect(check_article_encoding)
    signals.page_generator_init.connect(check_page_encoding)
    signals.all_generators_finalized.connect(check_unique_urls)
