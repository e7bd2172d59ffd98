"""Give an article every category named in `Category: A, B, C`, the first being its primary one.

Stock Pelican reads `Category:` as one name. This plugin splits it, keeps the categories in order
without repeats (names that differ only in case are one category, spelt as the oldest post spelt
it; other names that would share an address are an error naming both posts),
lists each article on the page and feed of every category it has, and writes all of an article's
categories into its feed entries. Templates see `article.categories` and `article.category`.
Tags follow the same rules for their names and addresses; tag and author listings, like the
categories', answer `in` in constant time; a blog by its AUTHOR alone writes no author pages.
"""

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urljoin

from pelican import signals
from pelican.contents import Article
from pelican.urlwrappers import Category, Tag, URLWrapper

logger = logging.getLogger(__name__)

DEFAULT_SEPARATOR = ","
DEFAULT_SLUG_LENGTH = 80
# A category's slug: one path segment with a letter or digit in it (any script, for sites that
# keep Unicode slugs), and nothing that separates, ends or quotes a URL or its path.
USABLE_SLUG = re.compile(r"(?=.*[^\W_])[^\s/\\?#%<>\"'`{}|^\[\]]+")
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
CATEGORY_LINE = re.compile(r"^\s*category\s*:(?P<value>.*)$", re.IGNORECASE)
# How errors name each kind of name, and the header key it is written under.
TAXONOMY_LABELS = {Category: ("category", "category"), Tag: ("tag", "tags")}


def split_names(value: str, separator: str = DEFAULT_SEPARATOR) -> list[str]:
    """Split a `Category:` value into stripped names, keeping empty ones so they can be reported."""
    return [name.strip() for name in value.split(separator)]


def unique_by_slug(categories: Iterable[Category]) -> list[Category]:
    """Drop every category whose slug an earlier one already has, keeping the order."""
    seen: set[str] = set()
    unique = []
    for category in categories:
        if category.slug not in seen:
            seen.add(category.slug)
            unique.append(category)
    return unique


def find_empty_category_line(source: Path, separator: str) -> int | None:
    """Return the line of a Markdown header's `Category:` that holds an empty name, or None."""
    with source.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                return None  # the metadata header ends at the first blank line
            match = CATEGORY_LINE.match(line)
            if match and "" in split_names(match["value"], separator):
                return number
    return None


def header_line(source: str, key: str = "category") -> int:
    """The line of a Markdown header's `Category:` (or other key), or 1."""
    path = Path(source)
    pattern = re.compile(rf"^\s*{key}\s*:", re.IGNORECASE)
    if path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file():
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    break
                if pattern.match(line):
                    return number
    return 1


def usable_categories(article: Article, names: list[str]) -> list[Category]:
    """The article's categories by name, reporting those no address can be made from."""
    return usable_names(article, names, Category)


def usable_names(article: Article, names: list[str], kind: type[URLWrapper]) -> list[URLWrapper]:
    """The article's categories (or tags) by name, reporting those no address can be made from."""
    label, key = TAXONOMY_LABELS[kind]
    wrapped = []
    seen: dict[str, str] = {}
    for name in names:
        item = kind(name, article.settings)
        earlier = seen.setdefault(item.slug, name)
        if earlier.casefold() != name.casefold():
            report_slug_collision(article, earlier, article, name, kind)
        if not USABLE_SLUG.fullmatch(item.slug):
            logger.error(
                "%s:%d: %s %r has no letters or digits to make its address from; rename it",
                article.source_path,
                header_line(article.source_path, key),
                label,
                name,
            )
            continue
        limit = article.settings.get("MULTI_CATEGORY_SLUG_LENGTH", DEFAULT_SLUG_LENGTH)
        if len(item.slug) > limit:
            logger.warning(
                "%s:%d: %s %r makes an address %d characters long; it is cut to %d",
                article.source_path,
                header_line(article.source_path, key),
                label,
                name[:40] + "…",
                len(item.slug),
                limit,
            )
            item.slug = item.slug[:limit].rstrip("-")
        wrapped.append(item)
    return wrapped


def report_empty_category(article: Article, separator: str) -> bool:
    """Log an error naming the file and line when the article's `Category:` has an empty name."""
    source = Path(article.source_path)
    if source.suffix.lower() not in MARKDOWN_SUFFIXES or not source.is_file():
        return False
    line = find_empty_category_line(source, separator)
    if line is None:
        return False
    logger.error(
        "%s:%d: empty category name; write `Category: A, B` with a name between every comma",
        article.source_path,
        line,
    )
    return True


def split_article_categories(instance) -> None:
    """Replace the article's one comma-joined category with the list of its categories."""
    if not isinstance(instance, Article):
        return
    separator = instance.settings.get("MULTI_CATEGORY_SEPARATOR", DEFAULT_SEPARATOR)
    if report_empty_category(instance, separator):
        return
    primary = getattr(instance, "category", None)
    if primary is None:
        instance.categories = []
        return
    if "category" in instance.metadata:
        names = [name for name in split_names(primary.name, separator) if name]
        categories = unique_by_slug(usable_categories(instance, names))
    else:
        categories = [primary]  # DEFAULT_CATEGORY or the folder name: one category
    if not categories:
        instance.categories = []
        return
    instance.categories = categories
    instance.category = categories[0]
    instance.metadata["category"] = categories[0]


def check_article_tags(instance) -> None:
    """Hold tags to the categories' rules: an address from each, unique, not too long."""
    if not isinstance(instance, Article) or not getattr(instance, "tags", None):
        return
    tags = unique_by_slug(usable_names(instance, [tag.name for tag in instance.tags], Tag))
    instance.tags = tags
    instance.metadata["tags"] = tags


def all_articles(generator) -> list[Article]:
    """Every article the generator read: listed, translated, hidden and draft."""
    groups = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts")
    return [article for group in groups for article in getattr(generator, group, [])]


def report_slug_collision(
    first: Article, first_name: str, later: Article, name: str, kind: type = Category
) -> None:
    """Name both posts when two different category (or tag) names would share one address."""
    label, key = TAXONOMY_LABELS[kind]
    logger.error(
        "%s:%d: %s %r has the same address as %r in %s; rename one of them",
        later.source_path,
        header_line(later.source_path, key),
        label,
        name,
        first_name,
        first.source_path,
    )


def share_first_spellings(articles: list[Article]) -> None:
    """Make every article use one object per category (and tag) slug, spelt as the oldest post.

    Names that differ only in case are one category or tag; other names with one slug are an
    error.
    """
    for kind, attribute in ((Category, "categories"), (Tag, "tags")):
        canonical: dict[str, tuple[URLWrapper, Article, str]] = {}
        for article in sorted(articles, key=lambda a: (a.date, a.source_path)):
            items = getattr(article, attribute, None)
            if attribute == "categories":
                items = items or [article.category]
            if not items:
                continue
            shared = []
            for item in items:
                first = canonical.setdefault(item.slug, (item, article, item.name))
                if first[2].casefold() != item.name.casefold():
                    report_slug_collision(first[1], first[2], article, item.name, kind)
                shared.append(first[0])
            setattr(article, attribute, shared)
        for article in articles:
            if getattr(article, "categories", None):
                article.category = article.categories[0]


class PostList(list):
    """A category's, tag's or author's posts: a list whose `in` takes constant time.

    Pelican picks each such page's posts by asking, for every post of the site, whether it is
    in the listing's list: with list's linear search that takes seconds at 10,000 posts.
    Posts are equal only to themselves, so membership by identity is the same answer.
    """

    def __contains__(self, item: object) -> bool:
        """Whether item is one of the posts, through a set of ids kept as long as the list."""
        if getattr(self, "_ids_for", None) != len(self):
            self._ids = {id(post) for post in self}
            self._ids_for = len(self)
        return id(item) in self._ids


def group_by_category(generator) -> None:
    """List each article under all its categories, so category pages and feeds include it."""
    articles = all_articles(generator)
    if not articles:
        return
    share_first_spellings(articles)
    grouped: dict[Category, list[Article]] = defaultdict(PostList)
    for article in generator.articles:  # already in ARTICLE_ORDER_BY order, newest first
        for category in article.categories:
            grouped[category].append(article)
    generator.categories = sorted(
        grouped.items(), reverse=generator.settings["REVERSE_CATEGORY_ORDER"]
    )
    generator.context["categories"] = generator.categories


def drop_lone_author_pages(generator) -> None:
    """A blog whose every post is by AUTHOR alone writes no author pages or feeds.

    They would repeat the home page and its feed under another address, linked from nowhere
    (no post shows a byline then).
    """
    authors = generator.authors
    if len(authors) == 1 and authors[0][0].name == generator.settings.get("AUTHOR"):
        generator.authors = []
        generator.context["authors"] = []


def index_tags_and_authors(generator) -> None:
    """List tags as the articles now spell them, and give tag and author listings fast `in`."""
    tags: dict[Tag, list[Article]] = defaultdict(PostList)
    for article in generator.articles:  # as Pelican lists them: newest first, published only
        for tag in getattr(article, "tags", []):
            tags[tag].append(article)
    generator.tags = tags
    generator.authors = [(author, PostList(posts)) for author, posts in generator.authors]
    generator.context["tags"] = list(generator.tags.items())
    generator.context["authors"] = generator.authors


# Feed links of the articles of the build being written: each feed would otherwise work them
# all out again, which dominates writing the feeds of a large site.
_feed_links: dict[int, tuple[list, str, dict[str, Article]]] = {}


def feed_link(site_url: str, article: Article, settings: dict) -> str:
    """The link Pelican's feed writer gives an article's entry."""
    link = urljoin(site_url.rstrip("/") + "/", article.url)
    return link + "?ref=feed" if settings.get("FEED_APPEND_REF") else link


def articles_by_feed_link(context: dict) -> dict[str, Article]:
    """Every article and translation by its feed link, worked out once per build and site URL."""
    articles = context.get("articles", [])
    site_url = context.get("SITEURL", "")
    known = _feed_links.get(id(articles))
    if known is None or known[0] is not articles or known[1] != site_url:
        everything = list(articles)
        everything += [t for article in articles for t in getattr(article, "translations", [])]
        links = {feed_link(site_url, article, context): article for article in everything}
        # The list is kept so its id is not reused while the entry exists.
        _feed_links.clear()
        known = _feed_links[id(articles)] = (articles, site_url, links)
    return known[2]


def add_feed_categories(context: dict, feed) -> None:
    """Write every category of an article into its feed entry, where Pelican writes only one."""
    by_link = articles_by_feed_link(context)
    for entry in feed.items:
        article = by_link.get(entry["link"])
        if article is not None and getattr(article, "categories", None):
            tags = [str(tag) for tag in getattr(article, "tags", [])]
            entry["categories"] = [c.name for c in article.categories] + tags


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.content_object_init.connect(split_article_categories)
    signals.content_object_init.connect(check_article_tags)
    signals.article_generator_finalized.connect(group_by_category)
    signals.article_generator_finalized.connect(index_tags_and_authors)
    signals.article_generator_finalized.connect(drop_lone_author_pages)
    signals.feed_generated.connect(add_feed_categories)
