"""The theme on the real built site: markup validity, SEO tags, assets, size and page furniture."""

import hashlib
import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from tests.conftest import REPO, SITE_ADDRESS, read_metadata
from tests.nu import nu_problems

POSTS = sorted(p for p in (REPO / "content").glob("*.md") if p.name != "README.md")
ARTICLE_BUDGET_BYTES = 30 * 1024
HASHED_ASSET = re.compile(r"\.[0-9a-f]{10}\.(css|js|svg)$")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def pages(site: Path) -> list[Path]:
    """Every HTML page of the site, the search index's own files aside."""
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


def parse(file: Path) -> BeautifulSoup:
    """Parse one built page."""
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def article_files(site: Path) -> list[Path]:
    """The built page of every post."""
    return sorted(site.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))


def local(url: str) -> str:
    """The path part of a site URL, without its leading slash."""
    return urlparse(url).path.lstrip("/")


@pytest.fixture(scope="module")
def site(built_site) -> Path:
    """The real site, built once for the test session."""
    return built_site


def test_every_page_passes_the_nu_html_checker(site):
    assert nu_problems(site) == ""
    assert len(pages(site)) > 20  # the checker saw the whole site


def test_every_page_has_a_title_description_and_social_tags(site):
    for file in pages(site):
        page = parse(file)
        title = page.title.get_text()
        description = page.select_one('meta[name="description"]')["content"]
        assert title and description, file
        assert page.select_one('meta[property="og:title"]')["content"] == title, file
        assert page.select_one('meta[property="og:description"]')["content"] == description
        assert page.select_one('meta[name="twitter:card"]')["content"] == "summary"


def test_titles_differ_from_page_to_page(site):
    titles = [parse(file).title.get_text() for file in pages(site)]
    assert len(set(titles)) == len(titles)


def test_every_production_page_but_the_404_names_its_absolute_canonical_address(
    production_site,
):
    for file in pages(production_site):
        canonical = parse(file).select_one('link[rel="canonical"]')
        if file.name == "404.html":
            assert canonical is None
            continue
        path = file.relative_to(production_site).as_posix().removesuffix("index.html")
        expected = f"{SITE_ADDRESS}/{path}"
        assert canonical["href"] == expected, file
        assert parse(file).select_one('meta[property="og:url"]')["content"] == expected


def test_a_local_build_claims_no_address_it_does_not_have(site):
    # Without SITEURL there is no absolute address; a relative one is wrong in these tags.
    for file in pages(site):
        page = parse(file)
        assert page.select_one('link[rel="canonical"]') is None, file
        assert page.select_one('meta[property="og:url"]') is None, file
        for block in page.select('script[type="application/ld+json"]'):
            data = json.loads(block.string)
            assert "url" not in data and "mainEntityOfPage" not in data, file
    assert not (site / "sitemap.xml").exists()
    assert "Sitemap:" not in (site / "robots.txt").read_text(encoding="utf-8")


def test_a_local_feed_points_where_it_is_served(site):
    # Relative links resolve against the feed's own address, whatever port serves it.
    root = ElementTree.parse(site / "feeds" / "all.atom.xml").getroot()
    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert "/feeds/all.atom.xml" in links and len(links) > 7
    assert all(link.startswith("/") and not link.startswith("//") for link in links), links


def test_production_posts_json_ld_names_their_absolute_address(production_site):
    for file in article_files(production_site):
        blocks = [
            json.loads(s.string) for s in parse(file).select('script[type="application/ld+json"]')
        ]
        posting = next(b for b in blocks if b["@type"] == "BlogPosting")
        path = file.parent.relative_to(production_site).as_posix()
        assert posting["url"] == posting["mainEntityOfPage"] == f"{SITE_ADDRESS}/{path}/"


@pytest.mark.parametrize("post", POSTS, ids=[p.stem for p in POSTS])
def test_articles_carry_blog_posting_json_ld(site, post):
    metadata = read_metadata(post)
    date = metadata["date"]
    file = next(f for f in article_files(site) if f.parent.name == metadata["slug"])
    blocks = [
        json.loads(s.string) for s in parse(file).select('script[type="application/ld+json"]')
    ]
    posting = next(b for b in blocks if b["@type"] == "BlogPosting")
    assert posting["headline"] == parse(file).h1.get_text()
    assert posting["datePublished"].startswith(date)
    assert posting["author"]["name"] == "Ben Simpson"
    assert posting["articleSection"] == [n.strip() for n in metadata["category"].split(",")]


def test_feeds_are_announced_in_every_head_and_linked_in_every_footer(site):
    for file in pages(site):
        page = parse(file)
        alternate = page.select_one('head link[rel="alternate"][type="application/atom+xml"]')
        assert alternate["href"] == "/feeds/all.atom.xml", file
        assert page.select_one('footer a[href="/feeds/all.atom.xml"]') is not None


def test_category_pages_announce_their_own_feed(site):
    page = parse(site / "category" / "ruby" / "index.html")
    feeds = [link["href"] for link in page.select('head link[rel="alternate"]')]
    assert feeds == ["/feeds/all.atom.xml", "/feeds/ruby.atom.xml"]
    assert (site / "feeds" / "ruby.atom.xml").is_file()


def test_sitemap_lists_every_post_page_and_category(production_site):
    root = ElementTree.parse(production_site / "sitemap.xml").getroot()
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert all(location.startswith(f"{SITE_ADDRESS}/") for location in locations)
    listed = {local(location) for location in locations}
    for file in article_files(production_site):
        assert file.parent.relative_to(production_site).as_posix() + "/" in listed
    assert {"", "about/", "archives/", "category/", "category/ruby/"} <= listed
    assert "404.html" not in listed


def test_robots_txt_points_at_the_sitemap(production_site):
    robots = (production_site / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots
    assert f"\nSitemap: {SITE_ADDRESS}/sitemap.xml\n" in robots


def test_favicon_is_linked_and_written(site):
    icon = parse(site / "index.html").select_one('link[rel="icon"]')["href"]
    assert (site / local(icon)).read_text(encoding="utf-8").startswith("<svg")


def test_no_inline_script_or_style_so_a_strict_csp_holds(site):
    for file in pages(site):
        page = parse(file)
        assert page.select("[style]") == [], file
        assert page.select("style") == [], file
        for script in page.select("script"):
            # JSON-LD is data, which a Content-Security-Policy does not block.
            assert script.has_attr("src") or script["type"] == "application/ld+json", file
        assert not page.find(attrs={re.compile(r"^on"): True}), file


def test_scripts_are_deferred_but_the_colour_scheme_one(site):
    head = parse(site / "index.html").head
    scripts = head.select("script[src]")
    blocking = [s["src"] for s in scripts if not s.has_attr("defer")]
    assert len(blocking) == 1 and "/js/theme." in blocking[0]
    # It runs before any stylesheet loads, so the page paints in the saved scheme.
    first_stylesheet = head.select_one('link[rel="stylesheet"]')
    assert head.find("script", src=blocking[0]).sourceline < first_stylesheet.sourceline


def test_assets_are_local_and_named_by_their_content_hash(site):
    for file in pages(site):
        page = parse(file)
        urls = [tag["href"] for tag in page.select('link[rel="stylesheet"], link[rel="icon"]')]
        urls += [tag["src"] for tag in page.select("script[src], img[src]")]
        for url in urls:
            assert not urlparse(url).netloc, (file, url)  # no third-party requests
            asset = site / local(url)
            assert HASHED_ASSET.search(asset.name), url
            digest = hashlib.sha256(asset.read_bytes()).hexdigest()[:10]
            assert asset.name.split(".")[-2] == digest, url


def page_weight(site: Path, file: Path) -> int:
    """Bytes of a page plus the stylesheets and scripts it loads, before compression."""
    page = parse(file)
    assets = [tag["href"] for tag in page.select('link[rel="stylesheet"]')]
    assets += [tag["src"] for tag in page.select("script[src]")]
    return file.stat().st_size + sum((site / local(url)).stat().st_size for url in assets)


def test_every_article_page_weighs_at_most_30_kb(site):
    weights = {f.parent.name: page_weight(site, f) for f in article_files(site)}
    assert max(weights.values()) <= ARTICLE_BUDGET_BYTES, weights


def test_search_assets_load_only_on_the_search_page(site):
    for file in pages(site):
        scripts = [s["src"] for s in parse(file).select("script[src]")]
        uses_search = any("/js/search." in src or "pagefind" in src for src in scripts)
        assert uses_search == (file == site / "search" / "index.html"), file


def test_search_index_covers_every_post(site):
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == len(POSTS)


def test_pagefinds_unused_interfaces_are_not_published(site):
    assert (
        not list((site / "pagefind").glob("*ui*")) and (site / "pagefind" / "pagefind.js").is_file()
    )


def test_article_shows_reading_time_and_its_neighbours(site):
    observer = parse(
        site / "2017" / "10" / "20" / "refactoring-with-the-observer-pattern" / "index.html"
    )
    assert re.fullmatch(r"· \d+ min read", observer.select_one(".reading-time").get_text())
    assert observer.select_one(".post-nav-newer")["href"] == "/2018/03/01/fahrenheit-451/"
    assert observer.select_one(".post-nav-older")["href"] == "/2017/06/01/using-synergy-over-vpn/"
    newest = parse(site / "2018" / "07" / "02" / "new-job-begintraining" / "index.html")
    assert newest.select(".post-nav-newer") == []


def test_home_shows_summaries_with_a_link_on_and_the_quote_whole(site):
    home = parse(site / "index.html")
    entries = home.select("main article.post-summary")
    assert len(entries) == len(POSTS)
    for entry in entries:
        quote = entry.select_one("figure.quote")
        read_more = entry.select_one(".read-more a")
        if quote is not None:
            assert read_more is None
        else:
            assert read_more["href"] == entry.h2.a["href"]


def test_archives_group_posts_by_year_and_month(site):
    archives = parse(site / "archives" / "index.html")
    years = [h2.get_text() for h2 in archives.select("main h2")]
    assert years == ["2018", "2017", "2016"]
    months_2017 = [h3.get_text() for h3 in archives.select("section:nth-of-type(2) h3")]
    assert months_2017 == ["October", "June", "February"]


def test_404_and_about_pages_exist(site):
    not_found = parse(site / "404.html")
    assert not_found.select_one('meta[name="robots"]')["content"] == "noindex"
    assert " ".join(not_found.h1.get_text().split()) == "Page not found"
    about = parse(site / "about" / "index.html")
    assert about.h1.get_text() == "About"
    assert parse(site / "index.html").select_one('header nav a[href="/about/"]') is not None


def test_layout_uses_system_fonts_and_a_readable_measure(site):
    stylesheet = next((site / "theme" / "css").glob("site.*.css")).read_text(encoding="utf-8")
    assert "--measure:70ch" in stylesheet
    assert "system-ui" in stylesheet
    assert "@font-face" not in stylesheet and "@import" not in stylesheet
