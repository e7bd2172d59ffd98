"""A stand-in for an ecosystem plugin: it records every file Pelican announces as written.

Plugins such as a sitemap or an image pipeline work from `content_written` and `feed_written`;
this one appends each announced path (relative to the output folder) to SIGNAL_PROBE_LOG.
"""

import logging
import os

from pelican import signals

logger = logging.getLogger(__name__)


def record(kind: str, path: str, settings: dict) -> None:
    """Append one announcement to the probe's log, when the build names one."""
    log = settings.get("SIGNAL_PROBE_LOG")
    if log:
        relative = os.path.relpath(path, settings["OUTPUT_PATH"])
        with open(log, "a", encoding="utf-8") as file:
            file.write(f"{kind} {relative}\n")


def page_written(path: str, context: dict) -> None:
    """Record a page."""
    record("content_written", path, context)


def feed_written(path: str, context: dict, feed) -> None:
    """Record a feed."""
    record("feed_written", path, context)


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.content_written.connect(page_written)
    signals.feed_written.connect(feed_written)
