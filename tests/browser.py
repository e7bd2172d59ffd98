"""Headless Debian Chromium through Playwright, and a loopback server for built sites."""

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

from sitebuild.preview import PolicyRequestHandler

CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google's services, which this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietHandler(PolicyRequestHandler):
    """Serve files, with the site's Content-Security-Policy, without logging every request."""

    def log_message(self, format: str, *args: object) -> None:
        """Drop the request line."""


@contextlib.contextmanager
def serving(directory: Path, content_security_policy: str = "") -> Iterator[str]:
    """Serve a directory on 127.0.0.1 for the duration, yielding its base URL."""
    handler_class = type("Handler", (QuietHandler,), {"policy": content_security_policy})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def launch(playwright):
    """Start Debian's Chromium headless; a missing Chromium is a failure that says how to fix it."""
    assert CHROMIUM.exists(), "browser tests need Debian's Chromium: apt-get install chromium"
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
