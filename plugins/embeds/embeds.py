"""Videos embedded on purpose and privately: a YouTube or Vimeo link on a line of its own.

A post that links a YouTube or Vimeo video in a paragraph of its own, or embeds its player in an
`<iframe>`, gets a video block instead: a link to the video (all a reader without JavaScript
sees), to which the theme's `embed.js` adds a button that puts the player in the page, from
`youtube-nocookie.com` or `player.vimeo.com`. Until the reader clicks, the page asks
nothing of a third party; the site's policy allows those two frame origins only.

reStructuredText posts get the same block from `.. youtube:: ID` and `.. vimeo:: ID` (an id or
an address), as the ecosystem's video plugins spell them; their sizing options are accepted
and left to the theme.
"""

import html
import re

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from pelican import signals
from pelican.contents import Article, Page

# The video's id in the addresses readers share and the players' own addresses.
YOUTUBE = re.compile(
    r"https?://(?:www\.|m\.)?(?:youtube(?:-nocookie)?\.com/(?:watch\?(?:[^\"'<>\s]*&(?:amp;)?)?v=|embed/|shorts/)"
    r"|youtu\.be/)(?P<id>[\w-]{11})[^\"'<>\s]*"
)
VIMEO = re.compile(r"https?://(?:www\.|player\.)?vimeo\.com/(?:video/)?(?P<id>\d+)[^\"'<>\s]*")
# A paragraph holding nothing but one link (or one bare address).
LINK_PARAGRAPH = re.compile(
    r"<p>\s*(?:<a\s+href=\"(?P<href>[^\"]+)\"[^>]*>(?P<text>.*?)</a>|(?P<bare>https?://[^\s<]+))\s*</p>",
    re.DOTALL,
)
IFRAME = re.compile(r"<iframe\b[^>]*?\bsrc=[\"'](?P<src>[^\"']+)[\"'][^>]*>\s*</iframe>", re.I)
PLAYERS = {
    "YouTube": (
        YOUTUBE,
        "https://www.youtube-nocookie.com/embed/{id}",
        "https://www.youtube.com/watch?v={id}",
    ),
    "Vimeo": (VIMEO, "https://player.vimeo.com/video/{id}", "https://vimeo.com/{id}"),
}


# The ecosystem's directives, each with the address of a video by its id.
DIRECTIVE_PAGES = {"youtube": PLAYERS["YouTube"][2], "vimeo": PLAYERS["Vimeo"][2]}
# Their sizing options: accepted, so their posts read, and left to the theme's video block.
DIRECTIVE_OPTIONS = ("width", "height", "align", "class", "name")


def video_of(url: str) -> tuple[str, str, str] | None:
    """The service, player address and page address of a video URL, or None."""
    for service, (pattern, player, page) in PLAYERS.items():
        match = pattern.fullmatch(html.unescape(url).strip())
        if match:
            return service, player.format(id=match["id"]), page.format(id=match["id"])
    return None


def video_block(service: str, player: str, page: str, text: str = "") -> str:
    """The markup of a video: a link to it, which the theme's script gives a play button."""
    label = text if text and not text.startswith("http") else f"Watch the video on {service}"
    return (
        f'<figure class="video-embed" data-player="{html.escape(player)}" data-service="{service}">'
        f'<a class="video-link" href="{html.escape(page)}">{label}</a></figure>'
    )


def replace_videos(markup: str) -> str:
    """The post's HTML with each lone video link and each player frame made a video block."""

    def paragraph(match: re.Match) -> str:
        url = match["href"] or match["bare"]
        video = video_of(url)
        return video_block(*video, match["text"] or "") if video else match[0]

    def frame(match: re.Match) -> str:
        video = video_of(match["src"])
        return video_block(*video) if video else match[0]

    return IFRAME.sub(frame, LINK_PARAGRAPH.sub(paragraph, markup))


class VideoDirective(Directive):
    """`.. youtube:: ID` or `.. vimeo:: ID` (or the video's address): a private video block."""

    required_arguments = 1
    option_spec = dict.fromkeys(DIRECTIVE_OPTIONS, directives.unchanged)

    def run(self) -> list[nodes.Node]:
        """The video block, or an error at the directive's line for what is not a video."""
        written = self.arguments[0].strip()
        page = DIRECTIVE_PAGES[self.name]
        video = video_of(written) or video_of(page.format(id=written))
        if video is None or video[0].lower() != self.name:
            raise self.error(f"{self.name}: {written!r} is not a {self.name} video id or address")
        return [nodes.raw("", video_block(*video), format="html")]


def add_video_directives(pelican) -> None:
    """Let reStructuredText posts embed videos the way the ecosystem's plugins have them do."""
    if pelican.settings.get("EMBEDS_VIDEOS", True):
        for name in DIRECTIVE_PAGES:
            directives.register_directive(name, VideoDirective)


def remove_video_directives(pelican) -> None:
    """Leave docutils as the build found it (its registry is the only way to unregister)."""
    for name in DIRECTIVE_PAGES:
        if directives._directives.get(name) is VideoDirective:
            del directives._directives[name]


def embed_videos(instance) -> None:
    """Turn a post's lone video links and player frames into private video blocks."""
    if not isinstance(instance, Article | Page) or not instance.settings.get("EMBEDS_VIDEOS", True):
        return
    markup = getattr(instance, "_content", None)
    if markup and ("youtu" in markup or "vimeo" in markup):
        instance._content = replace_videos(markup)


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(add_video_directives)
    signals.content_object_init.connect(embed_videos)
    signals.finalized.connect(remove_video_directives)
