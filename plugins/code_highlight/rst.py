"""reStructuredText's `code-block` with the same label and copy button as Markdown's fences.

Pelican's directive highlights the code as a bare `<div class="highlight"><pre>`; this one names
the language on the block and puts the code in `<pre><code>`, as Markdown's blocks are, so the
label, the keyboard scrolling and the copy button apply alike. It is registered with docutils
for each read of a reStructuredText source and the directive it replaced is put back after.
"""

import contextlib
import html
from collections.abc import Iterator
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from pelican.readers import RstReader
from pelican.rstdirectives import Pygments

from .labels import CODE_START, add_labels

# The names Pelican registers its highlighting directive under.
CODE_DIRECTIVES = ("code-block", "sourcecode")
PLAIN_OPEN = '<div class="highlight"><pre>'
PLAIN_CLOSE = "</pre></div>"
# Pygments opens every block with an empty span.
EMPTY_SPAN = "<span></span>"


class LabelledCodeBlock(Pygments):
    """Pelican's code directive, marked up and labelled as the Markdown fences are."""

    # Language names Pygments lacks, mapped to a lexer (CODE_HIGHLIGHT_ALIASES), for the read.
    aliases: ClassVar[dict[str, str]] = {}

    def run(self) -> list[nodes.Node]:
        """Highlight as Pelican does, then name the language and wrap the code in `<code>`."""
        highlighted = super().run()
        raw = highlighted[0].astext()
        if not (raw.startswith(PLAIN_OPEN) and raw.rstrip().endswith(PLAIN_CLOSE)):
            return highlighted  # line-number tables and other layouts are left as they are
        language = html.escape(self.arguments[0].split()[0])
        body = raw[len(PLAIN_OPEN) : raw.rstrip().rindex(PLAIN_CLOSE)].removeprefix(EMPTY_SPAN)
        block = f'<div class="language-{language} highlight">{CODE_START}{body}</code></pre></div>'
        return [nodes.raw("", add_labels(block, self.aliases), format="html")]


@contextlib.contextmanager
def labelled_code_blocks(aliases: dict[str, str]) -> Iterator[None]:
    """Within the block, docutils' code directives are the labelled one."""
    LabelledCodeBlock.aliases = aliases
    # docutils has no way to unregister a directive but its registry.
    previous = {name: directives._directives.get(name) for name in CODE_DIRECTIVES}
    for name in CODE_DIRECTIVES:
        directives.register_directive(name, LabelledCodeBlock)
    try:
        yield
    finally:
        for name, directive in previous.items():
            if directive is None:
                directives._directives.pop(name, None)
            else:
                directives.register_directive(name, directive)


class LabelledRstReader(RstReader):
    """Pelican's reStructuredText reader, with code blocks marked up as Markdown's are."""

    def read(self, source_path: str) -> tuple[str, dict]:
        """Read the source with the labelled code directive in place."""
        with labelled_code_blocks(self.settings.get("CODE_HIGHLIGHT_ALIASES", {})):
            return super().read(source_path)
