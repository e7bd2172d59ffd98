"""The preview server: serves the site on loopback, rebuilds on edits and tells the browser."""

import asyncio
import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tornado.websocket import websocket_connect

import pelicanconf
from sitebuild.redirects import write_redirects
from tests.conftest import GOOD_POST, free_port

pytestmark = pytest.mark.slow

STARTUP_SECONDS = 60
REBUILD_SECONDS = 30
POST_PATH = "/2020/01/02/a-good-post/"


def fetch(url: str) -> str | None:
    """Return the page's text, or None when the server does not answer with it."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def fetch_error(url: str) -> tuple[int, str] | None:
    """Return the status and text of an error response, or None if there was none."""
    try:
        with urllib.request.urlopen(url, timeout=5):
            return None
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll condition until it holds, failing the test after the given number of seconds."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {seconds}s waiting for {what}")
        time.sleep(0.2)


class Preview:
    """A running `invoke preview` over a copy of the project."""

    def __init__(self, project: Path, port: int, log: Path) -> None:
        self.project = project
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.log = log

    def page(self, path: str = POST_PATH) -> str | None:
        """Fetch a page of the running site."""
        return fetch(self.base + path)

    def output(self) -> str:
        """Everything the server printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def write_post(self, name: str, text: str) -> None:
        """Create or replace a post, as an editor saving a file would."""
        (self.project / "content" / name).write_text(text, encoding="utf-8")


@contextlib.contextmanager
def invoke_server(task: str, project: Path, port: int, log: Path) -> Iterator[None]:
    """Run a serving invoke task in the background; stop it and its children on exit."""
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "invoke", task, "--port", str(port)],
            cwd=project,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture
def preview(project_copy, tmp_path):
    """A running `invoke preview` on a free loopback port, its first build done."""
    project = project_copy({"good.md": GOOD_POST})
    server = Preview(project, free_port(), tmp_path / "preview.log")
    with invoke_server("preview", project, server.port, server.log):
        wait_for(lambda: server.page() is not None, STARTUP_SECONDS, "the first build")
        yield server


def test_serves_the_built_site_with_the_reload_script(preview):
    page = preview.page()
    assert "This post is" in page
    assert "livereload.js" in page
    assert "A good" in preview.page("/")


def test_an_edited_post_is_rebuilt(preview):
    preview.write_post("good.md", GOOD_POST.replace("This post is fine.", "Edited words here."))
    wait_for(lambda: "Edited words" in (preview.page() or ""), REBUILD_SECONDS, "the edit")


def test_an_edited_template_is_rebuilt(preview):
    footer = preview.project / "theme" / "templates" / "partials" / "footer.html"
    footer.write_text("<footer>Footer edited</footer>\n", encoding="utf-8")
    wait_for(lambda: "Footer edited" in (preview.page() or ""), REBUILD_SECONDS, "the theme edit")


def test_a_broken_post_is_shown_in_terminal_and_browser_and_output_kept(preview):
    built_page = preview.project / "output" / POST_PATH.strip("/") / "index.html"
    last_good_build = built_page.read_text(encoding="utf-8")
    preview.write_post("broken.md", "Date: 2020-01-05\n\nNo title.\n")
    wait_for(lambda: "broken.md" in preview.output(), REBUILD_SECONDS, "the error report")
    assert "could not find information about 'title'" in preview.output()
    status, page = fetch_error(preview.base + POST_PATH)
    assert status == 500
    assert "content/broken.md: could not find information about &#x27;title&#x27;" in page
    assert "livereload.js" in page
    # The pages the failed build wrote are served, the problems in a panel at their top.
    assert 'class="build-problems"' in page and "This post is" in page
    assert page.index("build-problems") < page.index("<p>This post is")
    assert built_page.read_text(encoding="utf-8") == last_good_build
    preview.write_post("broken.md", "Title: Mended\nDate: 2020-01-05\n\nNow fine.\n")
    wait_for(lambda: preview.page("/2020/01/05/mended/") is not None, REBUILD_SECONDS, "the fix")


def test_a_broken_template_is_reported_and_the_server_keeps_running(preview):
    base = preview.project / "theme" / "templates" / "base.html"
    good_template = base.read_text(encoding="utf-8")
    base.write_text(good_template + "{% endblock %}\n", encoding="utf-8")
    wait_for(lambda: "base.html" in preview.output(), REBUILD_SECONDS, "the template error")
    # The build wrote no page: the problems alone.
    status, page = fetch_error(preview.base + "/")
    assert status == 500 and "base.html" in page and "<h1>" not in page
    # Assets still load while a page shows the error.
    stylesheet = next((preview.project / "output" / "theme" / "css").glob("site.*.css"))
    assert fetch(f"{preview.base}/theme/css/{stylesheet.name}") is not None
    base.write_text(good_template.replace("</main>", "<p>Template mended</p></main>"), "utf-8")
    wait_for(lambda: "Template mended" in (preview.page() or ""), REBUILD_SECONDS, "the fix")


async def reload_after(url: str, edit: Callable[[], None]) -> dict:
    """Connect as livereload.js does, make the edit and return the reload it causes."""
    connection = await websocket_connect(url)
    try:
        hello = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}
        connection.write_message(json.dumps(hello))
        assert json.loads(await connection.read_message())["command"] == "hello"
        connection.write_message(json.dumps({"command": "info", "url": "http://127.0.0.1/"}))
        edit()
        while True:
            message = json.loads(await connection.read_message())
            # The server also reloads browsers once when it starts, for no file ("*").
            if message["command"] == "reload" and message["path"] != "*":
                return message
    finally:
        connection.close()


def test_the_browser_is_told_to_reload_after_an_edit(preview):
    def edit() -> None:
        preview.write_post("good.md", GOOD_POST.replace("fine", "reloaded"))

    url = f"ws://127.0.0.1:{preview.port}/livereload"
    try:
        # A thread of its own: Playwright's sync API may already run an event loop in this one.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
            listening = asyncio.wait_for(reload_after(url, edit), REBUILD_SECONDS)
            executor.submit(asyncio.run, listening).result()
    except TimeoutError:
        pytest.fail(preview.output())
    # The reload comes after the rebuild, so the browser gets the new page.
    assert "reloaded" in preview.page()


def test_serve_serves_output_as_it_is(project_copy, tmp_path):
    project = project_copy({"good.md": GOOD_POST})
    output = project / "output" / "2020" / "01" / "02" / "a-good-post"
    output.mkdir(parents=True)
    (output / "index.html").write_text("<p>served as is</p>", encoding="utf-8")
    port = free_port()
    with invoke_server("serve", project, port, tmp_path / "serve.log"):
        url = f"http://127.0.0.1:{port}{POST_PATH}"
        wait_for(lambda: fetch(url) is not None, STARTUP_SECONDS, "the server")
        assert fetch(url) == "<p>served as is</p>"


def first_answer(url: str) -> tuple[int, str | None]:
    """The status and Location of the server's answer to url, redirects not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def test_serve_answers_old_addresses_as_the_hosting_does(project_copy, tmp_path):
    project = project_copy({"good.md": GOOD_POST})
    page = project / "output" / POST_PATH.strip("/") / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>the post</p>", encoding="utf-8")
    write_redirects(project / "output", {"/a-good-post.html": POST_PATH, "/caf%C3%A9/": POST_PATH})
    port = free_port()
    with invoke_server("serve", project, port, tmp_path / "serve.log"):
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: fetch(base + POST_PATH) is not None, STARTUP_SECONDS, "the server")
        assert first_answer(base + "/a-good-post.html") == (301, POST_PATH)
        assert first_answer(base + "/caf%C3%A9") == (301, POST_PATH)  # a folder, slash left off
        assert first_answer(base + "/a-good-post.htm")[0] == 404
        assert first_answer(base + "/.redirects.json")[0] == 404
        assert fetch(base + "/a-good-post.html") == "<p>the post</p>"


def test_the_preview_answers_old_addresses_from_the_map_of_its_latest_build(project_copy, tmp_path):
    project = project_copy({"good.md": GOOD_POST})
    settings = project / "pelicanconf.py"
    patterns = '\nREDIRECTS_ARTICLE_PATTERNS = ["{slug}.html"]\n'
    settings.write_text(settings.read_text(encoding="utf-8") + patterns, encoding="utf-8")
    server = Preview(project, free_port(), tmp_path / "preview.log")
    with invoke_server("preview", project, server.port, server.log):
        wait_for(lambda: server.page() is not None, STARTUP_SECONDS, "the first build")
        assert first_answer(server.base + "/a-good-post.html") == (301, POST_PATH)
        assert first_answer(server.base + "/.redirects.json")[0] == 404
        server.write_post("other.md", GOOD_POST.replace("A good post", "Another post"))
        moved = "/2020/01/02/another-post/"
        wait_for(
            lambda: first_answer(server.base + "/another-post.html") == (301, moved),
            REBUILD_SECONDS,
            "the new post's old address",
        )


def response_policy(url: str) -> str | None:
    """The Content-Security-Policy header a local server sends with a page."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.headers.get("Content-Security-Policy")


def test_serve_sends_the_sites_policy(project_copy, tmp_path):
    project = project_copy({"good.md": GOOD_POST})
    (project / "output").mkdir()
    (project / "output" / "index.html").write_text("<p>home</p>", encoding="utf-8")
    port = free_port()
    with invoke_server("serve", project, port, tmp_path / "serve.log"):
        url = f"http://127.0.0.1:{port}/"
        wait_for(lambda: fetch(url) is not None, STARTUP_SECONDS, "the server")
        assert response_policy(url) == pelicanconf.CONTENT_SECURITY_POLICY


def test_the_preview_sends_the_sites_policy_allowing_only_its_reload_snippet(preview, chromium):
    policy = response_policy(preview.base + POST_PATH).split("; ")
    site_policy = pelicanconf.CONTENT_SECURITY_POLICY.split("; ")
    changed = [(ours, site) for ours, site in zip(policy, site_policy, strict=True) if ours != site]
    ((script_src, site_script_src),) = changed
    assert re.fullmatch(re.escape(site_script_src) + r" 'sha256-[A-Za-z0-9+/]{43}='", script_src)
    page = chromium.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text))
    page.goto(preview.base + POST_PATH)
    # livereload's client script loads only if its inline loader was allowed to run.
    page.wait_for_function("() => typeof window.LiveReload === 'object'", timeout=10_000)
    assert [v for v in violations if "Content Security Policy" in v] == []
    page.close()
