"""The languages plugin and theme: each post's page in its own language, translations linked."""

import json
import logging

import pytest

from tests.nu import nu_problems
from tests.plugins.tinysite import messages, post


def posting(page) -> dict:
    """The page's schema.org BlogPosting."""
    scripts = [json.loads(s.string) for s in page.select('script[type="application/ld+json"]')]
    return next(data for data in scripts if data["@type"] == "BlogPosting")


@pytest.fixture
def czech_post(site):
    """An English site with one post in Czech and one in English."""
    site.add("cz.md", post("Ahoj", "Slovo " * 300, date="2020-01-02", lang="cs"))
    site.add("en.md", post("Hello", "Word " * 300, date="2020-01-03"))
    return site


def test_a_post_in_another_language_is_that_language_throughout(czech_post):
    czech_post.build()
    page = czech_post.page("/2020/01/02/ahoj/")  # the site's address pattern
    assert page.html["lang"] == "cs"
    assert page.select_one('meta[property="og:locale"]')["content"] == "cs_CZ"
    assert posting(page)["inLanguage"] == "cs"
    assert page.select_one(".post-meta time").get_text() == "2. ledna 2020"
    assert page.select_one(".reading-time").get_text() == "· 2 min čtení"
    assert page.select_one(".skip-link").get_text() == "Přejít na obsah"
    assert page.select_one(".post-nav")["aria-label"] == "Novější a starší příspěvky"


def test_a_post_in_the_site_language_and_the_listings_stay_english(czech_post):
    czech_post.build()
    page = czech_post.page("/2020/01/03/hello/")
    assert page.html["lang"] == "en"
    assert page.select_one('meta[property="og:locale"]')["content"] == "en_US"
    assert page.select_one(".post-meta time").get_text() == "January 3, 2020"
    home = czech_post.page("/")
    assert home.html["lang"] == "en"
    # The Czech post listed on the English home page: its date as the home page writes dates.
    assert [t.get_text() for t in home.select(".post-meta time")] == [
        "January 3, 2020",
        "January 2, 2020",
    ]


def test_a_language_without_strings_gets_english_words_and_its_own_dates(site):
    site.add("de.md", post("Hallo", "Wort.", date="2020-01-02", lang="de"))
    site.add("xx.md", post("Odd", "Text.", date="2020-01-03", lang="xx"))
    site.build()
    german = site.page("/2020/01/02/hallo/")
    assert german.select_one(".post-meta time").get_text() == "2. Januar 2020"
    assert german.select_one(".skip-link").get_text() == "Skip to content"
    odd = site.page("/2020/01/03/odd/")  # no locale at all: English, named as written
    assert odd.html["lang"] == "xx"
    assert odd.select_one(".post-meta time").get_text() == "January 3, 2020"


def test_translations_have_their_own_addresses_and_link_each_other(site):
    site.add("hello.md", post("Hello", "Words.", date="2020-01-02", slug="hello"))
    site.add("hello-cs.md", post("Ahoj", "Slova.", date="2020-01-02", slug="hello", lang="cs"))
    site.build()
    english, czech = site.page("/2020/01/02/hello/"), site.page("/cs/2020/01/02/hello/")
    for page in (english, czech):
        alternates = {
            link["hreflang"]: link["href"]
            for link in page.select('link[rel="alternate"][hreflang]')
        }
        assert alternates == {"en": "/2020/01/02/hello/", "cs": "/cs/2020/01/02/hello/"}
    links = english.select(".post-translations a")
    assert [(a.get_text(), a["href"], a["lang"]) for a in links] == [
        ("čeština", "/cs/2020/01/02/hello/", "cs")
    ]
    assert czech.select_one(".post-translations a").get_text() == "English"
    # Listings show each post once, in the site's language.
    assert [a.get_text() for a in site.page("/").select("article h2 a")] == ["Hello"]


def test_pages_in_several_languages_pass_the_nu_html_checker(czech_post):
    czech_post.add("en-cs.md", post("Ahoj znovu", "Slova.", slug="hello", lang="cs"))
    czech_post.add("en-en.md", post("Hello again", "Words.", slug="hello"))
    output = czech_post.build()
    assert (output / "cs" / "2020" / "01" / "01" / "hello" / "index.html").is_file()
    assert nu_problems(output) == ""


def test_a_language_that_is_no_language_code_is_an_error_naming_file_and_line(site, caplog):
    site.add("odd.md", post("Odd", "Text.", lang='"><script>x</script>'))
    site.add("path.md", post("Path", "Text.", lang="../../tmp"))
    site.generate()
    errors = messages(caplog, "languages.languages", logging.ERROR)
    assert sorted(errors) == [
        f"{site.content / 'odd.md'}:3: language '\"><script>x</script>' is not a language code"
        " (write one like en, cs or pt_BR)",
        f"{site.content / 'path.md'}:3: language '../../tmp' is not a language code"
        " (write one like en, cs or pt_BR)",
    ]
