"""Treat a post's `Title:` as text, so `<`, `>` and `&` in it show as written and inject nothing.

Pelican passes Markdown titles through as HTML and typogrify then treats `<tag>` as markup. This
plugin escapes the title as Markdown is read, before typogrify, so templates can print
`article.title` as the HTML it now safely is. It also gives templates a `plain_text` filter: the
words a reader sees in some HTML, without the source of its scripts and styles, for descriptions.
"""

import html
import logging
import re

from markupsafe import Markup
from pelican import signals
from pelican.readers import MarkdownReader

logger = logging.getLogger(__name__)

# Elements whose text is code or data, never words shown to a reader.
# Elements whose text is code or data, never words shown to a reader; like a browser, the first
# closing tag ends one.
UNSEEN_ELEMENT = re.compile(
    r"<(script|style|template|noscript|iframe|object)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)


def plain_text(markup: str) -> str:
    """The words a reader sees in some HTML, on one line, as Jinja's striptags gives them."""
    return Markup(UNSEEN_ELEMENT.sub(" ", str(markup))).striptags()


class TextTitleMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, with the title escaped as text."""

    def read(self, source_path: str) -> tuple[str, dict]:
        """Read a post and escape its title."""
        content, metadata = super().read(source_path)
        if isinstance(metadata.get("title"), list):
            # A repeated `Title:` reads as a list (content_checks reports it); only its first
            # value, escaped like any title, may reach the templates.
            metadata["title"] = str(metadata["title"][0])
        if isinstance(metadata.get("title"), str):
            metadata["title"] = html.escape(metadata["title"], quote=False)
        return content, metadata


def use_text_titles(readers) -> None:
    """Read every Markdown extension with the escaping reader."""
    for extension in MarkdownReader.file_extensions:
        if readers.reader_classes.get(extension) is MarkdownReader:
            readers.reader_classes[extension] = TextTitleMarkdownReader


def add_plain_text_filter(generator) -> None:
    """Offer templates the `plain_text` filter."""
    generator.env.filters["plain_text"] = plain_text


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.readers_init.connect(use_text_titles)
    signals.generator_init.connect(add_plain_text_filter)
