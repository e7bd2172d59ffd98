"""Authors: bylines when someone other than the site's author wrote a post, author pages, feeds."""

import json
import xml.etree.ElementTree as ElementTree

import pytest

from tests.plugins.tinysite import TinySite, post

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(tmp_path) -> TinySite:
    """Three posts: the site's author's, a guest's, and one written by both."""
    site = TinySite(tmp_path)
    site.add("a.md", post("Alpha", "Text.", date="2020-01-01", category="Notes"))
    site.add("b.md", post("Beta", "Text.", date="2020-02-01", authors="Ann Guest"))
    site.add(
        "c.md",
        post(
            "Gamma",
            "By [Ann]({author}ann-guest).",
            date="2020-03-01",
            authors="Ann Guest, Ben Simpson",
        ),
    )
    return site


def json_ld(page) -> dict:
    """The page's BlogPosting."""
    scripts = page.select('script[type="application/ld+json"]')
    return next(
        d for d in map(lambda s: json.loads(s.string), scripts) if d["@type"] == "BlogPosting"
    )


def test_a_post_by_the_site_author_alone_has_no_byline(site):
    site.build(AUTHOR="Ben Simpson")
    page = site.page("/2020/01/01/alpha/")
    assert page.select(".post-authors") == []
    assert json_ld(page)["author"] == {"@type": "Person", "name": "Ben Simpson"}


def test_a_post_by_others_names_every_author_in_order_with_links(site):
    site.build(AUTHOR="Ben Simpson")
    page = site.page("/2020/03/01/gamma/")
    links = page.select("article header .post-authors a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("Ann Guest", "/author/ann-guest/"),
        ("Ben Simpson", "/author/ben-simpson/"),
    ]
    assert json_ld(page)["author"] == [
        {"@type": "Person", "name": "Ann Guest"},
        {"@type": "Person", "name": "Ben Simpson"},
    ]
    assert page.select_one('meta[name="author"]')["content"] == "Ann Guest, Ben Simpson"
    assert page.select_one(".post-content a")["href"].endswith("/author/ann-guest/")


def test_each_author_has_a_page_of_posts_newest_first_and_a_feed(site):
    output = site.build(AUTHOR="Ben Simpson")
    titles = [a.get_text() for a in site.page("/author/ann-guest/").select("article h2 a")]
    assert titles == ["Gamma", "Beta"]
    assert site.page("/author/ann-guest/").select_one("h1").get_text() == "Author: Ann Guest"
    feed = ElementTree.parse(output / "feeds" / "author" / "ann-guest.atom.xml").getroot()
    assert [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")] == ["Gamma", "Beta"]


def test_a_blog_by_its_author_alone_writes_no_author_pages_or_feeds(tmp_path):
    site = TinySite(tmp_path)
    site.add("a.md", post("Alpha", "Text.", date="2020-01-01"))
    site.add("b.md", post("Beta", "Text.", date="2020-02-01", author="Ben Simpson"))
    output = site.build(AUTHOR="Ben Simpson")
    assert not (output / "author").exists()
    assert not (output / "feeds" / "author").exists()
