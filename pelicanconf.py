"""Pelican settings for building and previewing the site locally."""

import logging

from jinja2 import StrictUndefined


def newest_first(article) -> tuple[float, str]:
    """Sort posts newest first, and posts with the same date by source path."""
    # Pelican reads sources in set order, which varies from run to run; without the second
    # key, posts with one date would swap places between two builds of the same sources.
    return -article.date.timestamp(), article.source_path


AUTHOR = "Ben Simpson"
SITENAME = "Ben Simpson"
SITE_DESCRIPTION = "Notes on software, careers and the tools in between, by Ben Simpson."
SITEURL = ""
DEFAULT_LANG = "en"
TIMEZONE = "America/Chicago"

PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = [""]
# Files published as they are: pictures, downloads, and (the file_links plugin) extra/, whose
# files go to the site's root (CNAME, favicon.ico, .well-known/…). A file beside a post is
# published when the post links to it. None of these folders holds posts.
STATIC_PATHS = ["images", "files", "extra"]
ARTICLE_EXCLUDES = ["pages", *STATIC_PATHS]
# Published files are hard links to the sources (or to the images plugin's cleaned copies): a
# build that changed none of them copies nothing.
STATIC_CREATE_LINKS = True
# content/README.md documents the posts; it is not one of them. Editors' and systems' litter is
# never published; other names starting with a dot are (extra/.well-known/).
IGNORE_FILES = [".#*", "README.md", ".DS_Store", "Thumbs.db", "*~", ".*.swp", ".git*"]

THEME = "theme"
# A misspelt or out-of-scope variable fails the build instead of rendering as nothing.
# Autoescape: metadata is text unless a template says `|safe` (content, and titles that the
# text_titles plugin has escaped).
JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "undefined": StrictUndefined,
    "autoescape": True,
}
# The theme's static files are published under content-hashed names by the fingerprint plugin.
THEME_STATIC_PATHS: list[str] = []
PLUGIN_PATHS = ["plugins"]
# The build checks every link once the writer is done; page_sources tells it which post each page
# comes from, so a broken link is reported at its line.
PLUGINS = [
    "content_checks",
    "file_links",
    "text_titles",
    "multi_category",
    "code_highlight",
    "quote_posts",
    "embeds",
    "images",
    "csp_report",
    "fingerprint",
    "incremental",
    "redirects",
    "page_sources",
    "languages",
]

# Python-Markdown; the code_highlight plugin adds Pygments highlighting (pymdown-extensions).
MARKDOWN = {
    "extensions": [
        "markdown.extensions.abbr",
        "markdown.extensions.attr_list",
        "markdown.extensions.def_list",
        "markdown.extensions.footnotes",
        "markdown.extensions.md_in_html",
        "markdown.extensions.tables",
        "markdown.extensions.meta",
        "markdown.extensions.toc",
    ],
    # Column alignment as an attribute: the style="" Markdown writes otherwise is blocked by the
    # site's Content-Security-Policy.
    "extension_configs": {"markdown.extensions.tables": {"use_align_attribute": True}},
    "output_format": "html5",
}

# Code colours for light and dark mode, both WCAG AA on their own backgrounds.
CODE_HIGHLIGHT_LIGHT_STYLE = "xcode"
CODE_HIGHLIGHT_DARK_STYLE = "github-dark"
# Pygments has no sshd_config lexer: show such blocks plain, labelled with their own name.
CODE_HIGHLIGHT_ALIASES = {"sshd_config": "text"}

TYPOGRIFY = True
# The incremental plugin's speed-ups for reading (a reused Markdown instance, a smartypants that
# skips conversions a text cannot need): the same output, tested; each is undone after each read.
INCREMENTAL_SPEEDUPS = True
# Code must reach the reader exactly as written: no curly quotes or dashes inside it.
TYPOGRIFY_IGNORE_TAGS = ["pre", "code", "kbd", "samp", "script", "style"]

# WordPress permalinks, so links to the old blog keep working.
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
CATEGORIES_URL = "category/"
CATEGORIES_SAVE_AS = CATEGORIES_URL + "index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = ARCHIVES_URL + "index.html"
YEAR_ARCHIVE_URL = "{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = YEAR_ARCHIVE_URL + "index.html"
MONTH_ARCHIVE_URL = "{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_URL + "index.html"
# A translation (a post sharing its slug with one in another language) is published under its
# language; a post with no translation keeps the addresses above, whatever its language.
ARTICLE_LANG_URL = "{lang}/" + ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_LANG_URL + "index.html"
PAGE_LANG_URL = "{lang}/" + PAGE_URL
PAGE_LANG_SAVE_AS = PAGE_LANG_URL + "index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = DRAFT_URL + "index.html"
DRAFT_LANG_URL = "drafts/{lang}/{slug}/"
DRAFT_LANG_SAVE_AS = DRAFT_LANG_URL + "index.html"
# Category and tag addresses keep `C`, `C++` and `C#` apart; otherwise Pelican's own rules.
TAXONOMY_REGEX_SUBSTITUTIONS = [
    (r"\+", " plus "),
    (r"#", " sharp "),
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
]
CATEGORY_REGEX_SUBSTITUTIONS = TAXONOMY_REGEX_SUBSTITUTIONS
TAG_REGEX_SUBSTITUTIONS = TAXONOMY_REGEX_SUBSTITUTIONS
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = TAGS_URL + "index.html"
# Every author has a page and a feed; posts name their authors only when someone other than
# AUTHOR wrote them, so a single-author blog shows no bylines. No authors index.
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
AUTHORS_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "categories", "tags", "archives", "sitemap", "robots"]
TEMPLATE_EXTENSIONS = [".html", ".xml", ".txt"]
# A sitemap lists absolute addresses, which only a production build has (publishconf.py).
SITEMAP_SAVE_AS = ""
ROBOTS_SAVE_AS = "robots.txt"
# The search page is content/pages/search.md; the build indexes the posts for it with Pagefind.
SEARCH_INDEX = True
# Pagefind indexes at most this many posts at a time (memory grows with them); the search page
# merges the parts.
SEARCH_PART_PAGES = 2000

# Posts sharing a slug in different languages (`Lang:`) are translations of one another; two in
# one language are a clash, reported with both names.
ARTICLE_TRANSLATION_ID = "slug"
PAGE_TRANSLATION_ID = "slug"

ARTICLE_ORDER_BY = newest_first
DEFAULT_PAGINATION = 10
# Listings show the first words of a post; a quote post is always shown whole.
SUMMARY_MAX_LENGTH = 50
WORDS_PER_MINUTE = 200
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Locally the feeds' links are relative, so they resolve against the feed's own address wherever
# it is served (Atom allows relative references); publishconf.py makes them absolute with SITEURL.
FEED_DOMAIN = ""
# Pelican warns of exactly that; a local build knows, and must still pass --strict.
LOG_FILTER = [
    (
        logging.WARNING,
        "Feeds generated without SITEURL or FEED_DOMAIN set properly may not be valid",
    ),
    # An empty alt="" says a picture only decorates: a choice, not a slip. A missing alt is
    # the images plugin's warning.
    (logging.WARNING, "Empty alt attribute for image %s in %s"),
]
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
# In a folder of their own: a tag may share its name, and so its slug, with a category.
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
# Full text of the newest posts; readers poll feeds often, so they stay small.
FEED_MAX_ITEMS = 20
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = "feeds/author/{slug}.atom.xml"
AUTHOR_FEED_RSS = None

RELATIVE_URLS = False

# Old addresses that answer with a redirect to each post's address (the redirects plugin), in
# Pelican's URL syntax: for a blog that used Pelican's defaults, ["{slug}.html"]. The WordPress
# feed addresses are redirected by the hosting's function itself (infra/site.yaml).
REDIRECTS_ARTICLE_PATTERNS: list[str] = []
REDIRECTS_PAGE_PATTERNS: list[str] = []
REDIRECTS_EXTRA: dict[str, str] = {}

# Third-party origins posts may load from, by kind; each list widens the policy below, for the
# hosting, the local servers and the build's warnings alike. Videos play only when the reader
# asks (the embeds plugin), and never with cookies.
EMBED_ORIGINS = {
    "frames": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
    "images": [],
    "scripts": [],
    "media": [],
}


def content_security_policy(origins: dict[str, list[str]]) -> str:
    """The site's policy: nothing inline, nothing third-party but the origins allowed per kind."""

    def allowed(kind: str, *own: str) -> str:
        return " ".join(["'self'", *own, *origins.get(kind, [])])

    # Pagefind's search runs WebAssembly, hence 'wasm-unsafe-eval'.
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + allowed("scripts", "'wasm-unsafe-eval'"),
            "style-src 'self'",
            "img-src " + allowed("images", "data:"),
            "media-src " + allowed("media"),
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "frame-src " + allowed("frames"),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# The Content-Security-Policy the site is built to satisfy; the hosting sends it as a header
# (infra/site.yaml holds the same text, tested equal).
CONTENT_SECURITY_POLICY = content_security_policy(EMBED_ORIGINS)
