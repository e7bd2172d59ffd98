"""The language label on a highlighted block, shared by Markdown's fences and rST's code-blocks."""

import re
from functools import cache

from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

PLAIN_LANGUAGES = {"text", "plain", "plaintext", "txt"}
BLOCK_OPEN = re.compile(r'<div class="language-(?P<language>[^" ]+) highlight">')
CODE_START = "<pre><span></span><code>"


@cache
def lexer_name(language: str) -> str | None:
    """Pygments' display name for a language, or None when Pygments does not know it."""
    try:
        return get_lexer_by_name(language).name
    except ClassNotFound:
        return None


def label_for(language: str, aliases: dict[str, str]) -> str | None:
    """The label shown on a block: the lexer's name, an alias as written, nothing for text."""
    if language in aliases:
        return language
    if language.lower() in PLAIN_LANGUAGES:
        return None
    return lexer_name(language)


def add_labels(html: str, aliases: dict[str, str]) -> str:
    """Add a language label to each highlighted block, and make its scrolling code focusable."""

    def labelled(match: re.Match) -> str:
        label = label_for(match["language"], aliases)
        return match[0] + (f'<span class="code-lang">{label}</span>' if label else "")

    html = BLOCK_OPEN.sub(labelled, html)
    # A keyboard user can only scroll a wide block that can take focus.
    return html.replace(CODE_START, '<pre tabindex="0"><code>')
