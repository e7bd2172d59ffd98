"""End to end: build the real site once, then check it page by page against the seed."""

import json
import re
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from tests.conftest import REPO, read_metadata
from tests.seedtext import fold, fold_seed_line, split_seed

POSTS = sorted(p for p in (REPO / "content").glob("*.md") if p.name != "README.md")
POST_IDS = [post.stem for post in POSTS]
FENCE = re.compile(r"^```(\S+)\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def site(built_site) -> Path:
    """The real site, built once for the test session."""
    return built_site


@pytest.fixture(scope="module")
def seed_posts():
    """The export split into posts, keyed by title."""
    return split_seed([read_metadata(post)["title"] for post in POSTS])


def permalink(post: Path) -> str:
    """The WordPress-style URL path a post must keep: /YYYY/MM/DD/slug/."""
    metadata = read_metadata(post)
    date = datetime.fromisoformat(metadata["date"])
    return f"/{date:%Y/%m/%d}/{metadata['slug']}/"


def page(site: Path, url_path: str) -> BeautifulSoup:
    """Parse the page a URL path serves."""
    file = site / url_path.strip("/") / "index.html"
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def test_there_are_seven_posts():
    assert len(POSTS) == 7


def test_exactly_the_seven_posts_are_written_at_their_permalinks(site):
    written = sorted(
        "/" + path.parent.relative_to(site).as_posix() + "/"
        for path in site.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html")
    )
    assert written == sorted(permalink(post) for post in POSTS)


@pytest.mark.parametrize("post", POSTS, ids=POST_IDS)
def test_slug_is_lowercase_and_from_the_title(post):
    metadata = read_metadata(post)
    words = re.findall(r"[a-z0-9]+", metadata["title"].lower())
    assert metadata["slug"] == "-".join(words)


@pytest.mark.parametrize("post", POSTS, ids=POST_IDS)
def test_every_seed_line_is_on_the_post_page(site, seed_posts, post):
    metadata = read_metadata(post)
    article = page(site, permalink(post)).find("article")
    text = fold(article.get_text())
    assert fold(metadata["title"]) in text
    missing = [
        line
        for line in seed_posts[fold(metadata["title"])].body
        if fold_seed_line(line) not in text
    ]
    assert missing == []


@pytest.mark.parametrize("post", POSTS, ids=POST_IDS)
def test_categories_are_the_seeds_in_order(seed_posts, post):
    metadata = read_metadata(post)
    assert metadata["category"] == seed_posts[fold(metadata["title"])].categories


@pytest.mark.parametrize("post", POSTS, ids=POST_IDS)
def test_code_blocks_are_pre_with_their_language(site, post):
    languages = FENCE.findall(post.read_text(encoding="utf-8"))
    blocks = page(site, permalink(post)).select("article pre")
    recorded = [
        next(c for c in block.parent["class"] if c.startswith("language-")).removeprefix(
            "language-"
        )
        for block in blocks
    ]
    assert recorded == languages


def test_code_keeps_straight_quotes_and_placeholders(site):
    observer = page(site, "/2017/10/20/refactoring-with-the-observer-pattern/")
    assert "require 'observer'" in observer.select("article pre")[0].get_text()
    synergy = page(site, "/2017/06/01/using-synergy-over-vpn/")
    code = " ".join(block.get_text() for block in synergy.select("article pre, article code"))
    assert "ssh <user>@<server IP>" in code
    assert "C:\\Program Files\\OpenSSH\\home\\<user>.ssh" in code
    assert "<local port>:<remote host>:<remote port>" in code


def test_observer_ruby_is_highlighted_and_labelled(site):
    observer = page(site, "/2017/10/20/refactoring-with-the-observer-pattern/")
    block = observer.select_one("article div.highlight")
    assert block.select_one(".code-lang").get_text() == "Ruby"
    assert block.select_one("span.nb").get_text() == "require"
    assert block.select_one("span.s1").get_text() == "'observer'"
    assert not observer.select("article pre [style]")  # colours come from classes only


def test_code_stylesheet_and_copy_script_are_linked_and_written(site):
    observer = page(site, "/2017/10/20/refactoring-with-the-observer-pattern/")
    stylesheets = [link["href"] for link in observer.select('link[rel="stylesheet"]')]
    code_css = next(href for href in stylesheets if "/code/code." in href)
    css = (site / code_css.lstrip("/")).read_text(encoding="utf-8")
    assert re.search(r"\.highlight \.k[,{]", css)
    script = observer.select_one('script[src*="copy-code"]')
    assert script.has_attr("defer")
    assert "navigator.clipboard" in (site / script["src"].lstrip("/")).read_text(encoding="utf-8")


def test_prose_gets_curly_quotes_from_typogrify(site):
    synergy = page(site, "/2017/06/01/using-synergy-over-vpn/")
    assert "I\u2019ve been watching" in synergy.find("article").get_text()


@pytest.mark.parametrize(
    ("url_path", "caption"),
    [
        (
            "/2017/10/20/refactoring-with-the-observer-pattern/",
            "Screen Shot 2017-10-20 at 10.26.13 AM",
        ),
        ("/2016/08/11/assign-pull-requests-with-hubot/", "Screen Shot 2016-08-11 at 6.30.50 PM"),
    ],
)
def test_lost_screenshots_keep_their_caption_visible(site, url_path, caption):
    captions = [fold(c.get_text()) for c in page(site, url_path).select("article figcaption")]
    assert caption in captions


def test_quote_post_is_attributed_to_ray_bradbury(site):
    quote_post = next(post for post in POSTS if read_metadata(post)["title"] == "Fahrenheit 451")
    assert read_metadata(quote_post)["quote-author"] == "Ray Bradbury"
    figure = page(site, permalink(quote_post)).select_one("article figure.quote")
    quote = figure.select_one("blockquote").get_text().strip()
    assert quote.startswith("Everyone must leave something behind")
    assert "Ray Bradbury" not in quote  # the attribution moved out of the quote, into the caption
    caption = figure.select_one("figcaption")
    assert fold(caption.get_text()) == "- Ray Bradbury, Fahrenheit 451"
    assert [cite.get_text() for cite in caption.select("cite")] == [
        "Ray Bradbury",
        "Fahrenheit 451",
    ]


def test_quote_post_carries_quotation_json_ld(site):
    article = page(site, "/2018/03/01/fahrenheit-451/")
    blocks = [json.loads(s.string) for s in article.select('script[type="application/ld+json"]')]
    quotation = next(block for block in blocks if block["@type"] == "Quotation")
    assert quotation["creator"]["name"] == "Ray Bradbury"
    assert quotation["isPartOf"]["name"] == "Fahrenheit 451"
    assert quotation["text"].startswith("Everyone must leave something behind")


@pytest.mark.parametrize("url_path", ["/", "/category/quotes/", "/category/thoughts/"])
def test_listings_show_the_whole_quote_with_attribution(site, url_path):
    listing = page(site, url_path)
    entry = next(
        e for e in listing.select("article") if "Fahrenheit" in e.find(["h2", "h1"]).get_text()
    )
    quote = entry.select_one("figure.quote blockquote").get_text()
    assert fold(quote).strip().endswith("after you take your hands away.")
    assert entry.select_one("figure.quote figcaption cite").get_text() == "Ray Bradbury"


@pytest.mark.parametrize("post", POSTS, ids=POST_IDS)
def test_author_is_ben_simpson(site, post):
    author = page(site, permalink(post)).select_one('meta[name="author"]')["content"]
    assert author == "Ben Simpson"


@pytest.mark.parametrize("post", POSTS, ids=POST_IDS)
def test_date_is_in_chicago_time(site, post):
    stamp = page(site, permalink(post)).select_one("article time")["datetime"]
    published = datetime.fromisoformat(stamp)
    expected = datetime.fromisoformat(read_metadata(post)["date"]).replace(
        tzinfo=ZoneInfo("America/Chicago")
    )
    assert published == expected
    assert published.utcoffset() == expected.utcoffset()


def all_pages(site: Path) -> list[Path]:
    """Every HTML file of the built site."""
    return sorted(site.rglob("*.html"))


def test_no_image_points_at_a_missing_file(site):
    missing = [
        (str(html.relative_to(site)), img.get("src"))
        for html in all_pages(site)
        for img in BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").find_all("img")
        if not img.get("src") or not (site / urlparse(img["src"]).path.lstrip("/")).exists()
    ]
    assert missing == []


def test_no_link_is_empty_or_broken(site):
    problems = []
    for html in all_pages(site):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for link in soup.find_all(["a", "link"]):
            href = link.get("href", "")
            if not href or (link.name == "a" and not link.get_text(strip=True)):
                problems.append((str(html.relative_to(site)), str(link)))
                continue
            target = urlparse(href)
            if target.scheme or target.netloc or not target.path:
                continue
            resolved = site / target.path.lstrip("/")
            if not (resolved.is_file() or (resolved / "index.html").is_file()):
                problems.append((str(html.relative_to(site)), href))
    assert problems == []


def test_archives_by_year_and_month_exist(site):
    for post in POSTS:
        year, month = permalink(post).strip("/").split("/")[:2]
        assert (site / year / "index.html").is_file()
        assert (site / year / month / "index.html").is_file()


def test_content_readme_records_each_posts_date_and_evidence():
    notes = (REPO / "content" / "README.md").read_text(encoding="utf-8")
    for post in POSTS:
        metadata = read_metadata(post)
        row = next(line for line in notes.splitlines() if metadata["title"] in line)
        assert metadata["date"] in row


def categories_by_slug() -> dict[str, list[str]]:
    """Each category slug and the permalinks of its posts, from the posts' own metadata."""
    posts = defaultdict(list)
    for post in POSTS:
        for name in read_metadata(post)["category"].split(","):
            posts[slugify(name)].append(permalink(post))
    return posts


def slugify(name: str) -> str:
    """Pelican's slug for a plain category name."""
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")


def listed_posts(site: Path, url_path: str) -> list[str]:
    """The permalinks a listing page links to as entries, in order."""
    return [a["href"] for a in page(site, url_path).select("article h2 a")]


def test_the_seed_has_thirteen_categories_each_with_a_page(site):
    slugs = categories_by_slug()
    assert len(slugs) == 13
    written = sorted(p.parent.name for p in (site / "category").glob("*/index.html"))
    assert written == sorted(slugs)


def test_each_category_page_lists_exactly_its_posts_newest_first(site):
    for slug, permalinks in categories_by_slug().items():
        listed = listed_posts(site, f"/category/{slug}/")
        assert listed == sorted(permalinks, reverse=True), slug


def test_software_lists_five_posts_and_thoughts_three(site):
    assert len(listed_posts(site, "/category/software/")) == 5
    assert len(listed_posts(site, "/category/thoughts/")) == 3


def test_categories_index_counts_every_category(site):
    entries = page(site, "/category/").select(".category-list li")
    counts = {
        fold(li.a.get_text()): int(re.search(r"\((\d+)\)", li.get_text())[1]) for li in entries
    }
    assert counts["Software"] == 5
    assert counts["Thoughts"] == 3
    assert sum(counts.values()) == sum(len(p) for p in categories_by_slug().values())
    assert len(counts) == 13


@pytest.mark.parametrize("post", POSTS, ids=POST_IDS)
def test_article_links_all_its_categories_in_order(site, post):
    names = [name.strip() for name in read_metadata(post)["category"].split(",")]
    links = page(site, permalink(post)).select("article header .post-categories a")
    assert [a.get_text() for a in links] == names
    assert [a["href"] for a in links] == [f"/category/{slugify(n)}/" for n in names]


ATOM = "{http://www.w3.org/2005/Atom}"


def feed_categories(feed_file: Path) -> dict[str, list[str]]:
    """Each entry's link path and its category terms, from an Atom feed."""
    root = ElementTree.parse(feed_file).getroot()
    return {
        urlparse(entry.find(f"{ATOM}link").get("href")).path: [
            c.get("term") for c in entry.findall(f"{ATOM}category")
        ]
        for entry in root.iter(f"{ATOM}entry")
    }


def test_main_feed_entries_carry_all_their_categories(site):
    entries = feed_categories(site / "feeds" / "all.atom.xml")
    assert len(entries) == 7
    for post in POSTS:
        names = [name.strip() for name in read_metadata(post)["category"].split(",")]
        assert entries[permalink(post)] == names


def test_category_feeds_hold_their_posts_with_all_categories(site):
    for slug, permalinks in categories_by_slug().items():
        entries = feed_categories(site / "feeds" / f"{slug}.atom.xml")
        assert sorted(entries) == sorted(permalinks), slug
        assert all(len(terms) >= 1 for terms in entries.values())
    software = feed_categories(site / "feeds" / "software.atom.xml")
    assert software["/2018/07/02/new-job-begintraining/"] == [
        "Computers",
        "Open-source",
        "Ruby",
        "Software",
        "Thoughts",
        "Web",
    ]
