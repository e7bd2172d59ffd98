"""Hostile and careless content, built in-process by the real Pelican with the project's plugins.

Each test writes the kind of post a careless or hostile author would, builds it, and checks that
nothing leaks or escapes, and that the problem is reported naming the file and line.
"""

import contextlib
import gzip
import json
import logging
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from content_checks.content_checks import ContentError
from pelican.log import LimitFilter

import pelicanconf
from sitebuild.links import check_links
from tests.plugins.tinysite import TinySite, post

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def fresh_log_limits():
    """Pelican's loggers drop a message seen before in the process; every test starts afresh."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


@pytest.fixture
def site(tmp_path: Path) -> TinySite:
    """An empty tiny site inside a project folder of its own."""
    return TinySite(tmp_path / "project")


def addressed(title: str, save_as: str, url: str, **metadata: str) -> str:
    """A post with `Save_as:` and `URL:` (which post() would spell with dashes)."""
    return post(title, "Body.", **metadata).replace(
        "\n\n", f"\nSave_as: {save_as}\nURL: {url}\n\n", 1
    )


def problems(caplog, level: int = logging.WARNING) -> list[str]:
    """Every message logged at level or above, in order."""
    return [record.getMessage() for record in caplog.records if record.levelno >= level]


def errors(caplog) -> list[str]:
    """Every error logged."""
    return problems(caplog, logging.ERROR)


def html_of(output: Path) -> str:
    """Every HTML page of a built site, joined."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(output.rglob("*.html")))


# 1. Drafts and hidden posts


def test_a_draft_is_marked_never_indexed_and_kept_out_of_feeds_and_listings(site):
    site.add("a.md", post("Public", "Published words."))
    site.add("d.md", post("Secret", "Zanzibarquux draft words.", Status="draft"))
    output = site.build()
    draft = BeautifulSoup((output / "drafts/secret/index.html").read_text(), "html.parser")
    assert draft.select_one('meta[name="robots"]')["content"] == "noindex"
    assert draft.select_one("article")["data-post-status"] == "draft"
    assert not draft.select("[data-pagefind-body]")
    assert "Draft" in draft.select_one(".draft-notice").get_text()
    assert "Zanzibarquux" not in (output / "feeds/all.atom.xml").read_text()
    assert "Zanzibarquux" not in (output / "index.html").read_text()


def test_a_draft_names_its_own_tags_and_categories_without_linking_pages_they_lack(site):
    site.add("a.md", post("Public", "Published words.", Category="Ruby"))
    site.add("d.md", post("Secret", "Words.", Status="draft", Category="Unseen", Tags="new-tag"))
    output = site.build()
    meta = BeautifulSoup((output / "drafts/secret/index.html").read_text(), "html.parser")
    meta = meta.select_one(".post-meta")
    assert "Unseen" in meta.get_text() and "new-tag" in meta.get_text()
    assert meta.select("a") == []
    assert not (output / "tag/new-tag").exists()


def test_a_hidden_post_is_reachable_but_never_indexed(site):
    site.add("h.md", post("Hidden", "Hidden words.", Status="hidden"))
    output = site.build()
    page = BeautifulSoup((output / "2020/01/01/hidden/index.html").read_text(), "html.parser")
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert not page.select("[data-pagefind-body]")
    assert "Hidden words" not in (output / "feeds/all.atom.xml").read_text()


def test_a_production_build_writes_no_draft(site):
    from tests.conftest import REPO

    site.add("a.md", post("Public", "Published words."))
    site.add("d.md", post("Secret", "Draft words.", Status="draft"))
    production = {"DRAFT_SAVE_AS": "", "DRAFT_PAGE_SAVE_AS": "", "SITEURL": "https://x.example"}
    publishconf = (REPO / "publishconf.py").read_text()
    assert 'DRAFT_SAVE_AS = ""' in publishconf and 'DRAFT_PAGE_SAVE_AS = ""' in publishconf
    site.add("h.md", post("Unlisted", "Hidden words.", Status="hidden"))
    output = site.build(**production, SITEMAP_SAVE_AS="sitemap.xml")
    assert not (output / "drafts").exists()
    assert "Draft words" not in html_of(output)
    sitemap = (output / "sitemap.xml").read_text()
    assert "/public/" in sitemap and "unlisted" not in sitemap and "secret" not in sitemap


# 2. A repeated single-valued key


@pytest.mark.parametrize("key", ["Title", "Slug", "Date", "Status", "Summary", "Template"])
def test_a_repeated_key_is_an_error_naming_file_and_line(site, caplog, key):
    values = {"Title": "T", "Slug": "t", "Date": "2020-01-01", "Status": "published"}
    values |= {"Summary": "S", "Template": "article"}
    header = "".join(f"{k}: {v}\n" for k, v in values.items())
    site.add("a.md", f"{header}{key}: second\n\nBody.\n")
    with contextlib.suppress(Exception):  # some repeats also stop Pelican; all are reported
        site.build()
    assert f"{site.content / 'a.md'}:7: `{key}:` is given twice; keep one" in errors(caplog)


def test_a_repeated_title_never_reaches_a_page_as_markup(site, caplog):
    site.add("a.md", f"Title: One\nTitle: {SCRIPT}\nDate: 2020-01-01\n\nBody.\n")
    site.add("b.md", post("Neighbour", "Body.", date="2020-01-02"))
    output = site.build()
    assert any("`Title:` is given twice" in e for e in errors(caplog))
    pages = html_of(output)
    assert "<script>alert" not in pages and "['One'" not in pages
    assert "<title>One · " in (output / "2020/01/01/one/index.html").read_text()


# 3. `{static}` links out of content/


def test_a_static_link_out_of_content_is_an_error_and_copies_nothing(site, caplog, tmp_path):
    secret = site.root / "publishconf.py"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("SECRET = 1\n")
    site.add("a.md", post("A", "Intro.\n\n[settings]({static}/../publishconf.py)"))
    site.output = tmp_path / "elsewhere" / "deep" / "output"
    site.build()
    assert (
        f"{site.content / 'a.md'}:6: link {{static}}/../publishconf.py leads out of"
        in (errors(caplog)[0])
    )
    written = [p for p in tmp_path.rglob("publishconf.py") if p != secret]
    assert written == []


def test_an_output_path_outside_the_output_folder_is_an_error_and_written_nowhere(site, caplog):
    site.add("a.md", addressed("A", "../../escaped.html", "../../escaped.html"))
    site.build()
    assert not list(site.root.parent.rglob("escaped.html"))
    assert (
        f"{site.content / 'a.md'}:3: `Save_as: ../../escaped.html` is outside" in errors(caplog)[0]
    )


# 5. One owner per output path


@pytest.mark.parametrize(
    ("save_as", "owner"),
    [
        ("index.html", "the site's index page"),
        ("robots.txt", "the site's robots page"),
        ("feeds/all.atom.xml", "the site's feed"),
        ("category/news/index.html", "the page of category 'News'"),
    ],
)
def test_a_post_cannot_take_the_address_of_a_generated_file(site, caplog, save_as, owner):
    site.add("a.md", post("A", "Body.", Category="News"))
    site.add("b.md", addressed("B", save_as, save_as.removesuffix("index.html")))
    site.build()
    clash = next(e for e in errors(caplog) if "more than one source" in e)
    assert clash.startswith(save_as) and owner in clash and "b.md" in clash


def test_a_post_cannot_write_into_the_theme_or_search_folders(site, caplog):
    site.add("a.md", addressed("A", "pagefind/pagefind.js", "pagefind/pagefind.js"))
    site.build()
    assert any("a.md would be written into pagefind/" in e for e in errors(caplog))


# 6. Descriptions are the text a reader sees


def test_descriptions_leave_out_script_and_style_source(site):
    body = "Visible words.\n\n<script>var hidden = 1;</script>\n\n<style>p { color: red }</style>"
    site.add("a.md", post("A", body))
    page = site.build() / "2020/01/01/a/index.html"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    for description in (
        soup.select_one('meta[name="description"]')["content"],
        soup.select_one('meta[property="og:description"]')["content"],
        json.loads(soup.select_one('script[type="application/ld+json"]').string)["description"],
    ):
        assert "Visible words" in description.replace("\xa0", " ")  # typogrify's widont
        assert "hidden" not in description and "color" not in description


# 7. Raw HTML the site's own policy blocks


BLOCKED = {
    '<iframe src="https://www.youtube.com/embed/x"></iframe>': "frame-src",
    "<script>track()</script>": "inline <script>",
    '<a href="#" onclick="go()">go</a>': "onclick= handler",
    '<a href="javascript:go()">go</a>': "javascript: link",
    '<p style="color: red">red</p>': "style= attribute",
    "<style>p { color: red }</style>": "<style> element",
    '<img src="https://example.org/pic.png" alt="pic">': "img-src",
}


@pytest.mark.parametrize("markup", BLOCKED, ids=BLOCKED.values())
def test_html_the_policy_blocks_is_a_warning_naming_file_and_line(site, caplog, markup):
    site.add("a.md", post("A", f"Intro.\n\n{markup}\n"))
    site.build()
    (warning,) = [m for m in problems(caplog) if "Content-Security-Policy" in m]
    assert warning.startswith(f"{site.content / 'a.md'}:6: ")
    assert BLOCKED[markup] in warning


def test_what_the_policy_allows_is_not_reported(site, caplog):
    body = '<img src="/theme/favicon.svg" alt=""> <a href="https://example.org/">out</a>'
    body += "\n\n| a | b |\n|:--|--:|\n| 1 | 2 |"
    site.add("a.md", post("A", body))
    site.build()
    assert [m for m in problems(caplog) if "Content-Security-Policy" in m] == []


def test_origins_allowed_per_kind_widen_the_policy_and_quiet_its_warnings(site, caplog):
    policy = pelicanconf.content_security_policy({"images": ["https://images.example.org"]})
    assert "img-src 'self' data: https://images.example.org;" in policy
    assert "frame-src 'self';" in policy  # no frames allowed: the site's own only
    body = '<img src="https://images.example.org/a.png" alt="a">\n\n'
    body += '<img src="https://elsewhere.example.org/b.png" alt="b">'
    site.add("a.md", post("A", body))
    site.build(CONTENT_SECURITY_POLICY=policy)
    (warning,) = [m for m in problems(caplog) if "Content-Security-Policy" in m]
    assert "elsewhere.example.org" in warning


# 8 and 16. Characters no feed carries; nesting no one writes


def test_a_control_character_is_an_error_naming_file_line_and_column(site, caplog):
    site.add("a.md", post("A", "Fine.\n\n```text\ncolour \x1b[31mred\n```"))
    with contextlib.suppress(Exception):  # the feed writer may also refuse it
        site.build()
    assert f"{site.content / 'a.md'}:7:8: control character U+001B" in errors(caplog)[0]


def test_two_thousand_nested_levels_fail_fast_naming_file_and_line(site, caplog):
    nested = "\n".join("    " * level + "- item" for level in range(2000))
    site.add("deep.md", post("Deep", f"Intro.\n\n{nested}"))
    with pytest.raises(ContentError):
        site.build()
    (error,) = errors(caplog)
    assert error.startswith(f"{site.content / 'deep.md'}:")
    assert "nested 1999 deep (at most 100)" in error


def test_deep_quotes_count_too_but_code_does_not(site, caplog):
    quotes = ">" * 150 + " deep"
    code = "```text\n" + " " * 800 + "indented code\n```"
    site.add("q.md", post("Q", quotes))
    site.add("c.md", post("C", code, date="2020-01-02"))
    with pytest.raises(ContentError):
        site.build()
    assert [e.split(": ")[0] for e in errors(caplog)] == [f"{site.content / 'q.md'}:4"]


# 9 and 10. Slugs, addresses and templates name their post


def test_a_long_title_gets_a_capped_slug_and_a_warning(site, caplog):
    title = " ".join(["word"] * 60)
    site.add("a.md", post(title, "Body."))
    output = site.build()
    (built,) = list((output / "2020/01/01").iterdir())
    assert len(built.name) <= 80
    assert any(
        w.startswith(f"{site.content / 'a.md'}:1: the slug made from") for w in problems(caplog)
    )


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"Slug": ".."}, "`Slug: ..` is not one part of an address"),
        ({"Slug": "/etc/x"}, "`Slug: /etc/x` is not one part of an address"),
        ({"URL": "https://evil.example/"}, "`URL: https://evil.example/` is not where"),
        ({"URL": "somewhere/else/"}, "`URL: somewhere/else/` is not where"),
        ({"Template": "nothing-like-it"}, "`Template: nothing-like-it` is not a template"),
    ],
)
def test_a_bad_address_or_template_names_the_post_and_line(site, caplog, metadata, expected):
    site.add("a.md", post("A", "Body.", **metadata))
    site.add("b.md", post("B", "Links to [a]({filename}a.md).", date="2020-01-02"))
    with contextlib.suppress(Exception):  # a template that does not exist also stops Pelican
        site.build()
    first = errors(caplog)[0]
    assert first.startswith(f"{site.content / 'a.md'}:3: ") and expected in first


# 12. A warning raised while reading is reported on a cold cache too


def test_a_reading_warning_is_reported_on_the_first_build(site, caplog):
    site.add("a.md", "Title: A\nDate: 2020-01-01\nDate: 2021-01-01\n\nBody.\n")
    site.build(INCREMENTAL_MIN_PARALLEL=10**6)
    assert any("Duplicate definition of `date`" in m for m in problems(caplog, logging.WARNING))


# 13. Symlinks


def test_a_symlink_loop_stops_the_build_at_once_naming_it(site, caplog):
    site.add("a.md", post("A", "Body."))
    os.symlink("..", site.content / "loop")
    with pytest.raises(ContentError):
        site.build()
    (error,) = errors(caplog)
    assert error.endswith("loop: symlink loop: it leads back to " + str(site.root.resolve()))


def test_a_symlink_out_of_the_project_is_refused(site, caplog, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(post("Outside", "Body."))
    site.add("a.md", post("A", "Body."))
    os.symlink(outside, site.content / "outside.md")
    with pytest.raises(ContentError):
        site.build()
    assert "outside the project" in errors(caplog)[0]


# 14. Category addresses


def test_c_cplusplus_and_csharp_are_three_categories(site):
    site.add("a.md", post("A", "Body.", Category="C, C++, C#"))
    output = site.build()
    for slug in ("c", "c-plus-plus", "c-sharp"):
        assert (output / "category" / slug / "index.html").is_file(), slug


def test_a_very_long_category_gets_a_capped_address_and_a_warning(site, caplog):
    name = " ".join(["Category"] * 40)
    site.add("a.md", post("A", "Body.", Category=name))
    output = site.build()
    (folder,) = [p for p in (output / "category").iterdir() if p.is_dir()]
    assert len(folder.name) <= 80
    assert any(w.startswith(f"{site.content / 'a.md'}:3: category ") for w in problems(caplog))


def test_non_latin_categories_get_plain_addresses_in_sitemap_and_feeds(site):
    site.add("a.md", post("A", "Body.", Category="Café, 日本語, Zprávy ze světa"))
    output = site.build(SITEURL="https://x.example", SITEMAP_SAVE_AS="sitemap.xml")
    for slug in ("cafe", "ri-ben-yu", "zpravy-ze-sveta"):
        assert (output / "category" / slug / "index.html").is_file(), slug
    for written in (output / "sitemap.xml", output / "feeds" / "all.atom.xml"):
        text = written.read_text()
        addresses = re.findall(r"(?:<loc>|href=\"|<id>)([^<\"]*)", text)
        assert addresses and all(" " not in a and a.isascii() for a in addresses), written


def test_a_category_with_no_letters_is_an_error_naming_file_and_line(site, caplog):
    site.add("a.md", post("A", "Body.", Category="News, !!!"))
    site.build()
    assert f"{site.content / 'a.md'}:3: category '!!!' has no letters" in errors(caplog)[0]
    assert not (site.output / "feeds" / ".atom.xml").exists()
    assert "/category//" not in html_of(site.output)


def test_two_category_names_with_one_address_are_an_error_naming_both_posts(site, caplog):
    site.add("a.md", post("A", "Body.", Category="Open Source"))
    site.add("b.md", post("B", "Body.", date="2020-01-02", Category="Open-Source"))
    site.add("c.md", post("C", "Body.", date="2020-01-03", Category="open source"))
    site.build()
    (error,) = errors(caplog)
    assert error.startswith(f"{site.content / 'b.md'}:3: category 'Open-Source' has the same")
    assert str(site.content / "a.md") in error


# 15. Fences that are not what they seem


def test_an_unclosed_fence_warns_and_keeps_the_rest_visible_as_code(site, caplog):
    site.add("a.md", post("A", "Intro.\n\n```python\nx = 1\n\n# not a heading"))
    output = site.build()
    assert f"{site.content / 'a.md'}:6: code block is never closed" in problems(caplog)[0]
    page = BeautifulSoup((output / "2020/01/01/a/index.html").read_text(), "html.parser")
    assert "# not a heading" in page.select_one("article pre").get_text()
    assert not page.select("article h1 + * h1")


def test_a_fence_whose_language_is_markup_warns_and_shows_the_code(site, caplog):
    site.add("a.md", post("A", "```<script>\nalert(2)\n```\n\nAfter."))
    output = site.build()
    assert any(
        w.startswith(f"{site.content / 'a.md'}:4: code block language '<script>' is not")
        for w in problems(caplog)
    )
    page = (output / "2020/01/01/a/index.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert soup.select_one("article pre").get_text() == "alert(2)\n"
    assert soup.select("article script") == []


# 17 and 18. Quote posts without a quote; dates no one means


def test_a_quote_post_without_a_quote_is_an_error(site, caplog):
    site.add("q.md", post("Q", "", Format="quote", Quote_Author="Someone"))
    site.build()
    assert any("a quote post needs the quote as its text" in e for e in errors(caplog))


@pytest.mark.parametrize("date", ["0001-01-01", "1899-12-31", "2201-01-01"])
def test_a_date_outside_1900_to_2200_is_an_error(site, caplog, date):
    site.add("a.md", post("A", "Body.", date=date))
    with contextlib.suppress(Exception):  # Pelican may fail on such dates as well
        site.build()
    assert f"{site.content / 'a.md'}:2: date {date} is not between 1900 and 2200" in errors(caplog)


@pytest.mark.slow
def test_the_search_index_leaves_out_drafts_and_hidden_posts(project_copy):
    from tests.conftest import invoke

    project = project_copy(
        {
            "a.md": post("Public", "Findable wordzzz here."),
            "d.md": post("Draft", "Draftwordzzz secret.", Status="draft"),
            "h.md": post("Hidden", "Hiddenwordzzz secret.", Status="hidden"),
        }
    )
    result = invoke("build", cwd=project)
    assert result.returncode == 0, result.stderr
    fragments = list((project / "output" / "pagefind" / "fragment").glob("*.pf_fragment"))
    words = "".join(gzip.decompress(f.read_bytes()).decode("utf-8", "replace") for f in fragments)
    assert "Findable" in words
    assert "Draftwordzzz" not in words and "Hiddenwordzzz" not in words


# 4. Code block options are text


def test_code_block_titles_are_text_never_markup(site):
    fences = '```{.java title="Cache<K, V>.java"}\nx\n```\n\n'
    fences += '```{.js title="<script>alert(3)</script>"}\ny\n```'
    site.add("a.md", post("A", fences))
    page = BeautifulSoup((site.build() / "2020/01/01/a/index.html").read_text(), "html.parser")
    # typogrify joins a title's last two words with a no-break space, as it does all text.
    titles = [title.get_text().replace("\xa0", " ") for title in page.select("article .filename")]
    assert titles == ["Cache<K, V>.java", "<script>alert(3)</script>"]
    assert page.select("article script") == []


def test_a_code_block_id_that_is_no_id_is_an_error_naming_file_and_line(site, caplog):
    site.add("a.md", post("A", 'Intro.\n\n```{.text #a"onmouseover="x}\nz\n```'))
    output = site.build()
    assert (
        f"{site.content / 'a.md'}:6: code block id 'a\"onmouseover=\"x' is not a valid"
        in (errors(caplog)[0])
    )
    assert "onmouseover" not in (output / "2020/01/01/a/index.html").read_text()


# 11. A broken link is reported as written, at its line


@pytest.mark.slow
def test_the_build_reports_a_broken_link_as_written_with_its_line(project_copy):
    from tests.conftest import invoke

    project = project_copy({"a.md": post("A", "Intro.\n\n![pic](images/missing.png)")})
    result = invoke("build", cwd=project)
    assert result.returncode != 0
    assert "ERROR: content/a.md:6: broken link to images/missing.png (" in result.stderr


def test_a_non_latin_slug_is_an_address(site, caplog):
    site.add("a.md", post("Zprávy", "Body.", Slug="zprávy"))
    output = site.build()
    check_links(site.built_with)  # the listings' links to it resolve
    assert (output / "2020/01/01/zprávy/index.html").is_file()
    assert errors(caplog) == []


def test_unicode_slugs_when_the_settings_keep_them(site, caplog):
    site.add("a.md", post("A", "Body.", Category="Zprávy, 日本語"))
    output = site.build(SLUGIFY_USE_UNICODE=True)
    assert (output / "category" / "zprávy" / "index.html").is_file()
    assert (output / "category" / "日本語" / "index.html").is_file()
    assert errors(caplog) == []
