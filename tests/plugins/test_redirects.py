"""The redirects plugin: old addresses of posts mapped to their addresses today."""

import logging

from sitebuild.redirects import read_redirects
from tests.plugins.tinysite import messages, post

PLUGIN_LOGGER = "redirects.redirects"
PELICAN_DEFAULTS = {"REDIRECTS_ARTICLE_PATTERNS": ["{slug}.html", "{category}/{slug}.html"]}


def test_each_post_s_old_addresses_lead_to_its_address(site):
    site.add("a.md", post("A post", "Text.", Category="Ruby"))
    site.add("pages/about.md", "Title: About\n\nAbout.\n")
    site.build(**PELICAN_DEFAULTS, REDIRECTS_PAGE_PATTERNS=["pages/{slug}.html"])
    assert read_redirects(site.output) == {
        "/a-post.html": "/2020/01/01/a-post/",
        "/ruby/a-post.html": "/2020/01/01/a-post/",
        "/pages/about.html": "/about/",
    }


def test_dated_patterns_and_single_addresses(site):
    site.add("a.md", post("Été", "Text.", date="2019-05-04", Slug="été"))
    site.build(
        REDIRECTS_ARTICLE_PATTERNS=["{date:%Y}/{date:%m}/{slug}/", "{slug}.html"],
        REDIRECTS_EXTRA={"/feed/old.xml": "/feeds/all.atom.xml"},
    )
    # As a browser asks for them: UTF-8, percent-encoded.
    assert read_redirects(site.output) == {
        "/2019/05/%C3%A9t%C3%A9/": "/2019/05/04/%C3%A9t%C3%A9/",
        "/%C3%A9t%C3%A9.html": "/2019/05/04/%C3%A9t%C3%A9/",
        "/feed/old.xml": "/feeds/all.atom.xml",
    }


def test_no_patterns_no_redirects(site):
    site.add("a.md", post("A", "Text."))
    site.build()
    assert read_redirects(site.output) == {}


def test_an_old_address_that_is_a_page_today_is_left_to_the_page(site, caplog):
    site.add("a.md", post("A", "Text."))
    site.build(REDIRECTS_ARTICLE_PATTERNS=["archives/"])
    assert read_redirects(site.output) == {}
    (warning,) = messages(caplog, PLUGIN_LOGGER, logging.WARNING)
    assert warning == (
        f"{site.content / 'a.md'}: old address /archives/ is a page of the site; "
        "it is not redirected"
    )


def test_two_posts_claiming_one_old_address_keep_the_older(site, caplog):
    site.add("a.md", post("A", "Text."))
    site.add("b.md", post("B", "Text.", date="2020-06-01"))
    site.build(REDIRECTS_ARTICLE_PATTERNS=["old/{date:%Y}.html"])
    assert read_redirects(site.output) == {"/old/2020.html": "/2020/01/01/a/"}
    (warning,) = messages(caplog, PLUGIN_LOGGER, logging.WARNING)
    assert warning == (
        f"{site.content / 'b.md'}: old address /old/2020.html is also "
        f"{site.content / 'a.md'}'s; it stays with the older post"
    )
