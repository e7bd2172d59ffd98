"""Responsive pictures: every picture a post shows is sized, offered smaller and newer, and clean.

For each `<img>` of a post or page that shows a file of the site (`{static}`, `{attach}`, or
`{filename}` as reStructuredText posts often write it; the file_links plugin gives other local
forms that syntax), the build:
- sets `width` and `height` (no layout shift), `decoding="async"`, and `loading="lazy"` for all
  but the post's first picture;
- offers variants at IMAGES_WIDTHS (never wider than the picture, never heavier in bytes) in
  AVIF and WebP through `<picture>`, with the original as the fallback; animations and SVG are
  published as they are;
- publishes every picture without its metadata (GPS position, camera serial, comments), keeping
  the colour profile, with its orientation applied;
- names variants by a hash of their bytes (cached for a year), beside the original's address;
- gives templates the `lead_image` filter: a post's first picture, for og:image and JSON-LD.
A picture with no `alt` is a warning; one that is not a picture, is damaged or is too large to
decode safely is an error naming the post and line.

Encoding runs in worker processes and is kept in CACHE_PATH by the picture's bytes and the
variant settings, for every build and the preview: a build where no picture changed encodes
nothing, and an edit to a post's text never re-encodes its pictures.
"""

import copy
import html
import logging
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from pelican import signals
from pelican.contents import Article, Content, Page, Static

from sitebuild.links import link_line
from sitebuild.signals import warm_text_taken

from .cache import Published, option, plan_pictures
from .encode import Plan
from .markup import IMG, PICTURE, attributes, img_tag, loading, picture, sized

logger = logging.getLogger(__name__)

# The width a picture takes in the theme: the whole screen on a phone, the text column beyond.
DEFAULT_SIZES = "(max-width: 46rem) 100vw, 46rem"
STATE_SETTING = "IMAGES_BUILD_STATE"
LINKED_FILE = re.compile(r"^[{|](?P<what>static|attach|filename)[|}](?P<path>.*)$")
SVG_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$")


@dataclass
class ImagesState:
    """What this build knows of the site's pictures, by the static file's source path."""

    published: dict[str, Published] = field(default_factory=dict)


def svg_size(path: Path) -> tuple[int, int] | None:
    """An SVG's width and height in pixels, from its attributes or viewBox, when it says."""
    try:
        for _, element in ElementTree.iterparse(path, events=("start",)):
            width, height = element.get("width", ""), element.get("height", "")
            box = element.get("viewBox", "").replace(",", " ").split()
            break
        else:
            return None
    except (ElementTree.ParseError, OSError):
        return None
    pixels = [SVG_LENGTH.match(value) for value in (width, height)]
    if all(pixels):
        return round(float(pixels[0][1])), round(float(pixels[1][1]))
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            return None
    return None


def srcsets(plan: Plan, static_url: str, siteurl: str) -> list[tuple[str, str]]:
    """(type, srcset) for each variant format of a picture, at the static file's address."""
    prefix = f"{siteurl}/{posixpath.splitext(static_url)[0]}."
    by_type: dict[str, list[str]] = {}
    for variant in plan.variants:
        url = prefix + variant.file
        by_type.setdefault(variant.mime, []).append(f"{url} {variant.width}w")
    return [(kind, ", ".join(urls)) for kind, urls in by_type.items()]


def linked_static(post: Content, src: str, context: dict) -> tuple[str, Static] | None:
    """The static file an `<img>` shows (`{static}`, `{attach}`, `{filename}`), and its key."""
    match = LINKED_FILE.match(src)
    if not match:
        return None
    path = unquote(urlsplit(match["path"]).path)
    if path.startswith("/"):
        key = path[1:]
    else:
        key = post.get_relative_source_path(os.path.join(post.relative_dir, path))
    key = posixpath.normpath(key)
    static = context["static_content"].get(key)
    return (key, static) if static is not None else None


def pictures_shown(post: Content, context: dict) -> list[tuple[re.Match, tuple | None]]:
    """Each `<img>` of the post outside an author's own `<picture>`, with the file it shows."""
    content = post._content or ""
    if "<img" not in content.lower():
        return []
    written = [span.span() for span in PICTURE.finditer(content)]
    shown = []
    for match in IMG.finditer(content):
        if any(start <= match.start() < end for start, end in written):
            continue
        src = attributes(match[0]).get("src") or ""
        shown.append((match, linked_static(post, src, context)))
    return shown


def file_metadata(source: str, save_as: str, url: str) -> dict:
    """The metadata of a file Pelican publishes from source (in the cache) at save_as."""
    slug = posixpath.splitext(posixpath.basename(save_as))[0]
    return {"title": posixpath.basename(source), "slug": slug, "save_as": save_as, "url": url}


def published_file(generator, source: str, save_as: str, url: str) -> Static:
    """A static file Pelican publishes from source (in the cache) at save_as."""
    return Static(
        content=None,
        metadata=file_metadata(source, save_as, url),
        settings=generator.settings,
        source_path=source,
        context=generator.context,
    )


def published_like(
    model: Static, source: str, relative_source: str, save_as: str, url: str
) -> Static:
    """Another file published as model is, from source at save_as: a copy, far cheaper to make.

    Every attribute Pelican derives for a static file comes from the settings or from the
    metadata's keys, which file_metadata gives all alike; only the values differ.
    """
    file = copy.copy(model)
    file.metadata = file_metadata(source, save_as, url)
    file.title, file.slug = file.metadata["title"], file.metadata["slug"]
    file.override_save_as, file.override_url = save_as, url
    file.source_path, file.relative_source_path = source, relative_source
    file.translations = []  # a list of its own, as Pelican gives each file
    return file


def publish_variants(generator, published: dict[str, Published]) -> None:
    """Publish each picture's clean copy in its place, and its variants beside it."""
    statics = list(generator.staticfiles)
    claimed = {static.save_as for static in statics}
    # A site has thousands of variants: the first is made by Pelican, the rest copied from it
    # (a copy sends no content_object_init; stock Pelican makes no variants to announce).
    model = None
    for index, static in enumerate(statics):
        entry = published.get(static.get_relative_source_path())
        if entry is None or entry.plan is None:
            continue
        # Pelican works a static file's address out anew each time it is asked: ask once.
        static_save_as, static_url = static.save_as, static.url
        entry.sources = srcsets(entry.plan, static_url, generator.settings["SITEURL"])
        # Variants are named as the original, beside it: stem.800w.<hash>.avif.
        prefix = posixpath.splitext(static_save_as)[0] + "."
        url_prefix = posixpath.splitext(static_url)[0] + "."
        cache_folder, relative_folder = str(entry.folder), None
        for variant in entry.plan.variants:
            save_as = prefix + variant.file
            if save_as in claimed:
                continue
            claimed.add(save_as)
            url, source = url_prefix + variant.file, os.path.join(cache_folder, variant.file)
            if model is None:
                model = file = published_file(generator, source, save_as, url)
            else:
                if relative_folder is None:
                    relative_folder = model.get_relative_source_path(cache_folder)
                relative = posixpath.join(relative_folder, variant.file)
                file = published_like(model, source, relative, save_as, url)
            generator.staticfiles.append(file)
        if entry.plan.original:
            # The clean copy is published in the original's place. The original stays what
            # links to it resolve to (`static_content`), with its own source path.
            clean = str(entry.folder / entry.plan.original)
            generator.staticfiles[index] = published_file(
                generator, clean, static_save_as, static_url
            )


def shown_size(static: Static, entry: Published | None) -> tuple[int, int] | None:
    """The width and height a picture file is shown at, when known."""
    if entry is not None and entry.plan is not None:
        return entry.plan.width, entry.plan.height
    if static.source_path.lower().endswith(".svg"):
        return svg_size(Path(static.source_path))
    return None


def dress_pictures(post: Content, state: ImagesState, settings: dict, context: dict) -> None:
    """Size, hint and offer variants of every picture the post shows; note its first one."""
    shown = pictures_shown(post, context)
    if not shown:
        return
    sizes = option(settings, "SIZES", DEFAULT_SIZES)
    pieces, position = [], 0
    content = post._content
    for index, (match, linked) in enumerate(shown):
        attrs = attributes(match[0])
        source_key, static = linked if linked is not None else ("", None)
        source = Path(post.source_path)
        if "alt" not in attrs:
            logger.warning(
                '%s:%d: picture %s has no alt text; describe it, or write alt="" if it only '
                "decorates",
                *(post.source_path, unlabelled_line(source, unlinked(attrs.get("src") or ""))),
                unlinked(attrs.get("src") or "") or "(with no src)",
            )
        entry = state.published.get(source_key)
        if entry is not None and entry.problem:
            logger.error(
                "%s:%d: picture %s %s",
                *(post.source_path, link_line(source, unlinked(attrs["src"]))),
                *(source_key, entry.problem),
            )
        size = shown_size(static, entry) if static is not None else None
        if size:
            attrs = sized(attrs, *size)
        tag = img_tag(loading(attrs, first=index == 0))
        sources = entry.sources if entry is not None else []
        pieces += [content[position : match.start()], picture(tag, sources, sizes)]
        position = match.end()
    post._content = "".join([*pieces, content[position:]])


def unlabelled_line(source: Path, src: str) -> int:
    """The line of the source's first `<img>` of src written without alt text."""
    name = posixpath.basename(src)
    try:
        lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    for number, line in enumerate(lines, start=1):
        if "<img" in line and name in line and "alt=" not in line:
            return number
    return link_line(source, src)


def unlinked(src: str) -> str:
    """A picture's address as the author may have written it, without `{static}`."""
    match = LINKED_FILE.match(src)
    return match["path"].lstrip("/") if match else src


def state_of(settings: dict) -> ImagesState:
    """This build's state, kept in its settings."""
    return settings.setdefault(STATE_SETTING, ImagesState())


def posts_of(context: dict) -> list[Content]:
    """Every post and page read, in a fixed order."""
    generated = context["generated_content"]
    return [
        generated[name] for name in sorted(generated) if isinstance(generated[name], Article | Page)
    ]


def publish_pictures(generator) -> None:
    """Once every file is known: plan, encode and publish the pictures, and dress the posts."""
    settings, context = generator.settings, generator.context
    posts = posts_of(context)
    state = state_of(settings)
    state.published = plan_pictures(list(generator.staticfiles), settings)
    publish_variants(generator, state.published)
    for post in posts:
        dress_pictures(post, state, settings, context)


def lead_image(post: Content) -> dict | None:
    """The first picture of the site a post shows, sized: its card's picture (a template filter).

    Read from the post's text as rendered, so it is absolute wherever SITEURL is.
    """
    site = post.settings["SITEURL"] + "/"
    for match in IMG.finditer(post.content or ""):
        attrs = attributes(match[0])
        src, width, height = attrs.get("src") or "", attrs.get("width"), attrs.get("height")
        if src.startswith(site) and width and height:
            alt = html.unescape(attrs.get("alt") or "")
            return {"url": src, "width": width, "height": height, "alt": alt}
    return None


def add_template_filter(generator) -> None:
    """Give the generator's templates the `lead_image` filter."""
    environment = getattr(generator, "env", None)
    if environment is not None:
        environment.filters["lead_image"] = lead_image


def dress_edited_posts(posts: list[Content]) -> None:
    """In a preview rebuild, dress the posts whose new text was just taken."""
    for post in posts:
        state = post.settings.get(STATE_SETTING)
        if state is not None:
            dress_pictures(post, state, post.settings, post._context)


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.generator_init.connect(add_template_filter)
    signals.static_generator_finalized.connect(publish_pictures)
    warm_text_taken.connect(dress_edited_posts)
