"""The preview's warm site: after a text edit, writing the posts it read equals a clean build."""

import dataclasses
import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from incremental.read_cache import BuildState

from sitebuild import warm as warm_module
from sitebuild.build import BuildError, build_site
from sitebuild.rebuild import PreviewBuild
from sitebuild.warm import WarmSite, source_digests
from tests.conftest import GOOD_POST, REPO, run
from tests.pictures import photo
from tests.plugins.test_incremental import (
    Builds,
    add_post,
    delete_post,
    edit_body,
    edit_categories,
    edit_date,
    edit_title,
    tree,
)

pytestmark = pytest.mark.slow

OTHER_POST = """Title: Another post
Date: 2020-01-03
Category: Testing, Notes

Another post, whose listings show the first.
"""


def warm_site(builds: Builds) -> WarmSite:
    """The site after a full build, read as the preview reads it."""
    builds.build()
    overrides = {
        "PATH": str(builds.site.content),
        "CACHE_PATH": str(builds.root / "cache-output"),
        **builds.settings,
    }
    warm = WarmSite.read(REPO / "pelicanconf.py", builds.root / "output", overrides)
    assert warm is not None
    return warm


def warm_build(warm: WarmSite) -> Path:
    """A preview rebuild that writes the warm site."""
    return build_site(REPO / "pelicanconf.py", warm=warm, pages_ready=lambda: None)


def rewrite(builds: Builds, name: str, old: str, new: str) -> None:
    """Replace some text of one source."""
    path = builds.site.content / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def add_summary(builds: Builds) -> None:
    """Give a post a summary of its own, which the listings show instead of its first words."""
    rewrite(builds, "post8.md", "Category:", "Summary: A summary of its own.\nCategory:")


def link_a_static_file(builds: Builds) -> None:
    """Make a post link a file, which the build then publishes for it."""
    builds.site.add("notes/paper.txt", "A paper.")
    rewrite(builds, "post6.md", "Paragraph 6", "[A paper]({static}/notes/paper.txt) Paragraph 6")


def show_a_picture(builds: Builds) -> None:
    """Give a post a photo, which the images plugin sizes and offers in smaller variants."""
    builds.site.add("images/photo.jpg", photo(900, 600))
    rewrite(builds, "post6.md", "Paragraph 6", "![A photo](/images/photo.jpg)\n\nParagraph 6")


def edit_beside_the_picture(builds: Builds) -> None:
    """Change the text of the post that shows a photo."""
    rewrite(builds, "post6.md", "Paragraph 6", "Paragraph six, edited")


def edit_two_posts(builds: Builds) -> None:
    """Change the text of two posts at once."""
    edit_body(builds)
    rewrite(builds, "post2.md", "Paragraph 2", "Second paragraph, edited")


def drop_summary(builds: Builds) -> None:
    """Take a post's own summary away again."""
    rewrite(builds, "post8.md", "Summary: A summary of its own.\n", "")


TEXT_EDITS: dict[str, tuple[Callable[[Builds], None] | None, Callable[[Builds], None]]] = {
    "body": (None, edit_body),
    "two posts": (None, edit_two_posts),
    "summary added": (None, add_summary),
    "summary dropped": (add_summary, drop_summary),
    "beside a picture": (show_a_picture, edit_beside_the_picture),
}


@pytest.mark.parametrize(("before", "edit"), TEXT_EDITS.values(), ids=TEXT_EDITS)
def test_a_text_edit_is_taken_and_the_site_equals_a_clean_build(tmp_path, before, edit):
    builds = Builds(tmp_path)
    if before:
        before(builds)
    warm = warm_site(builds)
    # A plugin may have rendered posts' text while the site was read; Pelican memoises it.
    for post in warm.generators[0].context["articles"]:
        assert post.content and post.summary
    edit(builds)
    assert warm.take_text_edits()
    assert tree(warm_build(warm)) == tree(builds.clean_build())


FULL_BUILD_EDITS: dict[str, Callable[[Builds], None]] = {
    "title": edit_title,
    "date": edit_date,
    "categories": edit_categories,
    "new post": add_post,
    "deleted post": delete_post,
    "static link": link_a_static_file,
}


@pytest.mark.parametrize("edit", FULL_BUILD_EDITS.values(), ids=FULL_BUILD_EDITS)
def test_an_edit_beyond_text_is_not_taken(tmp_path, edit):
    builds = Builds(tmp_path)
    warm = warm_site(builds)
    edit(builds)
    assert not warm.take_text_edits()


def test_a_site_that_warns_while_read_is_not_kept_warm(tmp_path):
    builds = Builds(tmp_path)
    builds.site.add("odd.md", "Title: Odd\nDate: 2020-02-01\n\n```nosuchlanguage\nx\n```\n")
    builds.build()
    overrides = {"PATH": str(builds.site.content), "CACHE_PATH": str(tmp_path / "cache-output")}
    warm = WarmSite.read(REPO / "pelicanconf.py", tmp_path / "output", overrides)
    assert warm is None


def test_the_preview_writes_its_warm_site_after_a_text_edit(project_copy, tmp_path):
    project = project_copy({"good.md": GOOD_POST, "other.md": OTHER_POST})
    preview = PreviewBuild(project, project / "pelicanconf.py", project / "output")
    preview()
    warm = preview.warm
    assert warm is not None
    post = project / "content" / "good.md"
    post.write_text(GOOD_POST.replace("This post is fine.", "Edited while warm."), "utf-8")
    preview([str(post)])
    preview.finish_indexing()
    assert preview.warm is warm  # the rebuild wrote the warm site: nothing was read again
    assert preview.problems is None
    overrides = {"CACHE_PATH": str(tmp_path / "clean-cache")}
    clean = build_site(project / "pelicanconf.py", tmp_path / "clean", overrides=overrides)
    assert tree(project / "output") == tree(clean)
    page = project / "output/2020/01/02/a-good-post/index.html"
    assert "Edited while" in page.read_text(encoding="utf-8")


def test_the_preview_reads_the_site_again_after_a_title_edit(project_copy):
    project = project_copy({"good.md": GOOD_POST})
    preview = PreviewBuild(project, project / "pelicanconf.py", project / "output")
    preview()
    warm = preview.warm
    post = project / "content" / "good.md"
    post.write_text(GOOD_POST.replace("A good post", "A renamed post"), "utf-8")
    preview([str(post)])
    preview.finish_indexing()
    assert preview.warm is not None and preview.warm is not warm
    assert (project / "output/2020/01/02/a-renamed-post/index.html").is_file()


def test_a_theme_edit_while_warm_gets_a_full_rebuild(project_copy):
    project = project_copy({"good.md": GOOD_POST})
    preview = PreviewBuild(project, project / "pelicanconf.py", project / "output")
    preview()
    assert preview.warm is not None
    footer = project / "theme" / "templates" / "partials" / "footer.html"
    footer.write_text("<footer>Footer edited</footer>\n", encoding="utf-8")
    preview([str(footer)])
    preview.finish_indexing()
    assert "Footer edited" in (project / "output" / "index.html").read_text(encoding="utf-8")


RELOAD_SCRIPT = """
from pathlib import Path

from pelican.plugins import signals

from sitebuild.rebuild import PreviewBuild


def connected():
    return sum(len(s.receivers) for s in vars(signals).values() if hasattr(s, "receivers"))


project = Path.cwd()
preview = PreviewBuild(project, project / "pelicanconf.py", project / "output")
preview()
preview.wait_for_reading()  # the warm site, read in a thread, connects the plugins too
before = connected()
plugin = project / "plugins" / "page_sources" / "page_sources.py"
plugin.write_text(plugin.read_text() + "\\n# edited\\n")
preview([str(plugin)])
preview.finish_indexing()
print(before, connected(), preview.warm is not None, preview.problems is None)
"""


def test_a_plugin_edit_reloads_the_plugins_without_connecting_them_twice(project_copy):
    # In a process of its own, whose plugins are the copy's, as the preview's are.
    project = project_copy({"good.md": GOOD_POST})
    result = run([sys.executable, "-c", RELOAD_SCRIPT], cwd=project)
    assert result.returncode == 0, result.stderr
    before, after, warm, built = result.stdout.split()[-4:]
    assert int(before) > 0 and after == before
    assert warm == built == "True"


def test_a_warning_from_an_edited_post_is_reported_by_the_warm_build(tmp_path, capsys):
    builds = Builds(tmp_path)
    warm = warm_site(builds)
    rewrite(builds, "post5.md", "```ruby", "```nosuchlanguage")
    assert warm.take_text_edits()
    with pytest.raises(BuildError):
        build_site(REPO / "pelicanconf.py", warm=warm, strict=True)
    reported = capsys.readouterr().err
    assert "WARNING: " in reported
    assert "post5.md:7: code block language 'nosuchlanguage'" in reported


def test_an_edit_that_breaks_reading_is_left_to_the_full_build(tmp_path):
    builds = Builds(tmp_path)
    warm = warm_site(builds)
    rewrite(builds, "post5.md", "Date: 2020-01-05 10:00", "Date: not a date")
    assert not warm.take_text_edits()


def live_build_states() -> int:
    """How many of the incremental plugin's build states are still alive."""
    gc.collect()
    return sum(1 for thing in gc.get_objects() if type(thing) is BuildState)


def test_a_closed_warm_site_lets_go_of_all_it_read(tmp_path):
    builds = Builds(tmp_path)
    builds.build()
    before = live_build_states()
    overrides = {"PATH": str(builds.site.content), "CACHE_PATH": str(tmp_path / "cache-output")}
    for _ in range(3):
        warm = WarmSite.read(REPO / "pelicanconf.py", tmp_path / "output", overrides)
        assert warm is not None and live_build_states() == before + 1
        warm.close()
    del warm
    assert live_build_states() == before


def test_finding_edits_reads_only_the_sources_whose_file_changed(tmp_path, monkeypatch):
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text("same size", encoding="utf-8")
    assert not any(d.trusted for d in source_digests(tmp_path).values())  # written just now
    monkeypatch.setattr(warm_module, "RACY_SECONDS", 0)
    # A digest that is not the file's shows which files were read again.
    known = {
        name: dataclasses.replace(digest, digest="as known")
        for name, digest in source_digests(tmp_path).items()
    }
    assert {d.digest for d in source_digests(tmp_path, known).values()} == {"as known"}
    time.sleep(0.05)  # past the file system's clock tick
    edited = tmp_path / "a.md"
    before = edited.stat()
    edited.write_text("SAME SIZE", encoding="utf-8")
    # Setting the modification time back does not hide an edit.
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    now = source_digests(tmp_path, known)
    assert now["b.md"].digest == "as known"
    assert now["a.md"].digest not in {"as known", known["b.md"].digest}


def test_a_published_file_linked_by_a_build_is_not_read_again(tmp_path, monkeypatch):
    monkeypatch.setattr(warm_module, "RACY_SECONDS", 0)
    (tmp_path / "photo.jpg").write_bytes(b"picture bytes")
    known = {
        name: dataclasses.replace(digest, digest="as known")
        for name, digest in source_digests(tmp_path).items()
    }
    time.sleep(0.05)  # past the file system's clock tick
    # Each build hard-links the picture into the output, which sets its change time.
    os.link(tmp_path / "photo.jpg", tmp_path / "linked.jpg")
    os.unlink(tmp_path / "linked.jpg")
    assert source_digests(tmp_path, known)["photo.jpg"].digest == "as known"


def test_while_the_site_is_read_other_threads_still_log_as_before():
    import logging
    import threading

    from sitebuild.warm import kept_records

    class Collected(logging.Handler):
        def __init__(self) -> None:
            super().__init__(level=logging.WARNING)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    collected, root = Collected(), logging.getLogger()
    root.addHandler(collected)
    try:
        with kept_records() as keeper:
            logging.getLogger("reading").warning("from the reading thread")
            server = threading.Thread(
                target=lambda: logging.getLogger("serving").warning("from the server")
            )
            server.start()
            server.join()
    finally:
        root.removeHandler(collected)
    assert [r.getMessage() for r in keeper.records] == ["from the reading thread"]
    assert collected.messages == ["from the server"]


def test_a_build_thaws_what_it_froze_for_the_collector_whether_it_passed_or_failed(tmp_path):
    builds = Builds(tmp_path)
    warm_build(warm_site(builds))
    assert gc.get_freeze_count() == 0
    overrides = {
        "PATH": str(builds.site.content),
        "CACHE_PATH": str(tmp_path / "cache-clean"),
        **builds.settings,
    }
    build_site(REPO / "pelicanconf.py", tmp_path / "clean", overrides=overrides)
    assert gc.get_freeze_count() == 0
    rewrite(builds, "post5.md", "```ruby", "```nosuchlanguage")
    with pytest.raises(BuildError):
        build_site(REPO / "pelicanconf.py", tmp_path / "clean", strict=True, overrides=overrides)
    assert gc.get_freeze_count() == 0
