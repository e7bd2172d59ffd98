"""One rule says what of a post is text and what is metadata, for page keys and warm rebuilds."""

from pelican.contents import Article

from sitebuild.post_parts import post_metadata
from tests.plugins.tinysite import TinySite, post


def read_post(tmp_path, body: str, **metadata: str) -> Article:
    """Read one post with the project's settings and plugins."""
    site = TinySite(tmp_path)
    site.add("a.md", post("A", body, **metadata))
    (article,) = site.articles().values()
    return article


def test_text_is_not_metadata(tmp_path):
    before = post_metadata(read_post(tmp_path / "one", "First words."))
    after = post_metadata(read_post(tmp_path / "two", "Other words."))
    assert "_content" not in before and "metadata" in before
    assert "summary" not in before["metadata"]
    assert repr(sorted(before)) == repr(sorted(after))
    assert before["metadata"]["title"] == after["metadata"]["title"] == "A"


def test_every_metadata_edit_shows(tmp_path):
    base = post_metadata(read_post(tmp_path / "base", "Words.", Category="A, B"))
    edited = post_metadata(read_post(tmp_path / "edit", "Words.", Category="A, C"))
    assert [c.slug for c in base["categories"]] != [c.slug for c in edited["categories"]]
