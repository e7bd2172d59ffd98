"""Render quotes as figure, blockquote and cited attribution, and quote posts as the quote itself.

A blockquote whose last line starts with an em dash or `--` and a name becomes
`<figure class="quote"><blockquote>…</blockquote><figcaption>— <cite>Name</cite></figcaption>`.
A post with `Format: quote` and `Quote-Author:` (optionally `Quote-Source:`) is that figure as a
whole, is listed in full rather than summarised, and offers `article.quote` with JSON-LD for a
schema.org Quotation. The author goes in `<cite>` as WordPress's quote format does.
"""

import html
import logging
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from pelican import signals
from pelican.contents import Article, Page

logger = logging.getLogger(__name__)

QUOTE_FORMAT = "quote"
EXTENSION = "quote_posts.quote_posts:QuoteExtension"
DASH_PREFIX = re.compile(r"^\s*(?:\u2014|--)\s*")
ATTRIBUTION_LINE = re.compile(r"^\s*(?:\u2014|--)\s*(?P<name>\S.*?)\s*$", re.DOTALL)
BLOCKQUOTE_CONTENT = re.compile(r"<blockquote>(?P<inner>.*?)</blockquote>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")
FORMAT_LINE = re.compile(r"^\s*format\s*:", re.IGNORECASE)


@dataclass
class Quotation:
    """What templates need to show a quote post: its attribution and structured data."""

    author: str
    source: str | None
    text: str
    json_ld: dict = field(repr=False)


def quote_metadata(meta: dict) -> tuple[str, str | None] | None:
    """Return (author, source) when Markdown metadata marks a quote post, else None."""

    def first(key: str) -> str:
        values = meta.get(key) or [""]
        return " ".join(values).strip()

    if first("format").lower() != QUOTE_FORMAT:
        return None
    return first("quote-author"), first("quote-source") or None


def author_cite() -> etree.Element:
    """An empty <cite> for the quote's author."""
    return etree.Element("cite", {"class": "quote-author"})


def take_attribution(quote: etree.Element) -> etree.Element | None:
    """Remove a trailing `— Name` line from a blockquote, returning it as a <cite>, or None."""
    if len(quote) == 0 or quote[-1].tag != "p":
        return None
    last = quote[-1]
    final_text = last[-1].tail if len(last) else last.text
    if final_text and "\n" in final_text:
        # The attribution is the last line of the quote's last paragraph.
        head, _, tail = final_text.rpartition("\n")
        match = ATTRIBUTION_LINE.match(tail)
        if not match:
            return None
        if len(last):
            last[-1].tail = head
        else:
            last.text = head
        cite = author_cite()
        cite.text = match["name"]
        return cite
    # The attribution is a paragraph of its own; keep its links and emphasis.
    text = last.text or ""
    rest = DASH_PREFIX.sub("", text, count=1)
    if len(quote) < 2 or rest == text or not (rest.strip() or len(last)):
        return None
    cite = author_cite()
    cite.text = rest
    cite.extend(list(last))
    quote.remove(last)
    return cite


def caption(author: etree.Element | None, source: str | None) -> etree.Element:
    """A figcaption: an em dash, the author and, when known, the work quoted."""
    figcaption = etree.Element("figcaption")
    figcaption.text = "\u2014 "
    if author is not None:
        figcaption.append(author)
    if source:
        if author is not None:
            author.tail = ", "
        work = etree.SubElement(figcaption, "cite", {"class": "quote-source"})
        work.text = source
    return figcaption


def figure(quote: etree.Element, figcaption: etree.Element) -> etree.Element:
    """Wrap a blockquote and its caption in a quote figure."""
    element = etree.Element("figure", {"class": "quote"})
    element.text = "\n"
    quote.tail = "\n"
    element.append(quote)
    element.append(figcaption)
    figcaption.tail = "\n"
    return element


def attribute_blockquotes(root: etree.Element) -> None:
    """Turn each blockquote ending in `— Name` into a quote figure with that attribution."""
    found = [
        (parent, child)
        for parent in root.iter()
        if parent.tag != "figure"
        for child in parent
        if child.tag == "blockquote"
    ]
    for parent, quote in found:
        author = take_attribution(quote)
        if author is not None:
            index = list(parent).index(quote)
            tail, quote.tail = quote.tail, None
            parent.remove(quote)
            wrapped = figure(quote, caption(author, None))
            wrapped.tail = tail
            parent.insert(index, wrapped)


def make_quote_post(root: etree.Element, author: str, source: str | None) -> None:
    """Make the whole document one quote figure attributed from the post's metadata."""
    children = list(root)
    if len(children) == 1 and children[0].tag == "figure":
        quote = children[0].find("blockquote")
    elif len(children) == 1 and children[0].tag == "blockquote":
        quote = children[0]
        take_attribution(quote)  # the metadata names the author; drop a repeat in the text
    else:
        quote = etree.Element("blockquote")
        quote.extend(children)
    for child in children:
        root.remove(child)
    cite = None
    if author:
        cite = author_cite()
        cite.text = author
    root.append(figure(quote, caption(cite, source)))


class QuoteTreeprocessor(Treeprocessor):
    """Build quote figures in the parsed document."""

    def run(self, root: etree.Element) -> None:
        """Attribute blockquotes, then shape a quote post as a single figure."""
        attribute_blockquotes(root)
        quote_post = quote_metadata(getattr(self.md, "Meta", {}))
        if quote_post is not None:
            make_quote_post(root, *quote_post)


class QuoteExtension(Extension):
    """Python-Markdown extension that builds quote figures."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        """Run after inline parsing, so attributions keep their links and emphasis."""
        md.treeprocessors.register(QuoteTreeprocessor(md), "quote_figures", 5)


def plain_text(quote_html: str) -> str:
    """The words of the quote without markup, for structured data."""
    match = BLOCKQUOTE_CONTENT.search(quote_html)
    inner = match["inner"] if match else quote_html
    return " ".join(html.unescape(TAG.sub(" ", inner)).split())


def json_ld(text: str, author: str, source: str | None, url: str | None) -> dict:
    """schema.org Quotation describing a quote post."""
    data = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "text": text,
        "creator": {"@type": "Person", "name": author},
    }
    if url:
        data["url"] = url
    if source:
        data["isPartOf"] = {"@type": "CreativeWork", "name": source}
    return data


def format_line(source_path: str) -> int | None:
    """The line of the `Format:` header in a source file, when it can be found."""
    path = Path(source_path)
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, start=1):
        if FORMAT_LINE.match(line):
            return number
    return None


def describe_quote(instance) -> None:
    """Give a quote post its Quotation and list it in full; report one without author or quote."""
    if not isinstance(instance, Article | Page):
        return
    metadata = instance.metadata
    if str(metadata.get("format", "")).strip().lower() != QUOTE_FORMAT:
        return
    author = str(metadata.get("quote-author", "")).strip()
    text = plain_text(instance._content)
    missing = "`Quote-Author:` naming who said it" if not author else "the quote as its text"
    if not (author and text):
        logger.error(
            "%s:%s: a quote post needs %s",
            instance.source_path,
            format_line(instance.source_path) or 1,
            missing,
        )
        return
    source = str(metadata.get("quote-source", "")).strip() or None
    site_url = instance.settings.get("SITEURL", "")
    # Only an absolute address identifies the quote; a local build has none.
    url = urljoin(site_url.rstrip("/") + "/", instance.url) if site_url else None
    instance.quote = Quotation(author, source, text, json_ld(text, author, source, url))
    # Listings and feeds show the whole quote with its attribution instead of a cut-off summary.
    metadata["summary"] = instance._content


def add_markdown_extension(pelican) -> None:
    """Add the quote extension to the MARKDOWN setting before anything is read."""
    setting = pelican.settings["MARKDOWN"]
    if EXTENSION not in setting.get("extensions", []):
        extensions = [*setting.get("extensions", []), EXTENSION]
        pelican.settings["MARKDOWN"] = {**setting, "extensions": extensions}


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(add_markdown_extension)
    signals.content_object_init.connect(describe_quote)
