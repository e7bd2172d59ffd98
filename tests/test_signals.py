"""Pelican's contract: every page and feed of the site is announced, whether rendered or kept.

A probe plugin (tests/probe_plugins/signal_probe), standing in for ecosystem plugins that work
on written output, records what `content_written` and `feed_written` announce. It must see the
same files, and all of the site's pages and feeds, on a clean build, a build where nothing
changed, a build after a text edit, and the preview's warm rebuild after a text edit.
"""

from pathlib import Path

import pytest

from sitebuild.build import build_site
from sitebuild.rebuild import PreviewBuild
from sitebuild.redirects import REDIRECTS_FILE
from tests.conftest import GOOD_POST, REPO

pytestmark = pytest.mark.slow

OTHER_POST = """Title: Another post
Date: 2020-01-03
Category: Testing, Notes

Another post, shown in listings and feeds.
"""
PROBE_SETTINGS = """
PLUGIN_PATHS = [*PLUGIN_PATHS, {probe!r}]
PLUGINS = [*PLUGINS, "signal_probe"]
SIGNAL_PROBE_LOG = {log!r}
"""


@pytest.fixture
def probed(project_copy, tmp_path) -> tuple[Path, Path]:
    """A copy of the project with the probe plugin on; return it and the probe's log."""
    project = project_copy({"good.md": GOOD_POST, "other.md": OTHER_POST})
    log = tmp_path / "probe.log"
    settings = project / "pelicanconf.py"
    probe = str(REPO / "tests" / "probe_plugins")
    settings.write_text(settings.read_text() + PROBE_SETTINGS.format(probe=probe, log=str(log)))
    return project, log


def announced(log: Path) -> list[str]:
    """What the probe recorded since the log was last cleared, and clear it."""
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def site_files(output: Path) -> set[str]:
    """The pages and feeds of a built site: not theme assets, search index or redirect map."""
    return {
        path.relative_to(output).as_posix()
        for path in output.rglob("*")
        if path.is_file()
        and path.relative_to(output).parts[0] not in ("theme", "pagefind", REDIRECTS_FILE)
    }


def build(project: Path) -> Path:
    """Build the project copy as `invoke build` does."""
    return build_site(project / "pelicanconf.py", project / "output")


def edit_text(project: Path) -> None:
    """Change one sentence of one post."""
    post = project / "content" / "good.md"
    post.write_text(post.read_text().replace("This post is fine.", "Edited words."), "utf-8")


def test_every_build_announces_every_page_and_feed_once(probed):
    project, log = probed
    seen = {}
    for name, change in (
        ("clean", None),
        ("nothing changed", None),
        ("text edited", edit_text),
    ):
        if change:
            change(project)
        output = build(project)
        seen[name] = announced(log)
        assert len(seen[name]) == len(set(seen[name])), f"{name}: a file announced twice"
        files = {line.split(" ", 1)[1] for line in seen[name]}
        assert files == site_files(output), name
    feeds = {line for line in seen["clean"] if line.startswith("feed_written ")}
    assert "feed_written feeds/all.atom.xml" in feeds and len(feeds) >= 3
    assert set(seen["nothing changed"]) == set(seen["clean"]) == set(seen["text edited"])


def test_the_warm_preview_announces_what_a_full_build_does(probed):
    project, log = probed
    preview = PreviewBuild(project, project / "pelicanconf.py", project / "output")
    preview()
    preview.finish_indexing()
    full = announced(log)
    assert preview.warm is not None
    edit_text(project)
    preview([str(project / "content" / "good.md")])
    preview.finish_indexing()
    assert preview.problems is None, preview.problems
    assert "Edited" in (project / "output/2020/01/02/a-good-post/index.html").read_text()
    assert sorted(announced(log)) == sorted(full)
