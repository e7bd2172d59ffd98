"""The embeds plugin: lone YouTube and Vimeo links and player frames become private video blocks."""

import logging

from docutils.parsers.rst import directives

from tests.plugins.tinysite import messages, post

VIDEOS = """A talk worth seeing:

https://www.youtube.com/watch?v=dQw4w9WgXcQ

[The same talk, shorter](https://youtu.be/dQw4w9WgXcQ?t=42)

<iframe width="560" src="https://www.youtube.com/embed/aaaaaaaaaaa" allowfullscreen></iframe>

<https://vimeo.com/76979871>

In a sentence, [a video](https://www.youtube.com/watch?v=bbbbbbbbbbb) stays a link.

[Not a video](https://www.youtube.com/about/) stays a link too.
"""


def test_lone_video_links_and_frames_become_video_blocks(site, caplog):
    site.add("videos.md", post("Videos", VIDEOS))
    site.build()
    page = site.page("/2020/01/01/videos/")
    blocks = page.select("article .video-embed")
    assert [(b["data-service"], b["data-player"]) for b in blocks] == [
        ("YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("YouTube", "https://www.youtube-nocookie.com/embed/aaaaaaaaaaa"),
        ("Vimeo", "https://player.vimeo.com/video/76979871"),
    ]
    links = [(b.a["href"], " ".join(b.a.get_text().split())) for b in blocks]
    assert links[0] == ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "Watch the video on YouTube")
    assert links[1][1] == "The same talk, shorter"
    # Nothing on the page loads from a third party; the script that plays them is the site's.
    assert page.select("iframe") == []
    assert page.select_one('script[src*="embed"]') is not None
    inline = [a["href"] for a in page.select(".post-content p a")]
    assert inline == [
        "https://www.youtube.com/watch?v=bbbbbbbbbbb",
        "https://www.youtube.com/about/",
    ]
    # The player frame is no longer something the site's policy blocks.
    assert messages(caplog, "csp_report.csp_report", logging.WARNING) == []


def test_a_post_without_videos_loads_no_video_script(site):
    site.add("plain.md", post("Plain", "Just words."))
    site.build()
    assert site.page("/2020/01/01/plain/").select('script[src*="embed"]') == []


RST_VIDEOS = """Videos
######

:date: 2020-01-01

A talk worth seeing:

.. youtube:: dQw4w9WgXcQ
   :width: 640
   :height: 360

.. vimeo:: https://vimeo.com/76979871
"""


def test_restructuredtext_video_directives_become_video_blocks(site):
    site.add("videos.rst", RST_VIDEOS)
    site.build()
    blocks = site.page("/2020/01/01/videos/").select("article .video-embed")
    assert [(b["data-service"], b.a["href"]) for b in blocks] == [
        ("YouTube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("Vimeo", "https://vimeo.com/76979871"),
    ]
    # The build leaves docutils as it found it.
    assert "youtube" not in directives._directives


def test_a_video_directive_that_names_no_video_is_an_error_at_its_line(site, caplog):
    site.add("videos.rst", RST_VIDEOS.replace("dQw4w9WgXcQ", "https://example.com/talk"))
    site.build(DEBUG=True)  # Pelican gives the reason only then; `invoke build` always does
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert [r.getMessage() for r in failures] == ["Could not process ./videos.rst"]
    reason = str(failures[0].exc_info[1])
    assert "videos.rst:8:" in reason
    assert "youtube: 'https://example.com/talk' is not a youtube video id or address" in reason
