"""Synthetic corpora for the benchmarks, written by the shared corpus generator."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# The generator the project's speed targets were measured with; kept outside the repository.
GENERATOR = Path(
    os.environ.get("BENCH_CORPUS_GENERATOR", PROJECT.parent / "shared/bench/make_corpus.py")
)


class CorpusError(Exception):
    """The corpus generator is missing or failed."""


def write_corpus(folder: Path, posts: int, flavor: str) -> Path:
    """Write posts in one flavor (engine or pelican-stock) into folder; return it."""
    if not GENERATOR.is_file():
        raise CorpusError(f"{GENERATOR}: corpus generator not found (set BENCH_CORPUS_GENERATOR)")
    command = [sys.executable, str(GENERATOR), str(folder), "--posts", str(posts)]
    result = subprocess.run([*command, "--flavor", flavor], capture_output=True, text=True)
    if result.returncode != 0:
        raise CorpusError(f"{GENERATOR}: {result.stderr.strip()}")
    if flavor == "engine":
        # The site's own pages (about, search, 404), which its templates link to.
        shutil.copytree(PROJECT / "content" / "pages", folder / "pages")
    return folder
