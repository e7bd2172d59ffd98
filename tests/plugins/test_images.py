"""The images plugin over real pictures made with Pillow, in real Pelican builds of tiny sites."""

import hashlib
import io
import logging
import pickle
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from images.cache import INDEX_FILE
from images.encode import Plan
from pelican import signals
from pelican.contents import Static
from pelican.generators import StaticGenerator
from PIL import Image

from deploy.headers import IMMUTABLE, cache_control
from tests.pictures import ORIENTATION, animation, carries_camera_metadata, huge_png, photo
from tests.plugins.tinysite import messages, post

PLUGIN_LOGGER = "images.images"
CACHE_LOGGER = "images.cache"
POST_PAGE = "2020/01/01/a/index.html"
PICTURE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"}


def post_text(site, page: str = POST_PAGE) -> BeautifulSoup:
    """The text of a built post."""
    html = (site.output / page).read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").select_one(".post-content")


def published(site, url: str) -> bytes:
    """The bytes of the file the built site serves at a root-relative URL."""
    return (site.output / url.lstrip("/").split("?")[0]).read_bytes()


def srcset_urls(source) -> list[tuple[str, int]]:
    """(url, width) of each candidate of a <source>'s srcset."""
    return [
        (url, int(width.rstrip("w")))
        for url, width in (part.split() for part in source["srcset"].split(","))
    ]


@pytest.fixture
def photo_site(site):
    """A post showing a phone photo (turned by its EXIF), a small PNG and an animation."""
    site.add("images/photo.jpg", photo(2000, 1500, orientation=6))
    site.add("images/small.png", photo(300, 200, fmt="PNG"))
    site.add("images/spin.gif", animation())
    site.add(
        "a.md",
        post(
            "A",
            "![The lake](/images/photo.jpg)\n\n![Small](images/small.png)\n\n"
            "![Spinning]({static}/images/spin.gif)\n",
        ),
    )
    site.build()
    return site


def test_every_picture_has_its_size_and_loading_hints(photo_site):
    pictures = post_text(photo_site).find_all("img")
    assert len(pictures) == 3
    # The photo is turned a quarter by its orientation: shown 1500 wide and 2000 high.
    assert [(img["width"], img["height"]) for img in pictures] == [
        ("1500", "2000"),
        ("300", "200"),
        ("120", "80"),
    ]
    assert all(img["decoding"] == "async" for img in pictures)
    assert [img.get("loading") for img in pictures] == [None, "lazy", "lazy"]


def test_variants_are_offered_smaller_never_wider_and_never_heavier(photo_site):
    text = post_text(photo_site)
    first, small, animated = text.find_all("img")
    original = published(photo_site, first["src"])
    sources = first.find_parent("picture").find_all("source")
    assert [source["type"] for source in sources] == ["image/avif", "image/webp"]
    for source in sources:
        candidates = srcset_urls(source)
        assert [width for _, width in candidates] == [480, 800, 1200, 1500]
        assert source["sizes"]
        for url, width in candidates:
            data = published(photo_site, url)
            assert len(data) < len(original)
            with Image.open(io.BytesIO(data)) as variant:
                variant.load()
                assert variant.size == (width, round(2000 * width / 1500))
                assert variant.format.lower() == url.rsplit(".", 1)[1]
    # The small PNG is not made larger; the animation is published as it is, without variants.
    for source in small.find_parent("picture").find_all("source"):
        assert [width for _, width in srcset_urls(source)] == [300]
    assert animated.find_parent("picture") is None
    assert (
        published(photo_site, animated["src"])
        == (photo_site.content / "images/spin.gif").read_bytes()
    )


def test_variants_are_named_by_their_bytes_and_cached_for_a_year(photo_site):
    source = post_text(photo_site).find("source")
    for url, _ in srcset_urls(source):
        digest = re.search(r"\.([0-9a-f]{10})\.avif$", url)[1]
        assert hashlib.sha256(published(photo_site, url)).hexdigest()[:10] == digest
        assert cache_control(url.lstrip("/")) == IMMUTABLE


def test_each_variant_is_the_static_file_pelican_would_make_for_it(photo_site):
    statics = []

    def keep_statics(generators):
        statics.extend(g.staticfiles for g in generators if isinstance(g, StaticGenerator))

    signals.all_generators_finalized.connect(keep_statics)
    try:
        photo_site.build()
    finally:
        signals.all_generators_finalized.disconnect(keep_statics)
    variants = [s for s in statics[0] if re.search(r"\.\d+w\.[0-9a-f]{10}\.", s.save_as)]
    assert len(variants) >= 8
    for variant in variants:
        made = Static(
            content=None,
            metadata=dict(variant.metadata),
            settings=variant.settings,
            source_path=variant.source_path,
            context=variant._context,
        )
        assert (made.save_as, made.url) == (variant.save_as, variant.url)
        assert vars(made) == vars(variant), variant.save_as


def test_no_published_picture_says_where_or_with_what_it_was_taken(photo_site):
    assert carries_camera_metadata((photo_site.content / "images/photo.jpg").read_bytes())
    files = [p for p in photo_site.output.rglob("*") if p.suffix in PICTURE_SUFFIXES]
    assert len(files) > 10
    for file in files:
        assert not carries_camera_metadata(file.read_bytes()), file


def test_the_original_keeps_its_address_profile_and_is_turned_upright(photo_site):
    with Image.open(photo_site.output / "images/photo.jpg") as original:
        assert original.size == (1500, 2000)
        assert original.getexif().get(ORIENTATION, 1) == 1
        assert original.info.get("icc_profile")
    with Image.open(
        io.BytesIO(published(photo_site, post_text(photo_site).find("source")["srcset"].split()[0]))
    ) as variant:
        assert variant.info.get("icc_profile")


def test_a_picture_without_metadata_is_published_as_it_is(site):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(buffer, "PNG")
    site.add("images/plain.png", buffer.getvalue())
    site.add("a.md", post("A", "![Teal](/images/plain.png)"))
    site.build()
    assert (site.output / "images/plain.png").read_bytes() == buffer.getvalue()


def test_an_attached_picture_and_its_variants_go_beside_the_post(site):
    site.add("notes/photo.jpg", photo(900, 600))
    site.add("notes/a.md", post("A", "![Photo]({attach}photo.jpg)"))
    site.build()
    img = post_text(site).find("img")
    assert img["src"] == "/2020/01/01/a/photo.jpg"
    for source in img.find_parent("picture").find_all("source"):
        for url, _ in srcset_urls(source):
            assert url.startswith("/2020/01/01/a/photo.")
            assert (site.output / url.lstrip("/")).is_file()


def test_a_picture_without_alt_text_is_a_warning_at_its_line(site, caplog):
    site.add("images/a.png", photo(100, 100, fmt="PNG"))
    site.add(
        "a.md", post("A", '<img src="/images/a.png" alt="">\n\nText.\n\n<img src="/images/a.png">')
    )
    site.build()
    assert messages(caplog, PLUGIN_LOGGER, logging.WARNING) == [
        f"{site.content / 'a.md'}:8: picture images/a.png has no alt text; describe it, or "
        'write alt="" if it only decorates'
    ]


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("fake.png", b"this is text, not a picture", "is not a picture Pillow can read"),
        ("cut.jpg", photo(800, 600)[:6000], "is damaged or truncated"),
        ("bomb.png", huge_png(10_000, 10_000), "100 megapixels, over the limit of 89"),
    ],
)
def test_a_file_that_cannot_be_published_as_a_picture_is_an_error_at_its_line(
    site, caplog, name, data, problem
):
    site.add(f"images/{name}", data)
    site.add("a.md", post("A", f"Text.\n\n![Broken](/images/{name})"))
    site.build()
    (error,) = messages(caplog, PLUGIN_LOGGER, logging.ERROR)
    assert error.startswith(f"{site.content / 'a.md'}:6: picture images/{name} ")
    assert problem in error


def test_pictures_are_encoded_once_for_every_build(photo_site, caplog):
    caplog.set_level(logging.INFO, CACHE_LOGGER)
    (photo_site.content / "a.md").write_text(
        post("A", "Edited. ![The lake](/images/photo.jpg)"), encoding="utf-8"
    )
    photo_site.build()
    assert [m for m in messages(caplog, CACHE_LOGGER, logging.INFO) if "encoded" in m] == []
    (photo_site.content / "images/photo.jpg").write_bytes(photo(1000, 800))
    photo_site.build()
    assert "encoded 1 of 3 pictures" in messages(caplog, CACHE_LOGGER, logging.INFO)


def test_the_picture_index_keeps_only_what_the_last_build_asked_for(photo_site):
    (photo_site.content / "images/photo.jpg").write_bytes(photo(1000, 800))
    (photo_site.content / "images/small.png").unlink()
    (photo_site.content / "a.md").write_text(post("A", "![A lake](/images/photo.jpg)"), "utf-8")
    photo_site.build()
    cache = Path(photo_site.built_with["CACHE_PATH"])
    index = pickle.loads(next(cache.rglob(INDEX_FILE)).read_bytes())
    assert sorted(Path(path).name for path in index["digests"]) == ["photo.jpg", "spin.gif"]
    assert len(index["plans"]) == 2 and all(Path(folder).is_dir() for folder in index["plans"])


def test_a_build_where_no_picture_changed_reads_no_picture_and_no_plan(photo_site, monkeypatch):
    loaded, digested = [], []
    monkeypatch.setattr(Plan, "load", classmethod(lambda cls, folder: loaded.append(folder)))
    real_sha256 = hashlib.sha256
    monkeypatch.setattr(
        hashlib, "sha256", lambda *data: digested.append(data) or real_sha256(*data)
    )
    photo_site.build()
    assert loaded == [] and not [data for data in digested if len(data[0]) > 10_000]
    # Plans still come from the index: the photo is offered in both formats.
    sources = post_text(photo_site).find("img").find_parent("picture").find_all("source")
    assert [source["type"] for source in sources] == ["image/avif", "image/webp"]


def test_the_first_picture_is_the_cards_picture_in_production(site):
    site.add("images/photo.jpg", photo(1200, 800))
    site.add("a.md", post("A", "![A lake at dawn](/images/photo.jpg)"))
    site.build(SITEURL="https://blog.example", FEED_DOMAIN="https://blog.example")
    page = BeautifulSoup((site.output / POST_PAGE).read_text(encoding="utf-8"), "html.parser")
    assert (
        page.find("meta", property="og:image")["content"] == "https://blog.example/images/photo.jpg"
    )
    assert page.find("meta", property="og:image:alt")["content"] == "A lake at dawn"
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    (json_ld,) = [s for s in page.find_all("script", type="application/ld+json")]
    assert '"image": "https://blog.example/images/photo.jpg"' in json_ld.string
    feed = (site.output / "feeds/all.atom.xml").read_text(encoding="utf-8")
    assert 'src="https://blog.example/images/photo.jpg"' in feed
    assert "https://blog.example/images/photo.800w." in feed


def test_an_svg_is_published_as_it_is_with_the_size_its_viewbox_gives(site):
    drawing = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"><rect/></svg>'
    site.add("images/chart.svg", drawing)
    site.add("a.md", post("A", "![A chart](/images/chart.svg)"))
    site.build()
    img = post_text(site).find("img")
    assert (img["width"], img["height"]) == ("640", "360")
    assert img.find_parent("picture") is None
    assert (site.output / "images/chart.svg").read_text() == drawing


def test_a_restructuredtext_image_is_dressed_as_a_markdown_one(site):
    site.add("images/photo.jpg", photo(900, 600))
    site.add(
        "a.rst",
        "A\n#\n\n:date: 2020-01-01\n\n.. image:: {filename}/images/photo.jpg\n   :alt: A lake\n",
    )
    site.build()
    img = post_text(site).find("img")
    assert (img["src"], img["width"], img["height"]) == ("/images/photo.jpg", "900", "600")
    assert [s["type"] for s in img.find_parent("picture").find_all("source")] == [
        "image/avif",
        "image/webp",
    ]


def test_an_authors_own_width_is_kept_and_the_height_follows(site):
    site.add("images/photo.jpg", photo(900, 600))
    site.add(
        "a.md",
        post(
            "A",
            '<img src="/images/photo.jpg" alt="x" width="300">\n\n'
            '<img src="/images/photo.jpg" alt="y" width="50%">',
        ),
    )
    site.build()
    first, second = post_text(site).find_all("img")
    assert (first["width"], first["height"]) == ("300", "200")
    assert (second["width"], second.get("height")) == ("50%", None)
