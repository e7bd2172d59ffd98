"""The text_titles plugin: a title is text wherever the theme shows it."""

import json

from tests.plugins.tinysite import post

TITLE = 'Why <div> soup & "quotes" <script>alert(1)</script>'


def test_markup_in_a_title_is_shown_as_written_and_never_runs(site):
    site.add("t.md", post(TITLE, "Text.").replace("Title: ", "Slug: t\nTitle: "))
    site.build()
    for url in ("/2020/01/01/t/", "/"):
        page = site.page(url)
        assert page.select("script:not([src]):not([type])") == []
        heading = page.select_one("main article h1, main article h2")
        assert (
            " ".join(heading.get_text().split())
            == "Why <div> soup & \u201cquotes\u201d <script>alert(1)</script>"
        )
    article = site.page("/2020/01/01/t/")
    assert "<script>alert(1)</script>" in article.title.get_text()
    assert "<div>" in article.select_one('meta[property="og:title"]')["content"]
    posting = json.loads(article.select_one('script[type="application/ld+json"]').string)
    assert "<div> soup" in posting["headline"]


def test_plain_titles_still_get_typography(site):
    site.add(
        "t.md", post('It\'s a "test" -- really', "Text.").replace("Title: ", "Slug: t\nTitle: ")
    )
    site.build()
    heading = site.page("/2020/01/01/t/").select_one("main h1").get_text()
    assert "It\u2019s a \u201ctest\u201d \u2014" in heading
