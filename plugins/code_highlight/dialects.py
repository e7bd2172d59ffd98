"""Pelican's classic dialect: an indented code block whose first line names its language.

Stock Pelican (through Python-Markdown's codehilite) reads `:::python` or `#!python` on the first
line of an indented block as the block's language and drops that line; a first line with a path,
`#!/usr/bin/env python`, is a real shebang, kept as code, whose last word names the language.
pymdown-extensions highlights indented blocks as plain text, so this treeprocessor highlights
such blocks first, with the same highlighter and options as fenced ones.
"""

import html
import inspect
import re

from markdown.treeprocessors import Treeprocessor
from pymdownx.highlight import Highlight, HighlightExtension

# `:::lang` (two or more colons) or `#!lang`, optionally a path before the language name.
DIALECT_HEADER = re.compile(
    r"(?:(?P<colons>::+)|(?P<shebang>#!))(?P<path>(?:/[\w.-]+)*[/ ])?(?P<language>[\w#.+-]+)\s*"
)
# The options of pymdown-extensions' highlighter that its extension's settings hold.
HIGHLIGHT_OPTIONS = set(inspect.signature(Highlight).parameters) - {"md"}


def split_dialect(code: str) -> tuple[str, str] | None:
    """The language an indented block's first line names, and the code to show; None if none."""
    first, _, rest = code.partition("\n")
    header = DIALECT_HEADER.fullmatch(first.strip())
    if header is None:
        return None
    # A shebang with a path is the script's own first line.
    kept = header["shebang"] and header["path"]
    return header["language"], code if kept else rest


class DialectTreeprocessor(Treeprocessor):
    """Highlight indented blocks that name their language, as fenced blocks are highlighted."""

    def run(self, root) -> None:
        """Replace each such block with its highlighted HTML, kept aside as raw HTML."""
        extension = next(
            (e for e in self.md.registeredExtensions if isinstance(e, HighlightExtension)), None
        )
        if extension is None:
            return
        config = extension.getConfigs()
        for block in root.iter("pre"):
            if len(block) != 1 or block[0].tag != "code" or not block[0].text:
                continue
            found = split_dialect(html.unescape(block[0].text))
            if found is None:
                continue
            language, code = found
            extension.pygments_code_block += 1
            highlighter = Highlight(
                self.md, **{k: v for k, v in config.items() if k in HIGHLIGHT_OPTIONS}
            )
            highlighted = highlighter.highlight(
                code.rstrip("\n"),
                language,
                config["css_class"],
                code_block_count=extension.pygments_code_block,
            )
            block.clear()
            # A paragraph holding only the placeholder is replaced by the raw HTML.
            block.tag = "p"
            block.text = self.md.htmlStash.store(highlighted)
