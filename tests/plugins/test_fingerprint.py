"""The fingerprint plugin, driven through real Pelican builds with a tiny theme."""

import hashlib
import shutil

import pytest
from fingerprint.fingerprint import hashed_name

from tests.conftest import REPO
from tests.plugins.tinysite import post


@pytest.fixture
def theme(tmp_path):
    """A copy of the project's theme that a test may change."""
    copy = tmp_path / "theme"
    shutil.copytree(REPO / "theme", copy)
    return copy


def built_assets(site, theme) -> dict[str, str]:
    """Build a one-post site with the theme and return each asset's published path."""
    site.add("a.md", post("A", "Text."))
    articles_generator = site.generate(THEME=str(theme))[0]
    site.build(THEME=str(theme))
    return articles_generator.context["theme_assets"]


def test_each_static_file_is_published_under_its_content_hash(site, theme):
    paths = built_assets(site, theme)
    assert set(paths) == {
        p.relative_to(theme / "static").as_posix() for p in (theme / "static").rglob("*.*")
    }
    for target in paths.values():
        published = site.output / target
        digest = hashlib.sha256(published.read_bytes()).hexdigest()[:10]
        assert published.name.split(".")[-2] == digest


def test_css_and_js_are_minified_and_other_files_copied_as_they_are(site, theme):
    paths = built_assets(site, theme)
    css = (site.output / paths["css/site.css"]).read_text(encoding="utf-8")
    assert "/*" not in css and "\n  " not in css
    assert len(css) < len((theme / "static" / "css" / "site.css").read_text(encoding="utf-8"))
    svg = theme / "static" / "favicon.svg"
    assert (site.output / paths["favicon.svg"]).read_bytes() == svg.read_bytes()


def test_an_edited_file_gets_a_new_name_and_pages_follow(site, theme):
    before = built_assets(site, theme)["css/site.css"]
    stylesheet = theme / "static" / "css" / "site.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "p{color:red}\n", "utf-8")
    after = built_assets(site, theme)["css/site.css"]
    assert after != before
    assert f'href="/{after}"' in (site.output / "index.html").read_text(encoding="utf-8")


def test_unhashed_copies_are_not_published(site, theme):
    built_assets(site, theme)
    assert not (site.output / "theme" / "css" / "site.css").exists()


def test_an_unknown_asset_name_fails_the_build(site, theme):
    base = theme / "templates" / "base.html"
    base.write_text(
        base.read_text(encoding="utf-8").replace("css/site.css", "css/missing.css"), "utf-8"
    )
    site.add("a.md", post("A", "Text."))
    with pytest.raises(Exception, match=r"missing\.css"):
        site.build(THEME=str(theme))


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("css/site.css", "css/site.{}.css"),
        ("favicon.svg", "favicon.{}.svg"),
        ("js/app.min.js", "js/app.min.{}.js"),
        ("LICENSE", "LICENSE.{}"),
    ],
)
def test_hashed_name_puts_the_hash_before_the_extension(relative, expected):
    digest = hashlib.sha256(b"x").hexdigest()[:10]
    assert hashed_name(relative, b"x") == expected.format(digest)
