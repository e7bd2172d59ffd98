"""Time the preview's edit loop: from saving a post to the browser being told to reload."""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tornado.websocket import websocket_connect

from bench.corpus import PROJECT
from bench.measure import wait_until_idle

# What a preview needs besides content; copied so the benchmark never touches the real site.
PROJECT_PARTS = ("pelicanconf.py", "tasks.py", "theme", "plugins")
STARTUP_SECONDS = 600
EDIT_SECONDS = 120
# Time for the previous rebuild to finish its search index, as between two real saves.
PAUSE_SECONDS = 3


class EditLoopError(Exception):
    """The preview did not start, or did not show an edit."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    """A page's text, or None if the server does not answer with one."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


@contextlib.contextmanager
def running_preview(project: Path, port: int) -> Iterator[int]:
    """Run `invoke preview` on the project until the block ends."""
    with (project / "preview.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "preview", "--port", str(port)],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while fetch(f"http://127.0.0.1:{port}/") is None:
            if time.monotonic() > deadline or process.poll() is not None:
                raise EditLoopError((project / "preview.log").read_text()[-2000:])
            time.sleep(0.2)
        yield process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have died on its own
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


async def seconds_to_reload(port: int, edit) -> float:
    """Connect as the browser's livereload script does, edit, and time the reload message."""
    connection = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    try:
        hello = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}
        connection.write_message(json.dumps(hello))
        await connection.read_message()
        # livereload only tells a client that has said which page it shows.
        connection.write_message(json.dumps({"command": "info", "url": "http://127.0.0.1/"}))
        started = time.perf_counter()
        edit()
        while True:
            message = json.loads(await connection.read_message())
            if message["command"] == "reload" and message["path"] != "*":
                return time.perf_counter() - started
    finally:
        connection.close()


def post_url(source: str) -> str:
    """The URL path of a corpus post, from its Date and Slug lines."""
    fields = dict(line.split(": ", 1) for line in source.split("\n\n", 1)[0].splitlines())
    year, month, day = fields["Date"][:10].split("-")
    return f"/{year}/{month}/{day}/{fields['Slug']}/"


def settle(preview: int) -> None:
    """Pause as a writer does between saves, until the preview has finished its work.

    That is the last rebuild, its search index, and reading the site for the next rebuilds
    (seconds, on a large site).
    """
    time.sleep(PAUSE_SECONDS)
    wait_until_idle(preview, STARTUP_SECONDS)
    os.sync()  # as between builds (run_measured): the disk is idle when the edit is saved


def time_edits(preview: int, port: int, post: Path, edits: int, title: bool) -> list[float]:
    """Edit the post's body (or title) several times; return seconds to each reload."""
    times = []
    for number in range(edits):
        settle(preview)
        original = post.read_text(encoding="utf-8")
        marker = f"benchmarkedit{number}at{time.time_ns()}"
        if title:
            changed = original.replace("Title: ", f"Title: {marker} ", 1)
        else:
            changed = original + f"\n{marker}.\n"

        def edit(text: str = changed) -> None:
            post.write_text(text, encoding="utf-8")

        seconds = asyncio.run(asyncio.wait_for(seconds_to_reload(port, edit), EDIT_SECONDS))
        page = fetch(f"http://127.0.0.1:{port}{post_url(changed)}") or ""
        if marker not in page:
            raise EditLoopError(f"the reloaded page does not show the edit to {post.name}")
        times.append(seconds)
    return times


def measure_edit_loop(
    corpus: Path, workspace: Path, edits: int, post_name: str | None = None, titles: bool = True
) -> dict[str, list[float]]:
    """Seconds from save to reload for each body edit (and title edit) of one post."""
    project = workspace / "preview-project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = PROJECT / part
        if source.is_dir():
            shutil.copytree(source, project / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / part)
    shutil.copytree(corpus, project / "content")
    posts = sorted((project / "content").glob("*.md"))
    post = project / "content" / post_name if post_name else posts[len(posts) // 2]
    port = free_port()
    with running_preview(project, port) as preview:
        times = {"body_edit": time_edits(preview, port, post, edits, title=False)}
        if titles:
            times["title_edit"] = time_edits(preview, port, post, edits, title=True)
    return times
