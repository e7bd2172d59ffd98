"""The quote_posts plugin, driven through real Pelican builds of tiny posts."""

import json
import logging
import xml.etree.ElementTree as ElementTree

import pytest
from bs4 import BeautifulSoup

from tests.plugins.tinysite import messages, post

PLUGIN_LOGGER = "quote_posts.quote_posts"
ATOM = "{http://www.w3.org/2005/Atom}"
QUOTE = "It was a pleasure to burn."


def words(text: str) -> str:
    """Text with typogrify's no-break spaces and line breaks as plain single spaces."""
    return " ".join(text.split())


def built_article(site, body: str, **metadata: str):
    """Build one post and return its article element."""
    site.add("q.md", post("Q", body, **metadata))
    site.build()
    return site.page("/2020/01/01/q/").select_one("main article")


@pytest.mark.parametrize(
    "body",
    [
        f"> {QUOTE}\n> \u2014 Ray Bradbury",
        f"> {QUOTE}\n>\n> \u2014 Ray Bradbury",
        f"> {QUOTE}\n> -- Ray Bradbury",
        f"> {QUOTE}\n>\n> --Ray Bradbury",
    ],
    ids=["em-dash-last-line", "em-dash-paragraph", "hyphens-last-line", "hyphens-paragraph"],
)
def test_blockquote_ending_in_a_dash_and_name_becomes_a_cited_figure(site, body):
    article = built_article(site, body)
    figure = article.select_one("figure.quote")
    assert words(figure.select_one("blockquote").get_text()) == QUOTE
    caption = figure.select_one("figcaption")
    assert caption.get_text() == "\u2014 Ray Bradbury"
    assert caption.select_one("cite").get_text() == "Ray Bradbury"


def test_attribution_keeps_its_links(site):
    article = built_article(site, f"> {QUOTE}\n>\n> \u2014 [Ray Bradbury](https://example.org/)")
    link = article.select_one("figure.quote figcaption cite a")
    assert (link.get_text(), link["href"]) == ("Ray Bradbury", "https://example.org/")


@pytest.mark.parametrize(
    "body",
    [f"> {QUOTE}", f"> {QUOTE}\n> and more -- of it", "> \u2014 Only a dash line"],
    ids=["no-attribution", "dashes-mid-line", "attribution-alone"],
)
def test_other_blockquotes_stay_plain(site, body):
    article = built_article(site, body)
    assert article.select("figure") == []
    assert article.select_one("blockquote") is not None


def test_curly_quotes_and_dashes_in_quoted_prose_come_from_typogrify(site):
    article = built_article(site, '> "Burn," he said -- twice.\n>\n> \u2014 Montag')
    text = words(article.select_one("figure.quote blockquote").get_text())
    assert text == "\u201cBurn,\u201d he said \u2014 twice."


QUOTE_POST = {"format": "quote", "quote_author": "Ray Bradbury", "quote_source": "Fahrenheit 451"}


@pytest.mark.parametrize(
    "body",
    [QUOTE, f"> {QUOTE}", f"> {QUOTE}\n>\n> \u2014 Ray Bradbury"],
    ids=["plain-text", "blockquote", "attributed-blockquote"],
)
def test_quote_post_is_one_figure_attributed_from_its_metadata(site, body):
    article = built_article(site, body, **QUOTE_POST)
    (figure,) = article.select("figure.quote")
    assert words(figure.select_one("blockquote").get_text()) == QUOTE
    caption = figure.select_one("figcaption")
    assert words(caption.get_text()) == "\u2014 Ray Bradbury, Fahrenheit 451"
    assert [c.get_text() for c in caption.select("cite")] == ["Ray Bradbury", "Fahrenheit 451"]


def test_quote_source_is_optional(site):
    article = built_article(site, QUOTE, format="quote", quote_author="Ray Bradbury")
    assert article.select_one("figure.quote figcaption").get_text() == "\u2014 Ray Bradbury"


def quotation(site) -> dict:
    """The Quotation JSON-LD of the quote post's page."""
    scripts = site.page("/2020/01/01/q/").select('script[type="application/ld+json"]')
    return next(d for d in (json.loads(s.string) for s in scripts) if d["@type"] == "Quotation")


def test_quote_post_page_carries_quotation_json_ld(site):
    built_article(site, QUOTE, **QUOTE_POST)
    assert quotation(site) == {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "text": QUOTE,
        "creator": {"@type": "Person", "name": "Ray Bradbury"},
        "isPartOf": {"@type": "CreativeWork", "name": "Fahrenheit 451"},
    }


def test_quotation_json_ld_names_the_absolute_address_when_the_site_has_one(site):
    site.add("q.md", post("Q", QUOTE, category="Books", **QUOTE_POST))
    site.build(SITEURL="https://blog.example")
    assert quotation(site)["url"] == "https://blog.example/2020/01/01/q/"


def test_listings_and_feeds_show_the_whole_quote(site):
    long_quote = " ".join(["Burn them all."] * 60)  # longer than any summary
    site.add("q.md", post("Q", long_quote, category="Books", **QUOTE_POST))
    output = site.build()
    for listing in ("/", "/category/books/"):
        figure = site.page(listing).select_one("main article figure.quote")
        assert words(figure.select_one("blockquote").get_text()) == long_quote
        assert figure.select_one("cite").get_text() == "Ray Bradbury"
    feed = ElementTree.parse(output / "feeds" / "all.atom.xml").getroot()
    entry = feed.find(f"{ATOM}entry")
    shown = (entry.find(f"{ATOM}summary") or entry.find(f"{ATOM}content")).text
    shown_text = words(BeautifulSoup(shown, "html.parser").get_text())
    assert shown_text == f"{long_quote} \u2014 Ray Bradbury, Fahrenheit 451"


def test_quote_post_without_an_author_is_an_error_naming_file_and_line(site, caplog):
    site.add("q.md", post("Q", QUOTE, format="quote"))
    site.generate()
    (error,) = messages(caplog, PLUGIN_LOGGER, logging.ERROR)
    assert (
        error == f"{site.content / 'q.md'}:3: a quote post needs `Quote-Author:` naming who said it"
    )


def test_ordinary_posts_are_not_quotes(site):
    site.add("a.md", post("A", "Text."))
    assert not hasattr(site.articles()["a"], "quote")
