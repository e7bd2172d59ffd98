"""The map of old addresses to new that a build writes and the publisher and servers read."""

import json
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
