"""Serve the built site on loopback, plainly or with rebuild-and-reload on every edit."""

import functools
import html
import http.server
import logging
import subprocess
import sys
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler

logger = logging.getLogger(__name__)

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


class PreviewBuild:
    """Rebuild the site in a fresh process and remember what broke the last rebuild, if anything."""

    def __init__(self, project: Path, settings_file: Path, output: Path) -> None:
        self.project = project
        self.command = [sys.executable, "-m", "sitebuild", "--settings", str(settings_file)]
        self.command += ["--output", str(output)]
        self.problems: str | None = None

    def __call__(self) -> None:
        """Rebuild; a fresh process picks up edits to plugins, settings and build code alike."""
        result = subprocess.run(
            self.command, cwd=self.project, capture_output=True, text=True, check=False
        )
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        self.problems = result.stderr if result.returncode else None
        if self.problems:
            logger.error("rebuild failed; output/ keeps the last good build")


def error_page_handler(build: PreviewBuild) -> type[StaticFileHandler]:
    """Return a static file handler that answers page requests with the build's problems."""

    class BuildAwareHandler(StaticFileHandler):
        def get(self, path: str, include_body: bool = True):
            """Serve the file, or the error page for a page request while the build is broken."""
            is_page = path == "" or path.endswith(("/", ".html"))
            if build.problems is None or not is_page:
                return super().get(path, include_body)
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            return self.finish(BUILD_ERROR_PAGE.format(problems=html.escape(build.problems)))

    return BuildAwareHandler


def serve_static(output: Path, host: str, port: int) -> None:
    """Serve output over HTTP until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        logger.info("serving %s at http://%s:%d/ (Ctrl-C stops)", output, host, port)
        server.serve_forever()


def serve_with_reload(
    project: Path, settings_file: Path, output: Path, host: str, port: int
) -> None:
    """Build, serve output, and rebuild and reload the browser whenever a source changes."""
    output.mkdir(parents=True, exist_ok=True)
    build = PreviewBuild(project, settings_file, output)
    build()
    # livereload drops a reload that comes within 3 s of the previous one, so a quick second
    # save would leave the browser on a stale page; every rebuild here must reach the browser.
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    server = Server()
    server.SFH = error_page_handler(build)
    for name in WATCHED:
        path = project / name
        if path.exists():
            server.watch(str(path), build)
    server.serve(host=host, port=port, root=str(output), restart_delay=0)
