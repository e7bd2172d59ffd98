"""Pure checks of a source file's text, each returning where the first problem is."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
# Characters XML 1.0 forbids (so no feed can carry them), which are never typed on purpose.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HEADER_KEY = re.compile(r"^(?P<key>[A-Za-z0-9][\w-]*)\s*:")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
QUOTE_MARKERS = re.compile(r"^(?:\s{0,3}>)+")


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


def find_control_character(text: str) -> tuple[int, int, str] | None:
    """Return (line, column, character) of the first character XML cannot carry, or None."""
    match = CONTROL_CHARACTER.search(text)
    if match is None:
        return None
    before = text[: match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1, match[0]


def header_lines(text: str) -> Iterator[tuple[int, str]]:
    """The numbered lines of a Markdown metadata header (up to the first blank line)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            return
        yield number, line


def repeated_keys(text: str) -> list[tuple[int, str]]:
    """(line, key) for every metadata key the header gives a second time."""
    seen: set[str] = set()
    repeats = []
    for number, line in header_lines(text):
        match = HEADER_KEY.match(line)
        if match:
            key = match["key"].lower()
            if key in seen:
                repeats.append((number, match["key"]))
            seen.add(key)
    return repeats


def header_line(path: str | os.PathLike, key: str) -> int:
    """The line of `key:` in a source's metadata header, or 1 when it cannot be found."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    for number, line in header_lines(text):
        match = HEADER_KEY.match(line)
        if match and match["key"].lower() == key.lower():
            return number
    return 1


def line_of(path: str | os.PathLike, needle: str) -> int:
    """The first line of a source holding needle, or 1 when it does not."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    offset = text.find(needle)
    return text.count("\n", 0, offset) + 1 if offset >= 0 else 1


def may_nest_deeper(text: str, depth: int) -> bool:
    """Whether any line could be nested more than depth deep (a quick look before the scan)."""
    # A line's depth never exceeds the length of its leading run of spaces, tabs and `>`.
    return re.search(rf"^[ \t>]{{{depth + 1},}}", text, re.MULTILINE) is not None


def deepest_nesting(text: str) -> tuple[int, int]:
    """(line, depth) of the most deeply nested list or quote line outside fenced code."""
    deepest = (1, 0)
    fence = None
    for number, line in enumerate(text.splitlines(), start=1):
        opened = FENCE.match(line)
        if fence is not None:
            if opened and opened[1].startswith(fence):
                fence = None
            continue
        if opened:
            fence = opened[1]
            continue
        quotes = QUOTE_MARKERS.match(line)
        rest = line[quotes.end() :] if quotes else line
        indent = len(rest.expandtabs(4)) - len(rest.expandtabs(4).lstrip(" "))
        # Markdown nests a list one level per four columns, and a quote one per `>`.
        depth = (quotes[0].count(">") if quotes else 0) + indent // 4
        if depth > deepest[1]:
            deepest = (number, depth)
    return deepest
