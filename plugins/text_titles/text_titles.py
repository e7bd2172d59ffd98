"""Treat a post's `Title:` as text, so `<`, `>` and `&` in it show as written and inject nothing.

Pelican passes Markdown titles through as HTML and typogrify then treats `<tag>` as markup. This
plugin escapes the title as Markdown is read, before typogrify, so templates can print
`article.title` as the HTML it now safely is.
"""

import html
import logging

from pelican import signals
from pelican.readers import MarkdownReader

logger = logging.getLogger(__name__)


class TextTitleMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, with the title escaped as text."""

    def read(self, source_path: str) -> tuple[str, dict]:
        """Read a post and escape its title."""
        content, metadata = super().read(source_path)
        if isinstance(metadata.get("title"), str):
            metadata["title"] = html.escape(metadata["title"], quote=False)
        return content, metadata


def use_text_titles(readers) -> None:
    """Read every Markdown extension with the escaping reader."""
    for extension in MarkdownReader.file_extensions:
        if readers.reader_classes.get(extension) is MarkdownReader:
            readers.reader_classes[extension] = TextTitleMarkdownReader


def register() -> None:
    """Connect the handler to Pelican's signals."""
    signals.readers_init.connect(use_text_titles)
