"""Read the original WordPress export and fold text so the seed and built pages compare fairly."""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The original export, kept in the project as a fixture (content/README.md says where it came from).
EXPORT = REPO / "tests" / "fixtures" / "wordpress-export.txt"

# Typography that typogrify (or the original WordPress) may add or remove.
TYPOGRAPHY_FOLDS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
}


@dataclass(frozen=True)
class SeedPost:
    """One post of the export: its categories line, title and body lines."""

    categories: str
    title: str
    body: tuple[str, ...]


def fold(text: str) -> str:
    """Fold curly quotes, dashes, ellipses, non-breaking and repeated spaces."""
    text = unicodedata.normalize("NFC", text)
    for fancy, plain in TYPOGRAPHY_FOLDS.items():
        text = text.replace(fancy, plain)
    return re.sub(r"\s+", " ", text).strip()


def fold_seed_line(line: str) -> str:
    """Fold a seed line and drop the list bullet the export put in front of list items."""
    return fold(re.sub(r"^\s*\u2022\s*", "", line))


def seed_lines() -> list[str]:
    """Return the export's lines; the export is a single text file."""
    return EXPORT.read_text(encoding="utf-8").splitlines()


def split_seed(titles: list[str]) -> dict[str, SeedPost]:
    """Split the export into posts keyed by folded title; each starts categories, blank, title."""
    lines = seed_lines()
    folded = [fold(line) for line in lines]
    starts = sorted(folded.index(fold(title)) for title in titles)
    posts = {}
    for number, start in enumerate(starts):
        end = starts[number + 1] - 2 if number + 1 < len(starts) else len(lines)
        posts[folded[start]] = SeedPost(
            categories=lines[start - 2],
            title=folded[start],
            body=tuple(line for line in lines[start + 1 : end] if line.strip()),
        )
    return posts
