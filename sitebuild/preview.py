"""Serve the built site on loopback, plainly or with rebuild-and-reload on every edit."""

import functools
import html
import http
import http.server
import logging
import mimetypes
import re
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import watchfiles
from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado import ioloop
from tornado.web import HTTPError

from sitebuild.policy import allowing_inline_script, site_policy
from sitebuild.rebuild import PreviewBuild, is_within
from sitebuild.redirects import REDIRECTS_FILE, ServedRedirects
from sitebuild.staging import attempted_tree

logger = logging.getLogger(__name__)

# How long the watcher waits for more changes after one, so a save that writes several files
# (or an editor's rename dance) is one rebuild.
STEP_MS = 50
# Seconds from a full rebuild's reload to reading the site again for the rebuilds after it.
WARM_DELAY = 1.0

# Everything whose change can change the site.
WATCHED = ("content", "theme", "plugins", "sitebuild", "pelicanconf.py")

# Shown at the top of every page while the last rebuild is broken: the site the failed build
# attempted is served, as far as it got. livereload adds its script before </head>, so each
# page reloads itself when the next rebuild is done.
PROBLEMS_PANEL = """<aside class="build-problems" role="alert">
<h2>Build failed</h2>
<p>This is the site the failed build attempted; output/ keeps the last good build. Fix the
problems below and save: this page reloads.</p>
<pre>{problems}</pre>
</aside>
"""
# Shown for a page the failed build did not write.
BUILD_ERROR_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Build failed</title></head>
<body>
{panel}
</body>
</html>
"""
BODY_START = re.compile(r"<body[^>]*>", re.IGNORECASE)


def error_page_handler(build: PreviewBuild) -> type[StaticFileHandler]:
    """Return a static file handler that shows the build's problems while the build is broken.

    The pages the failed build did write (its attempt) are served, each with the problems in a
    panel at its top; a page it did not write is the problems alone.
    """

    redirects = ServedRedirects(build.output)

    class BuildAwareHandler(StaticFileHandler):
        policy = ""

        def set_default_headers(self) -> None:
            """Send the site's Content-Security-Policy, as the hosting does."""
            if self.policy:
                self.set_header("Content-Security-Policy", self.policy)

        def get(self, path: str, include_body: bool = True):
            """Serve the file, or the attempted one with the problems while the build is broken."""
            # An old address answers as the hosting does (the redirects plugin's map); the map
            # itself is the build's, not the site's.
            target = redirects.target(self.request.path)
            if target is not None:
                return self.redirect(target, permanent=True)
            if path == REDIRECTS_FILE:
                raise HTTPError(404)
            if build.problems is None:
                return super().get(path, include_body)
            attempted = attempted_file(attempted_tree(build.output), path)
            if path != "" and not path.endswith(("/", ".html")):
                # Assets as the attempted pages name them (a new stylesheet's hashed name).
                if attempted is None:
                    return super().get(path, include_body)
                kind = mimetypes.guess_type(attempted.name)[0] or "application/octet-stream"
                self.set_header("Content-Type", kind)
                return self.finish(attempted.read_bytes())
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            panel = PROBLEMS_PANEL.format(problems=html.escape(build.problems))
            if attempted is None:
                return self.finish(BUILD_ERROR_PAGE.format(panel=panel))
            page = attempted.read_text(encoding="utf-8", errors="replace")
            return self.finish(with_panel(page, panel))

    return BuildAwareHandler


def attempted_file(root: Path, path: str) -> Path | None:
    """The file the failed build wrote for a URL path, or None."""
    candidate = (root / path.lstrip("/")).resolve()
    if not candidate.is_relative_to(root.resolve()):
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def with_panel(page: str, panel: str) -> str:
    """The page with the problems panel first in its body."""
    match = BODY_START.search(page)
    at = match.end() if match else 0
    return page[:at] + panel + page[at:]


class PolicyRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files with the site's Content-Security-Policy and redirects, as the hosting does."""

    policy = ""
    redirects: ServedRedirects | None = None

    def send_head(self):
        """Answer an old address with its new one; keep the redirect map itself unserved."""
        path = urlsplit(self.path).path
        target = self.redirects.target(path) if self.redirects else None
        if target is not None:
            self.send_response(http.HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path == "/" + REDIRECTS_FILE:
            self.send_error(http.HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

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
    served = {"policy": policy, "redirects": ServedRedirects(output)}
    handler_class = type("SiteRequestHandler", (PolicyRequestHandler,), served)
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
