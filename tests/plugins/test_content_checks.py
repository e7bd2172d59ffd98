"""The content_checks plugin, driven through real Pelican generators over tiny fixtures."""

import logging
from pathlib import Path

import pytest
from content_checks.content_checks import find_invalid_utf8, find_url_clashes

from tests.plugins.tinysite import TinySite

PLUGIN_LOGGER = "content_checks.content_checks"


def generate(content: Path, output: Path) -> None:
    """Read content with the plugin on, as Pelican does, up to the point of writing."""
    site = TinySite(content.parent)
    site.output = output
    site.generate()


def plugin_errors(caplog) -> list[str]:
    """The errors the plugin logged."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == PLUGIN_LOGGER and record.levelno == logging.ERROR
    ]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """An empty content directory with a pages folder."""
    path = tmp_path / "content"
    (path / "pages").mkdir(parents=True)
    return path


def test_clean_content_logs_nothing(content, tmp_path, caplog):
    (content / "a.md").write_text("Title: A\nDate: 2020-01-01\n\nText.\n", encoding="utf-8")
    (content / "pages" / "about.md").write_text("Title: About\n\nMe.\n", encoding="utf-8")
    generate(content, tmp_path / "out")
    assert plugin_errors(caplog) == []


def test_article_that_is_not_utf8_is_named_with_line_and_column(content, tmp_path, caplog):
    (content / "old.md").write_bytes(b"Title: Old\nDate: 2020-01-01\n\nOl\xe9\n")
    generate(content, tmp_path / "out")
    (error,) = plugin_errors(caplog)
    assert error.endswith("old.md:4:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8")


def test_page_that_is_not_utf8_is_named(content, tmp_path, caplog):
    (content / "pages" / "about.md").write_bytes(b"Title: \xff\n\nMe.\n")
    generate(content, tmp_path / "out")
    (error,) = plugin_errors(caplog)
    assert "about.md:1:8:" in error


def test_article_and_page_with_one_url_are_both_named(content, tmp_path, caplog):
    (content / "a.md").write_text(
        "Title: About\nDate: 2020-01-01\nSave_as: about/index.html\n\nA.\n", encoding="utf-8"
    )
    (content / "pages" / "about.md").write_text("Title: About\n\nMe.\n", encoding="utf-8")
    generate(content, tmp_path / "out")
    (error,) = plugin_errors(caplog)
    assert error.startswith("about/index.html would be written by more than one source:")
    assert "a.md" in error
    assert "pages/about.md" in error


def test_same_slug_on_different_days_is_no_clash(content, tmp_path, caplog):
    for day in ("01", "02"):
        (content / f"{day}.md").write_text(
            f"Title: Weekly notes\nDate: 2020-01-{day}\n\nText.\n", encoding="utf-8"
        )
    generate(content, tmp_path / "out")
    assert plugin_errors(caplog) == []


def test_find_invalid_utf8_positions():
    assert find_invalid_utf8("naïve ☃\n".encode()) is None
    assert find_invalid_utf8(b"ok\nbad \x80 here") == (2, 5, 0x80)
    # A multi-byte character cut short is found where it starts.
    assert find_invalid_utf8(b"x\xe2\x98") == (1, 2, 0xE2)


def test_find_url_clashes_ignores_unwritten_and_normalises_paths():
    clashes = find_url_clashes(
        [("a/index.html", "one.md"), ("a/./index.html", "two.md"), ("", "x.md"), ("", "y.md")]
    )
    assert clashes == {"a/index.html": ["one.md", "two.md"]}
