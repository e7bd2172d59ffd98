"""The built site in headless Chromium, served on loopback with the site's strict CSP."""

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

import pelicanconf
from sitebuild.build import build_site
from tests.browser import serving
from tests.conftest import REPO, read_metadata
from tests.pictures import photo

POSTS = sorted(p for p in (REPO / "content").glob("*.md") if p.name != "README.md")

OBSERVER = "/2017/10/20/refactoring-with-the-observer-pattern/"
PAGES = {
    "home": "/",
    "article": OBSERVER,
    "quote": "/2018/03/01/fahrenheit-451/",
    "category": "/category/software/",
    "categories": "/category/",
    "archives": "/archives/",
    "year": "/2017/",
    "month": "/2017/10/",
    "about": "/about/",
    "search": "/search/?q=synergy",
    "404": "/404.html",
}
AXE_PAGES = ["home", "article", "category", "archives", "search", "404"]
WIDTHS = [320, 375, 768, 1440]


@pytest.fixture(scope="module")
def base_url(built_site: Path):
    """The built site on 127.0.0.1, every response carrying the site's CSP."""
    with serving(built_site, pelicanconf.CONTENT_SECURITY_POLICY) as url:
        yield url


@pytest.fixture(scope="module", params=[0, 2], ids=["index-in-one-part", "index-in-parts-of-2"])
def search_url(request, built_site: Path, tmp_path_factory):
    """The site with its search index whole, and again with the index in parts of two posts."""
    site = built_site
    if request.param:
        root = tmp_path_factory.mktemp("parted")
        overrides = {"SEARCH_PART_PAGES": request.param, "CACHE_PATH": str(root / "cache")}
        settings = REPO / "pelicanconf.py"
        site = build_site(settings, root / "output", strict=True, overrides=overrides)
    with serving(site, pelicanconf.CONTENT_SECURITY_POLICY) as url:
        yield url


@pytest.fixture
def new_page(chromium):
    """Open pages in fresh browser contexts, closed after the test."""
    contexts = []

    def open_page(**options):
        context = chromium.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_with_no_console_error_or_csp_violation(base_url, new_page, name):
    page = new_page()
    problems = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.goto(base_url + PAGES[name], wait_until="networkidle")
    if name == "search":
        page.wait_for_selector(".search-results li")
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scroll(base_url, new_page, name, width):
    page = new_page(viewport={"width": width, "height": 800})
    page.goto(base_url + PAGES[name])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_long_code_scrolls_inside_its_block(base_url, new_page):
    page = new_page(viewport={"width": 320, "height": 800})
    page.goto(base_url + "/2017/06/01/using-synergy-over-vpn/")
    widths = page.eval_on_selector_all(
        ".highlight pre", "blocks => blocks.map(b => [b.scrollWidth, b.clientWidth])"
    )
    assert any(scroll > client for scroll, client in widths)  # something needed scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def background(page) -> str:
    """The body's computed background colour."""
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


LIGHT_BACKGROUND = "rgb(255, 255, 255)"
DARK_BACKGROUND = "rgb(13, 17, 23)"


@pytest.mark.parametrize(
    ("scheme", "expected"), [("light", LIGHT_BACKGROUND), ("dark", DARK_BACKGROUND)]
)
def test_colours_follow_the_system_setting(base_url, new_page, scheme, expected):
    page = new_page(color_scheme=scheme)
    page.goto(base_url + OBSERVER)
    assert background(page) == expected
    code = page.eval_on_selector(".highlight", "b => getComputedStyle(b).backgroundColor")
    assert code == expected  # code colours follow the same scheme


def test_toggle_switches_and_the_choice_persists(base_url, new_page):
    page = new_page(color_scheme="light")
    page.goto(base_url + "/")
    toggle = page.locator("button.theme-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert background(page) == DARK_BACKGROUND
    assert toggle.get_attribute("aria-pressed") == "true"
    page.goto(base_url + OBSERVER)
    assert background(page) == DARK_BACKGROUND
    keyword = page.eval_on_selector(".highlight .k", "k => getComputedStyle(k).color")
    assert keyword == "rgb(255, 123, 114)"  # github-dark's keyword colour, not xcode's
    page.locator("button.theme-toggle").click()
    page.reload()
    assert background(page) == LIGHT_BACKGROUND


# Records the colour scheme at the moment <body> is parsed: nothing can be painted before that.
SCHEME_AT_BODY = """
new MutationObserver((changes, observer) => {
  if (document.body) {
    window.schemeAtBody = document.documentElement.dataset.theme || "none";
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def test_saved_choice_applies_before_the_first_paint(base_url, new_page):
    page = new_page(color_scheme="light")
    page.goto(base_url + "/")
    page.locator("button.theme-toggle").click()  # saves "dark"
    page.add_init_script(SCHEME_AT_BODY)
    page.goto(base_url + "/archives/")
    assert page.evaluate("window.schemeAtBody") == "dark"


def test_pages_read_without_javascript(base_url, new_page):
    page = new_page(java_script_enabled=False)
    page.goto(base_url + OBSERVER)
    assert "Observer" in page.locator("h1").inner_text()
    assert not page.locator("button.theme-toggle").is_visible()
    assert page.locator(".highlight .k").count() > 0


def search_results(page) -> list[str]:
    """The titles the search page lists once it has searched."""
    expect(page.locator(".search-status")).to_contain_text("found")
    titles = page.locator(".search-results li a").all_inner_texts()
    return [" ".join(title.split()) for title in titles]  # typogrify's no-break spaces


def test_search_finds_the_vpn_post(search_url, new_page):
    page = new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(search_url + "/search/")
    page.fill("#search-query", "Synergy")
    assert search_results(page) == ["Using Synergy Over VPN"]
    link = page.locator(".search-results li a").first.get_attribute("href")
    assert link == "/2017/06/01/using-synergy-over-vpn/"
    assert problems == []


def test_search_filters_by_category(search_url, new_page):
    page = new_page()
    page.goto(search_url + "/search/?q=the")
    assert len(search_results(page)) == len(POSTS)  # every post has the word
    page.select_option("#search-category", "Ruby")
    page.wait_for_url("**category=Ruby**")
    ruby_posts = [
        read_metadata(post)["title"]
        for post in POSTS
        if "Ruby" in [name.strip() for name in read_metadata(post)["category"].split(",")]
    ]
    assert sorted(search_results(page)) == sorted(ruby_posts)


TAGGED_POSTS = {
    "rails.md": ("Rails notes", "2020-01-01", "Ruby", "web, howto"),
    "sinatra.md": ("Sinatra notes", "2020-01-02", "Ruby", "web"),
    "hubot.md": ("Hubot notes", "2020-01-03", "Chat", "howto"),
}


@contextlib.contextmanager
def small_site(root: Path, posts: dict[str, str | bytes]) -> Iterator[str]:
    """A site of a few posts and files (with the real pages and search index), on loopback."""
    content = root / "content"
    shutil.copytree(REPO / "content" / "pages", content / "pages")
    for name, text in posts.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (content / name).write_bytes(data)
    overrides = {"PATH": str(content), "CACHE_PATH": str(root / "cache")}
    site = build_site(REPO / "pelicanconf.py", root / "output", strict=True, overrides=overrides)
    with serving(site, pelicanconf.CONTENT_SECURITY_POLICY) as url:
        yield url


@pytest.fixture(scope="module")
def tagged_url(tmp_path_factory):
    """A small site whose posts have tags."""
    posts = {
        name: f"Title: {title}\nDate: {date}\nCategory: {category}\nTags: {tags}\n\nThe notes.\n"
        for name, (title, date, category, tags) in TAGGED_POSTS.items()
    }
    with small_site(tmp_path_factory.mktemp("tagged"), posts) as url:
        yield url


def test_search_filters_by_tag_and_category_together(tagged_url, new_page):
    page = new_page()
    page.goto(tagged_url + "/search/?q=notes")
    assert len(search_results(page)) == 3
    page.select_option("#search-tag", "web")
    page.wait_for_url("**tag=web**")
    assert sorted(search_results(page)) == ["Rails notes", "Sinatra notes"]
    page.goto(tagged_url + "/search/?q=notes&tag=howto&category=Chat")
    assert search_results(page) == ["Hubot notes"]


@pytest.fixture(scope="module")
def video_url(tmp_path_factory):
    """A small site with a post that shows a YouTube video."""
    talk = "Title: A talk\nDate: 2020-01-01\n\nWorth seeing:\n\n"
    talk += "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n"
    with small_site(tmp_path_factory.mktemp("video"), {"talk.md": talk}) as url:
        yield url


def test_a_video_loads_nothing_from_its_site_until_the_reader_plays_it(video_url, new_page):
    page = new_page()
    elsewhere, problems = [], []
    # Nothing leaves the machine: a request elsewhere is recorded and refused.
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("http://127.0.0.1")
            else (elsewhere.append(route.request.url), route.abort())
        ),
    )
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(video_url + "/2020/01/01/a-talk/", wait_until="networkidle")
    button = page.locator(".video-embed button.video-play")
    expect(button).to_have_text("Play here (loads YouTube)")
    assert elsewhere == []
    button.click()
    frame = page.locator(".video-embed iframe")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    page.wait_for_timeout(200)
    assert elsewhere == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]
    assert problems == []  # the site's policy lets the player's frame load


def test_the_buttons_scripts_add_speak_the_pages_language(tmp_path, new_page):
    czech = "Title: Kód\nDate: 2020-01-01\nLang: cs\n\n```python\nx = 1\n```\n\n"
    czech += "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n"
    with small_site(tmp_path, {"kod.md": czech}) as url:
        page = new_page()
        page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
        page.goto(url + "/2020/01/01/kod/")
        expect(page.locator(".highlight .code-copy")).to_have_text("Kopírovat")
        expect(page.locator(".video-play")).to_have_text("Přehrát zde (načte YouTube)")


def test_copy_button_copies_the_raw_code(base_url, new_page, built_site):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(base_url + OBSERVER)
    page.locator(".highlight .code-copy").first.click()
    expect(page.locator(".highlight .code-copy").first).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    source = Path(__file__).parent.parent / "content" / "refactoring-with-the-observer-pattern.md"
    first_block = source.read_text(encoding="utf-8").split("```ruby\n")[1].split("```")[0]
    assert copied == first_block
    assert copied.startswith("require 'observer'")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_violations(base_url, new_page, name, scheme):
    if name == "search":
        assert axe_violations(new_page, base_url + PAGES[name], scheme, ".search-results li") == []
    else:
        assert axe_violations(new_page, base_url + PAGES[name], scheme) == []


@pytest.mark.parametrize("path", ["/tag/web/", "/tags/", "/2020/01/01/rails-notes/"])
def test_axe_finds_no_violations_on_tag_pages(tagged_url, new_page, path):
    assert axe_violations(new_page, tagged_url + path, "light") == []


def axe_violations(new_page, url: str, scheme: str, wait_for: str = "") -> list:
    """What axe-core finds wrong with a page, as (rule, elements) pairs."""
    # axe is injected as an inline script, which the CSP would rightly refuse.
    page = new_page(color_scheme=scheme, bypass_csp=True)
    page.goto(url, wait_until="networkidle")
    if wait_for:
        page.wait_for_selector(wait_for)
    results = Axe().run(page)
    return [
        (v["id"], [node["target"] for node in v["nodes"]]) for v in results.response["violations"]
    ]


@pytest.fixture(scope="module")
def photo_url(tmp_path_factory):
    """A small site with a post of photos: a tall one first, a wide one below the fold."""
    files = {
        "images/tall.jpg": photo(1200, 1600),
        "images/wide.jpg": photo(2400, 1200, orientation=3),
        "holiday.md": "Title: Holiday\nDate: 2020-01-01\n\nThe lake:\n\n"
        "![A lake](/images/tall.jpg)\n\n" + "Some words.\n\n" * 40 + "![A hill](images/wide.jpg)\n",
    }
    with small_site(tmp_path_factory.mktemp("photos"), files) as url:
        yield url


LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) total += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 500);
})"""


def test_photos_load_small_and_modern_on_a_phone_without_layout_shift(photo_url, new_page):
    page = new_page(viewport={"width": 375, "height": 700}, device_scale_factor=2)
    page.goto(photo_url + "/2020/01/01/holiday/", wait_until="load")
    page.mouse.wheel(0, 20000)
    # Polled from here: the site's policy (no eval) stops wait_for_function's in-page polling.
    for _ in range(200):
        if page.evaluate("[...document.images].every(img => img.complete)"):
            break
        page.wait_for_timeout(50)
    pictures = page.eval_on_selector_all(
        ".post-content img",
        "imgs => imgs.map(img => [img.currentSrc, img.naturalWidth, img.loading])",
    )
    assert len(pictures) == 2
    for current, natural, _ in pictures:
        # 375 CSS pixels at 2x: the 800 px variant, in AVIF, not the full photo.
        assert re.search(r"\.800w\.[0-9a-f]{10}\.avif$", current), current
        assert natural > 0  # decoded
    assert [lazy for *_, lazy in pictures] == ["auto", "lazy"]
    assert page.evaluate(LAYOUT_SHIFT) == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_post_with_photos_passes_axe(photo_url, new_page, scheme):
    assert axe_violations(new_page, photo_url + "/2020/01/01/holiday/", scheme) == []
