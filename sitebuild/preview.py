"""Serve the built site on loopback, plainly or with rebuild-and-reload on every edit."""

import functools
import http.server
import logging
import subprocess
import sys
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler

logger = logging.getLogger(__name__)

# Everything whose change can change the site.
WATCHED = ("content", "theme", "plugins", "sitebuild", "pelicanconf.py")


def serve_static(output: Path, host: str, port: int) -> None:
    """Serve output over HTTP until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        logger.info("serving %s at http://%s:%d/ (Ctrl-C stops)", output, host, port)
        server.serve_forever()


def rebuild(project: Path, settings_file: Path, output: Path) -> bool:
    """Build in a fresh process, so edits to plugins and settings apply; report success."""
    command = [sys.executable, "-m", "sitebuild", "--settings", str(settings_file)]
    command += ["--output", str(output)]
    # The build prints its own problems; a failure keeps the last good site on screen.
    result = subprocess.run(command, cwd=project, check=False)
    if result.returncode:
        logger.error("rebuild failed; still serving the last good build. Fix the file above.")
    return result.returncode == 0


def serve_with_reload(
    project: Path, settings_file: Path, output: Path, host: str, port: int
) -> None:
    """Build, serve output, and rebuild and reload the browser whenever a source changes."""
    output.mkdir(parents=True, exist_ok=True)
    rebuild(project, settings_file, output)
    # livereload drops a reload that comes within 3 s of the previous one, so a quick second
    # save would leave the browser on a stale page; every rebuild here must reach the browser.
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    server = Server()
    on_change = functools.partial(rebuild, project, settings_file, output)
    for name in WATCHED:
        path = project / name
        if path.exists():
            server.watch(str(path), on_change)
    server.serve(host=host, port=port, root=str(output), restart_delay=0)
