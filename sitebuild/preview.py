"""Serve the built site on loopback, plainly or with rebuild-and-reload on every edit."""

import functools
import html
import http.server
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles
from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado import ioloop

from sitebuild.policy import allowing_inline_script, site_policy
from sitebuild.rebuild import PreviewBuild, is_within

logger = logging.getLogger(__name__)

# How long the watcher waits for more changes after one, so a save that writes several files
# (or an editor's rename dance) is one rebuild.
STEP_MS = 50
# Seconds from a full rebuild's reload to reading the site again for the rebuilds after it.
WARM_DELAY = 1.0

# Everything whose change can change the site.
WATCHED = ("content", "theme", "plugins", "sitebuild", "pelicanconf.py")

# Shown instead of any page while the last rebuild is broken; livereload adds its script
# before </head>, so the page reloads itself once the problem is fixed.
BUILD_ERROR_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Build failed</title></head>
<body>
<h1>Build failed</h1>
<p>The last good build is kept in output/. Fix the problem below and save; this page reloads.</p>
<pre>{problems}</pre>
</body>
</html>
"""


def error_page_handler(build: PreviewBuild) -> type[StaticFileHandler]:
    """Return a static file handler that answers page requests with the build's problems."""

    class BuildAwareHandler(StaticFileHandler):
        policy = ""

        def set_default_headers(self) -> None:
            """Send the site's Content-Security-Policy, as the hosting does."""
            if self.policy:
                self.set_header("Content-Security-Policy", self.policy)

        def get(self, path: str, include_body: bool = True):
            """Serve the file, or the error page for a page request while the build is broken."""
            is_page = path == "" or path.endswith(("/", ".html"))
            if build.problems is None or not is_page:
                return super().get(path, include_body)
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            return self.finish(BUILD_ERROR_PAGE.format(problems=html.escape(build.problems)))

    return BuildAwareHandler


class PolicyRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files with the site's Content-Security-Policy, as the hosting does."""

    policy = ""

    def end_headers(self) -> None:
        """Add the policy to every response."""
        if self.policy:
            self.send_header("Content-Security-Policy", self.policy)
        super().end_headers()


class PolicyServer(Server):
    """livereload's server, sending the site's policy with livereload's own snippet allowed."""

    def __init__(self, policy: str, **options) -> None:
        super().__init__(**options)
        self.policy = policy

    def get_web_handlers(self, script: bytes) -> list:
        """The static handlers, told the policy that lets the reload snippet run."""
        self.SFH.policy = allowing_inline_script(self.policy, script)
        return super().get_web_handlers(script)


def serve_static(output: Path, host: str, port: int, policy: str = "") -> None:
    """Serve output over HTTP, with the site's Content-Security-Policy, until interrupted."""
    handler_class = type("SiteRequestHandler", (PolicyRequestHandler,), {"policy": policy})
    handler = functools.partial(handler_class, directory=str(output))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        logger.info("serving %s at http://%s:%d/ (Ctrl-C stops)", output, host, port)
        server.serve_forever()


class FileEventWatcher(Watcher):
    """livereload's watcher, woken by the system's file events instead of polling every 0.8 s.

    A save reaches the rebuild within about STEP_MS, and one rebuild answers every file
    changed together, even in several watched folders.
    """

    def __init__(self) -> None:
        super().__init__()
        self.changed: set[str] = set()
        self.lock = threading.Lock()

    def start(self, callback) -> bool:
        """Watch every task's path in a thread that wakes the server's loop on changes."""
        loop = ioloop.IOLoop.current()
        paths = list(self._tasks)

        def watch() -> None:
            for changes in watchfiles.watch(*paths, step=STEP_MS, raise_interrupt=False):
                with self.lock:
                    self.changed.update(path for _, path in changes)
                loop.add_callback(callback)

        threading.Thread(target=watch, name="file-events", daemon=True).start()
        return True

    def examine(self) -> tuple[str | None, None]:
        """Run each task whose path saw a change, once; return a changed path."""
        with self.lock:
            changed, self.changed = self.changed, set()
        self.filepath = min(changed) if changed else None
        tasks = {
            id(task["func"]): task["func"]
            for path, task in self._tasks.items()
            if task["func"] and any(is_within(file, path) for file in changed)
        }
        for task in tasks.values():
            task(sorted(changed))
        return self.filepath, None


def serve_with_reload(
    project: Path, settings_file: Path, output: Path, host: str, port: int
) -> None:
    """Build, serve output, and rebuild and reload the browser whenever a source changes."""
    output.mkdir(parents=True, exist_ok=True)

    # Reading the site for the next rebuilds waits a moment, so the browser gets its reload and
    # the page it then asks for first.
    def later(work: Callable[[], None]) -> None:
        ioloop.IOLoop.current().call_later(WARM_DELAY, work)

    build = PreviewBuild(project, settings_file, output, later=later)
    build()
    # livereload drops a reload that comes within 3 s of the previous one, so a quick second
    # save would leave the browser on a stale page; every rebuild here must reach the browser.
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    server = PolicyServer(site_policy(settings_file), watcher=FileEventWatcher())
    server.SFH = error_page_handler(build)
    for name in WATCHED:
        path = project / name
        if path.exists():
            server.watch(str(path), build)
    server.serve(host=host, port=port, root=str(output), restart_delay=0)
