"""The file_links plugin: files published however posts link them, and the site's root files."""

import logging

from bs4 import BeautifulSoup

from sitebuild.links import check_links
from tests.plugins.tinysite import messages, post

PLUGIN_LOGGER = "file_links.file_links"
POST_PAGE = "2020/01/01/a/index.html"


def links_of(site, page: str = POST_PAGE) -> list[str]:
    """Every href and src in a built post's text, in order."""
    html = (site.output / page).read_text(encoding="utf-8")
    article = BeautifulSoup(html, "html.parser").select_one(".post-content")
    return [tag.get("href") or tag.get("src") for tag in article.select("[href], [src]")]


def test_every_form_real_posts_use_publishes_the_file_and_links_it(site, caplog):
    site.add("images/a.txt", "a")
    site.add("notes/b.txt", "b")
    site.add("notes/c.txt", "c")
    site.add("notes/d.txt", "d")
    site.add(
        "notes/a.md",
        post(
            "A",
            "[1]({static}/images/a.txt) [2](/images/a.txt) [3](c.txt) [4](../images/a.txt)\n\n"
            "[5]({attach}d.txt) [6](/notes/b.txt?v=2#top)",
        ),
    )
    site.build()
    check_links(site.built_with)
    assert links_of(site)[:6] == [
        "/images/a.txt",
        "/images/a.txt",
        "/notes/c.txt",
        "/images/a.txt",
        "/2020/01/01/a/d.txt",
        "/notes/b.txt?v=2#top",
    ]
    assert (site.output / "notes/c.txt").read_text() == "c"
    assert (site.output / "2020/01/01/a/d.txt").read_text() == "d"
    assert messages(caplog, "sitebuild.links", logging.ERROR) == []


def test_a_link_to_another_posts_source_becomes_its_address(site):
    site.add("a.md", post("A", "See [B](b.md#part)."))
    site.add("b.md", post("B", "Text.", date="2020-01-02"))
    site.build()
    assert links_of(site)[0] == "/2020/01/02/b/#part"


def test_files_in_the_published_folders_are_published_unlinked(site):
    site.add("files/talk.pdf", b"%PDF-1.4")
    site.add("images/unused.txt", "kept")
    site.add("a.md", post("A", "No links."))
    site.build()
    assert (site.output / "files/talk.pdf").read_bytes() == b"%PDF-1.4"
    assert (site.output / "images/unused.txt").is_file()


def test_links_to_other_sites_anchors_and_missing_files_are_left_as_written(site):
    site.add(
        "a.md",
        post("A", "[x](https://example.org/a.png) [y](#top) [z](missing.txt) [m](mailto:a@b.c)"),
    )
    site.build()
    assert links_of(site)[:4] == [
        "https://example.org/a.png",
        "#top",
        "missing.txt",
        "mailto:a@b.c",
    ]


def test_extra_files_go_to_the_site_root(site):
    site.add("extra/CNAME", "blog.example\n")
    site.add("extra/.well-known/security.txt", "Contact: mailto:a@example.org\n")
    site.add("extra/favicon.ico", b"\x00\x00\x01\x00")
    site.add("a.md", post("A", "Text."))
    site.build()
    assert (site.output / "CNAME").read_text() == "blog.example\n"
    assert (site.output / ".well-known/security.txt").is_file()
    assert (site.output / "favicon.ico").is_file()
    assert not (site.output / "extra").exists()


def test_an_extra_file_never_replaces_a_generated_one(site, caplog):
    site.add("extra/robots.txt", "User-agent: *\n")
    site.add("a.md", post("A", "Text."))
    site.build()
    (error,) = messages(caplog, "content_checks.content_checks", logging.ERROR)
    assert "robots.txt would be written by more than one source" in error
    assert "extra/robots.txt" in error and "robots" in error.rsplit(":", 1)[1]


def test_a_link_out_of_content_is_an_error_at_its_line(site, caplog):
    (site.root / "secret.txt").write_text("private")
    site.add("a.md", post("A", "Text.\n\n[leak](../secret.txt) [leak2](/../secret.txt)"))
    site.build()
    source = site.content / "a.md"
    assert messages(caplog, PLUGIN_LOGGER, logging.ERROR) == [
        f"{source}:6: link ../secret.txt leads out of content/; keep linked files inside it",
        f"{source}:6: link /../secret.txt leads out of content/; keep linked files inside it",
    ]
    assert not list(site.output.rglob("secret.txt"))


def test_the_summary_names_published_files_nothing_links_to(site, caplog):
    caplog.set_level(logging.INFO, "sitebuild.summary")
    for name in ("files/talk.pdf", "files/slides.pdf", "images/used.txt", "extra/CNAME"):
        site.add(name, "x")
    site.add("a.md", post("A", "[used](/images/used.txt)"))
    site.build()
    assert messages(caplog, "sitebuild.summary", logging.INFO) == [
        "2 published file(s) linked from no post or page: files/slides.pdf, files/talk.pdf"
    ]


def test_a_static_link_to_no_file_is_a_plain_link_checked_like_any_other(site, caplog):
    site.add("a.md", post("A", "[B]({static}/2020/01/02/b/) [gone]({static}/gone.pdf)"))
    site.add("b.md", post("B", "Text.", date="2020-01-02"))
    site.build()
    check_links(site.built_with)
    assert links_of(site)[:2] == ["/2020/01/02/b/", "/gone.pdf"]
    assert messages(caplog, "sitebuild.links", logging.ERROR) == [
        f"{site.content / 'a.md'}:4: broken link to /gone.pdf (no such file in the site, "
        f"on {POST_PAGE})"
    ]


def test_markup_shown_as_code_is_left_as_written(site):
    site.add("images/logo.png", "x")
    site.add("a.md", post("A", 'Write `<img src="images/logo.png">` to show it.'))
    site.build()
    html = (site.output / POST_PAGE).read_text(encoding="utf-8")
    assert '&lt;img src="images/logo.png"&gt;' in html
    assert "{static}" not in html
