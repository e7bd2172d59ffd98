"""Index a built site for Pagefind, so its search page works offline with no server."""

import logging
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger(__name__)


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


def index_site(site: Path) -> None:
    """Write Pagefind's index of the pages marked data-pagefind-body into site/pagefind/."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (site / "pagefind" / "pagefind.js").is_file():
        raise SearchIndexError(f"pagefind failed: {(result.stderr or result.stdout).strip()}")
    logger.info("search index written to %s", site / "pagefind")
