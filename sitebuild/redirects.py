"""The map of old addresses to new that a build writes and the publisher and servers read."""

import json
import os
import threading
from pathlib import Path

from sitebuild.staging import write_atomically

# In the output's root, so it travels with the site it belongs to; the publisher keeps it out of
# the bucket and puts it in CloudFront's key-value store instead.
REDIRECTS_FILE = ".redirects.json"


def write_redirects(output: Path, redirects: dict[str, str]) -> None:
    """Write the map, keys sorted, into the output."""
    text = json.dumps(dict(sorted(redirects.items())), indent=1, ensure_ascii=False) + "\n"
    write_atomically(output / REDIRECTS_FILE, text.encode("utf-8"))


def read_redirects(output: Path) -> dict[str, str]:
    """The map a build wrote into the output; empty when it wrote none."""
    try:
        return json.loads((output / REDIRECTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def moved_to(redirects: dict[str, str], path: str) -> str | None:
    """Where an old address now is, as the hosting answers: the path, or the path with its slash."""
    with_slash = path if path.endswith("/") else path + "/"
    return redirects.get(path) or redirects.get(with_slash)


class ServedRedirects:
    """The map of the site a local server serves, read again whenever a build replaces it."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.lock = threading.Lock()
        self.identity: tuple[int, int, int] | None = None
        self.redirects: dict[str, str] = {}

    def target(self, path: str) -> str | None:
        """Where an old address (as the browser sent it, percent-encoded) now is, or None."""
        try:
            status = os.stat(self.output / REDIRECTS_FILE)
            identity = (status.st_ino, status.st_size, status.st_mtime_ns)
        except OSError:
            return None
        with self.lock:  # servers answer requests on several threads
            if identity != self.identity:
                self.identity, self.redirects = identity, read_redirects(self.output)
            return moved_to(self.redirects, path)
