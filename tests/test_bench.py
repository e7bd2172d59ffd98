"""The benchmark runs end to end at a small size (CI's smoke test; figures are not checked)."""

import json
import re
import statistics
import subprocess
import sys

import pytest
from PIL import Image

from bench.corpus import add_photos, write_corpus
from bench.suite import NO_CHANGE_BUILDS_PER_RUN
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_invoke_bench_measures_every_kind_of_build_and_reports(tmp_path):
    results = tmp_path / "bench.json"
    command = [sys.executable, "-m", "invoke", "bench", "--posts", "12", "--runs", "1"]
    command += ["--edits", "1", "--edit-sizes", "12", "--sizes", "12", "--results", str(results)]
    command += ["--photo-runs", "1"]
    finished = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(results.read_text(encoding="utf-8"))
    for kind in ("stock_cold", "engine_cold", "engine_warm_cache", "engine_no_change"):
        assert len(report[kind]) == 1 and report[kind][0] > 0, kind
    # The edit loop only reports once the reloaded page showed each edit.
    edits = report["edit_loop"]["12"]
    assert len(edits["body_edit"]) == 1 and edits["body_edit"][0] > 0 and edits["title_edit"][0] > 0
    assert report["scaling"]["12"]["peak_bytes"] > 10 * 1024**2
    for corpus in ("without", "with"):
        for kind in ("cold", "first_rebuild", "text_edit"):
            assert len(report["photos"][corpus][kind]) == 1, (corpus, kind)
        assert len(report["photos"][corpus]["no_change"]) == NO_CHANGE_BUILDS_PER_RUN, corpus
    printed = finished.stdout + finished.stderr
    assert "stock Pelican, from nothing" in printed
    assert "Goal: from nothing" in printed and "Preview, save to reload" in printed
    assert "Goal, text edit at 12: no goal at this size" in printed
    assert "one post in five with photos" in printed


def test_the_corpus_is_the_same_for_a_seed_and_differs_for_another(tmp_path):
    first = write_corpus(tmp_path / "first", 30, "engine")
    again = write_corpus(tmp_path / "again", 30, "engine")
    other = write_corpus(tmp_path / "other", 30, "engine", seed=2)
    texts = {path.name: path.read_bytes() for path in first.glob("*.md")}
    assert len(texts) == 30
    assert texts == {path.name: path.read_bytes() for path in again.glob("*.md")}
    assert texts != {path.name: path.read_bytes() for path in other.glob("*.md")}


def test_corpus_posts_are_shaped_like_a_blogs(tmp_path):
    posts = [read_post(path) for path in sorted(write_corpus(tmp_path, 200, "engine").glob("*.md"))]
    words = [len(body.split()) for _, body in posts]
    assert 300 <= statistics.median(words) <= 900
    assert all(1 <= len(meta["category"].split(", ")) <= 4 for meta, _ in posts)
    assert sum("tags" in meta for meta, _ in posts) > 100
    bodies = "\n".join(body for _, body in posts)
    languages = set(re.findall(r"^```(\w+)$", bodies, re.MULTILINE))
    assert len(languages) >= 5, languages
    for mark in ("\n## ", "\n- ", "](https://", "\n> ", "\n[notes]: "):
        assert mark in bodies, mark
    quotes = [meta for meta, _ in posts if meta.get("format") == "quote"]
    assert quotes and all(meta["quote-author"] for meta in quotes)


def test_the_stock_flavor_has_one_category_and_keeps_the_others_as_tags(tmp_path):
    engine = write_corpus(tmp_path / "engine", 40, "engine")
    stock = write_corpus(tmp_path / "stock", 40, "pelican-stock")
    assert not (stock / "pages").exists() and (engine / "pages" / "about.md").is_file()
    for path in sorted(engine.glob("*.md")):
        ours, _ = read_post(path)
        theirs, body = read_post(stock / path.name)
        categories = ours["category"].split(", ")
        assert theirs["category"] == categories[0]
        tags = theirs.get("tags", "").split(", ") if "tags" in theirs else []
        assert tags[: len(categories) - 1] == categories[1:]
        assert "format" not in theirs and body == read_post(path)[1]


def read_post(path):
    """A corpus post's metadata (keys lowercased) and body."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    return {key.lower(): value for key, value in meta.items()}, body


def test_the_photo_corpus_gives_every_fifth_post_photos_of_2_to_4_megapixels(tmp_path):
    corpus = write_corpus(tmp_path, 20, "engine")
    shown = add_photos(corpus)
    assert shown == [path.name for path in sorted(corpus.glob("*.md"))[::5]]
    for name in shown:
        links = re.findall(r"!\[[^]]+\]\(/images/([^)]+)\)", (corpus / name).read_text())
        assert 1 <= len(links) <= 2
        for link in links:
            with Image.open(corpus / "images" / link) as photo:
                assert photo.format == "JPEG"
                assert 2_000_000 <= photo.width * photo.height <= 4_000_000
