"""End to end: build the real site once, then check it page by page against the seed."""

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from tests.conftest import REPO, invoke, read_metadata
from tests.seedtext import fold, fold_seed_line, split_seed

POSTS = sorted(p for p in (REPO / "content").glob("*.md") if p.name != "README.md")
POST_IDS = [post.stem for post in POSTS]
FENCE = re.compile(r"^```(\S+)\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Build the real site once, strictly, into a temporary directory."""
    output = tmp_path_factory.mktemp("site") / "output"
    result = invoke("build", "--strict", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    return output


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
    blockquote = page(site, permalink(quote_post)).select_one("article blockquote")
    assert blockquote.get_text().strip().startswith("Everyone must leave something behind")
    assert fold(blockquote.get_text()).endswith("- Ray Bradbury")


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
