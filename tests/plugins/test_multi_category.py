"""The multi_category plugin, driven through real Pelican generators and builds."""

import json
import logging
import xml.etree.ElementTree as ElementTree

import pytest
from multi_category.multi_category import PostList, split_names, unique_by_slug
from pelican.urlwrappers import Category

from tests.nu import nu_problems
from tests.plugins.tinysite import messages, post

PLUGIN_LOGGER = "multi_category.multi_category"
ATOM = "{http://www.w3.org/2005/Atom}"


def names(categories) -> list[str]:
    """The names of some categories, in order."""
    return [category.name for category in categories]


def test_each_name_becomes_a_category_in_order_and_the_first_is_primary(site):
    site.add("a.md", post("A", "Text.", category="Ruby, Software, AWS"))
    article = site.articles()["a"]
    assert names(article.categories) == ["Ruby", "Software", "AWS"]
    assert article.category.name == "Ruby"


def test_a_single_category_still_works(site):
    site.add("a.md", post("A", "Text.", category="Ruby"))
    article = site.articles()["a"]
    assert names(article.categories) == ["Ruby"]
    assert article.category.name == "Ruby"


def test_no_category_falls_back_to_the_default(site):
    site.add("a.md", post("A", "Text."))
    article = site.articles(DEFAULT_CATEGORY="misc")["a"]
    assert names(article.categories) == ["misc"]


def test_repeats_differing_in_case_are_one_category(site):
    site.add("a.md", post("A", "Text.", category="Open-source, Ruby, open-source"))
    assert names(site.articles()["a"].categories) == ["Open-source", "Ruby"]


def test_the_oldest_posts_spelling_is_used_everywhere(site):
    site.add("new.md", post("New", "Text.", date="2021-01-01", category="open-source"))
    site.add("old.md", post("Old", "Text.", date="2019-01-01", category="Ruby, Open-source"))
    articles = site.articles()
    assert names(articles["new"].categories) == ["Open-source"]
    assert articles["new"].categories[0] is articles["old"].categories[1]


@pytest.mark.parametrize("value", ["", "Ruby, , AWS", "Ruby,"])
def test_an_empty_category_name_is_an_error_naming_file_and_line(site, caplog, value):
    site.add("broken.md", f"Title: Broken\nDate: 2020-01-01\nCategory: {value}\n\nText.\n")
    site.generate()
    (error,) = messages(caplog, PLUGIN_LOGGER, logging.ERROR)
    assert error.startswith(str(site.content / "broken.md") + ":3: empty category name")


def test_generator_lists_an_article_under_every_category(site):
    site.add("a.md", post("A", "Text.", date="2020-01-01", category="Ruby, Software"))
    site.add("b.md", post("B", "Text.", date="2020-02-01", category="Software"))
    articles_generator = site.generate()[0]
    listed = {cat.name: [a.slug for a in arts] for cat, arts in articles_generator.categories}
    assert listed == {"Ruby": ["a"], "Software": ["b", "a"]}
    assert articles_generator.context["categories"] == articles_generator.categories


@pytest.fixture
def three_posts(site):
    """Three posts sharing the Software category, one of them also in Ruby and Web."""
    site.add("a.md", post("Alpha", "Text.", date="2020-01-01", category="Software"))
    site.add("b.md", post("Beta", "Text.", date="2020-02-01", category="Ruby, Software, Web"))
    site.add("c.md", post("Gamma", "Text.", date="2020-03-01", category="Web, Software"))
    return site


def test_category_pages_list_their_articles_newest_first_paginated(three_posts):
    three_posts.build(DEFAULT_PAGINATION=2)
    first = [a.get_text() for a in three_posts.page("/category/software/").select("article h2 a")]
    second = three_posts.page("/category/software/page/2/").select("article h2 a")
    assert first == ["Gamma", "Beta"]
    assert [a.get_text() for a in second] == ["Alpha"]
    ruby = three_posts.page("/category/ruby/").select("article h2 a")
    assert [a.get_text() for a in ruby] == ["Beta"]


def test_categories_index_counts_each_category(three_posts):
    three_posts.build()
    entries = three_posts.page("/category/").select(".category-list li")
    counted = [" ".join(li.get_text().split()).split(" · ")[0] for li in entries]
    assert counted == ["Ruby (1)", "Software (3)", "Web (2)"]


def test_article_page_links_all_its_categories(three_posts):
    three_posts.build()
    links = three_posts.page("/2020/02/01/beta/").select("article header .post-categories a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("Ruby", "/category/ruby/"),
        ("Software", "/category/software/"),
        ("Web", "/category/web/"),
    ]


def feed_terms(feed) -> dict[str, list[str]]:
    """Each entry's title and its category terms."""
    root = ElementTree.parse(feed).getroot()
    return {
        entry.find(f"{ATOM}title").text: [c.get("term") for c in entry.findall(f"{ATOM}category")]
        for entry in root.iter(f"{ATOM}entry")
    }


def test_every_feed_entry_carries_all_its_categories(three_posts):
    output = three_posts.build()
    everything = feed_terms(output / "feeds" / "all.atom.xml")
    assert everything["Beta"] == ["Ruby", "Software", "Web"]
    assert everything["Gamma"] == ["Web", "Software"]
    web = feed_terms(output / "feeds" / "web.atom.xml")
    assert web == {"Gamma": ["Web", "Software"], "Beta": ["Ruby", "Software", "Web"]}
    assert set(feed_terms(output / "feeds" / "software.atom.xml")) == {"Alpha", "Beta", "Gamma"}


@pytest.mark.parametrize("cache", [False, True], ids=["cache-off", "cache-on"])
def test_categories_survive_a_rebuild_with_or_without_the_content_cache(three_posts, cache):
    options = {"CACHE_CONTENT": cache, "LOAD_CONTENT_CACHE": cache}
    three_posts.build(**options)
    # A second build reads unchanged posts from the cache when it is on.
    three_posts.add("d.md", post("Delta", "Text.", date="2020-04-01", category="ruby, Go"))
    output = three_posts.build(**options)
    assert (output / "category" / "go" / "index.html").is_file()
    ruby = [a.get_text() for a in three_posts.page("/category/ruby/").select("article h2 a")]
    assert ruby == ["Delta", "Beta"]
    assert feed_terms(output / "feeds" / "all.atom.xml")["Beta"] == ["Ruby", "Software", "Web"]
    # The build keeps its own caches there too; Pelican's is the rest.
    ours = {"incremental", "links"}
    pelican_cache = [p for p in (three_posts.root / "cache").glob("*") if p.name not in ours]
    assert bool(pelican_cache) is cache


def test_split_names_keeps_empty_names_for_reporting():
    assert split_names(" Ruby ,Software,, ") == ["Ruby", "Software", "", ""]


def test_unique_by_slug_keeps_the_first_spelling():
    settings = {"SLUGIFY_SOURCE": "title", "SLUG_REGEX_SUBSTITUTIONS": []}
    unique = unique_by_slug(Category(name, settings) for name in ["Web", "web", "WEB", "Go"])
    assert names(unique) == ["Web", "Go"]


def test_tag_and_author_listings_answer_in_by_a_set_and_keep_their_posts(site):
    site.add("a.md", post("A", "Text.", date="2020-01-01", tags="ruby, aws", authors="Ann"))
    site.add("b.md", post("B", "Text.", date="2020-01-02", tags="ruby", authors="Ann, Bob"))
    generator = site.generate()[0]
    tags = {tag.name: posts for tag, posts in generator.context["tags"]}
    authors = {author.name: posts for author, posts in generator.context["authors"]}
    assert all(isinstance(posts, PostList) for posts in [*tags.values(), *authors.values()])
    assert [p.title for p in tags["ruby"]] == ["B", "A"] and [p.title for p in tags["aws"]] == ["A"]
    assert [p.title for p in authors["Ann"]] == ["B", "A"] and [
        p.title for p in authors["Bob"]
    ] == ["B"]
    # The generator's listings are the context's, not copies.
    assert {t.name: p for t, p in generator.tags.items()} == tags
    assert all(tags[t.name] is p for t, p in generator.tags.items())


def test_a_category_post_list_answers_in_as_a_list_does():
    first, second, third = object(), object(), object()
    posts = PostList([first, second])
    assert first in posts and second in posts and third not in posts
    posts.append(third)
    assert third in posts
    posts.remove(first)
    assert first not in posts


@pytest.fixture
def tagged_posts(site):
    """Three posts with tags, one of them spelt differently in case."""
    site.add("a.md", post("Alpha", "Text.", date="2020-01-01", category="Software", tags="Ruby"))
    site.add("b.md", post("Beta", "Text.", date="2020-02-01", category="Web", tags="ruby, AWS"))
    site.add("c.md", post("Gamma", "See [Ruby]({tag}ruby).", date="2020-03-01", tags="AWS"))
    return site


def test_tag_pages_list_their_posts_newest_first_paginated(tagged_posts):
    tagged_posts.build(DEFAULT_PAGINATION=1)
    first = tagged_posts.page("/tag/ruby/")
    assert first.select_one("h1").get_text() == "Tag: Ruby"  # the oldest post's spelling
    assert [a.get_text() for a in first.select("article h2 a")] == ["Beta"]
    second = tagged_posts.page("/tag/ruby/page/2/").select("article h2 a")
    assert [a.get_text() for a in second] == ["Alpha"]


def test_the_tags_index_counts_each_tag_and_the_site_links_to_it(tagged_posts):
    tagged_posts.build()
    entries = tagged_posts.page("/tags/").select(".category-list li")
    assert [" ".join(li.get_text().split()).split(" · ")[0] for li in entries] == [
        "AWS (2)",
        "Ruby (2)",
    ]
    nav = [a["href"] for a in tagged_posts.page("/").select(".site-header nav a")]
    assert "/tags/" in nav


def test_a_post_shows_its_tags_and_names_them_to_search_and_search_engines(tagged_posts):
    tagged_posts.build()
    page = tagged_posts.page("/2020/02/01/beta/")
    links = page.select("article header .post-tags a")
    assert [(a.get_text(), a["href"], a["data-pagefind-filter"]) for a in links] == [
        ("Ruby", "/tag/ruby/", "tag"),
        ("AWS", "/tag/aws/", "tag"),
    ]
    posting = next(
        json.loads(s.string)
        for s in page.select('script[type="application/ld+json"]')
        if json.loads(s.string)["@type"] == "BlogPosting"
    )
    assert posting["keywords"] == ["Ruby", "AWS"]


def test_each_tag_has_a_feed_and_tag_links_resolve(tagged_posts):
    output = tagged_posts.build()
    assert set(feed_terms(output / "feeds" / "tag" / "aws.atom.xml")) == {"Beta", "Gamma"}
    assert feed_terms(output / "feeds" / "all.atom.xml")["Beta"] == ["Web", "Ruby", "AWS"]
    link = tagged_posts.page("/2020/03/01/gamma/").select_one(".post-content a")
    assert link["href"].endswith("/tag/ruby/")


def test_tag_pages_and_the_tags_index_pass_the_nu_html_checker(tagged_posts):
    output = tagged_posts.build()
    assert (output / "tag" / "aws" / "index.html").is_file()
    assert nu_problems(output) == ""


def test_a_post_without_tags_shows_none_and_the_site_no_tags_link(site):
    site.add("a.md", post("Alpha", "Text.", category="Software"))
    site.build()
    assert site.page("/2020/01/01/alpha/").select(".post-tags") == []
    nav = [a["href"] for a in site.page("/").select(".site-header nav a")]
    assert "/tags/" not in nav


def test_tags_follow_the_category_address_rules(site, caplog):
    site.add("a.md", post("Alpha", "Text.", date="2020-01-01", tags="Foo Bar"))
    site.add("b.md", post("Beta", "Text.", date="2020-02-01", tags="ok, !!!, foo-bar"))
    site.generate()
    errors = messages(caplog, PLUGIN_LOGGER, logging.ERROR)
    assert f"{site.content / 'b.md'}:3: tag '!!!' has no letters or digits" in errors[0]
    assert errors[1].startswith(
        f"{site.content / 'b.md'}:3: tag 'foo-bar' has the same address as 'Foo Bar' in "
    )
    assert errors[1].endswith("a.md; rename one of them")
