"""Publishing to a real S3 API on loopback: mirroring, minimal writes, safe order, delete cap."""

import dataclasses
import hashlib
import logging
import shutil
from pathlib import Path

import pytest

from deploy.headers import IMMUTABLE, headers_for
from deploy.publish import Clients, PublishError, publish
from sitebuild.redirects import REDIRECTS_FILE
from tests.conftest import GOOD_POST, SITE_ADDRESS, copy_project, invoke
from tests.deploy.conftest import BUCKET
from tests.pictures import carries_camera_metadata, photo

pytestmark = pytest.mark.slow

SECOND_POST = "Title: Second\nDate: 2020-02-03\nCategory: Notes\n\nAnother post.\n"


def bucket_contents(clients: Clients) -> dict[str, dict]:
    """Every object in the bucket: body, type, cache header and our MD5."""
    contents = {}
    paginator = clients.s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            got = clients.s3.get_object(Bucket=BUCKET, Key=item["Key"])
            contents[item["Key"]] = {
                "body": got["Body"].read(),
                "type": got["ContentType"],
                "cache": got["CacheControl"],
                "md5": got["Metadata"]["md5"],
            }
    return contents


def site_files(output: Path) -> dict[str, bytes]:
    """Every file of a built site the bucket gets (the redirect map goes to CloudFront), by key."""
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in output.rglob("*")
        if p.is_file() and p != output / REDIRECTS_FILE
    }


def build(project: Path) -> Path:
    """Build a project copy and return its output."""
    result = invoke("build", cwd=project)
    assert result.returncode == 0, result.stderr
    return project / "output"


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project with two posts."""
    return copy_project(tmp_path / "project", {"good.md": GOOD_POST, "second.md": SECOND_POST})


def put_keys(proxy) -> set[str]:
    """The keys the recorded PUT requests wrote."""
    return {
        r.path.split("?")[0].removeprefix(f"/{BUCKET}/")
        for r in proxy.writes()
        if r.method == "PUT"
    }


def test_first_publish_mirrors_output_exactly(aws, production_site):
    settings, clients = aws
    publish(production_site, settings, clients)
    contents = bucket_contents(clients)
    files = site_files(production_site)
    assert sorted(contents) == sorted(files)
    for key, body in files.items():
        assert contents[key]["body"] == body, key
        assert contents[key]["md5"] == hashlib.md5(body).hexdigest()
        expected = headers_for(key)
        assert (contents[key]["type"], contents[key]["cache"]) == (
            expected.content_type,
            expected.cache_control,
        ), key


def test_served_types_and_caching_by_kind(aws, production_site):
    settings, clients = aws
    publish(production_site, settings, clients)
    contents = bucket_contents(clients)
    assert contents["index.html"]["type"] == "text/html; charset=utf-8"
    assert contents["feeds/all.atom.xml"]["type"] == "application/atom+xml; charset=utf-8"
    assert contents["sitemap.xml"]["cache"] == contents["index.html"]["cache"]
    assert "must-revalidate" in contents["index.html"]["cache"]
    css = next(key for key in contents if key.startswith("theme/css/site."))
    assert contents[css]["type"] == "text/css; charset=utf-8"
    assert contents[css]["cache"] == "public, max-age=31536000, immutable"


def test_a_second_publish_sends_no_write(aws, production_site, proxy):
    settings, clients = aws
    publish(production_site, settings, clients)
    proxy.clear()
    summary = publish(production_site, settings, clients)
    assert proxy.writes() == []
    assert summary.totals["unchanged"] == len(site_files(production_site))


def test_a_full_rebuild_then_publish_sends_no_write(aws, production_site, proxy, tmp_path):
    settings, clients = aws
    publish(production_site, settings, clients)
    rebuilt = tmp_path / "rebuilt"
    result = invoke("build", "--prod", "--output", str(rebuilt), env={"SITEURL": SITE_ADDRESS})
    assert result.returncode == 0, result.stderr
    proxy.clear()
    publish(rebuilt, settings, clients)
    assert proxy.writes() == []


def test_an_edited_post_uploads_exactly_the_changed_files(aws, project, proxy):
    settings, clients = aws
    before = site_files(build(project))
    publish(project / "output", settings, clients)
    (project / "content" / "second.md").write_text(SECOND_POST.replace("Another", "An edited"))
    after = site_files(build(project))
    changed = {key for key in after if before.get(key) != after[key]}
    assert "2020/02/03/second/index.html" in changed
    assert len(changed) < len(after) / 2  # an edit touches a few files, not the site
    proxy.clear()
    publish(project / "output", settings, clients)
    assert put_keys(proxy) == changed
    assert (
        bucket_contents(clients)["2020/02/03/second/index.html"]["body"]
        == after["2020/02/03/second/index.html"]
    )


def test_a_deleted_posts_files_are_deleted_after_every_write(aws, project, proxy):
    settings, clients = aws
    before = site_files(build(project))
    publish(project / "output", settings, clients)
    (project / "content" / "second.md").unlink()
    after = site_files(build(project))
    gone = set(before) - set(after)
    assert "2020/02/03/second/index.html" in gone and "feeds/notes.atom.xml" in gone
    proxy.clear()
    publish(project / "output", dataclasses.replace(settings, delete_share=0.5), clients)
    assert set(bucket_contents(clients)) == set(after)
    methods = [r.method for r in proxy.writes()]
    assert "POST" in methods  # the batch delete
    first_delete = methods.index("POST")
    assert all(method == "POST" for method in methods[first_delete:])


def test_the_delete_cap_stops_a_mass_delete(aws, production_site, proxy, tmp_path):
    settings, clients = aws
    publish(production_site, settings, clients)
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "index.html").write_text("<!doctype html><title>Not our site</title>")
    proxy.clear()
    with pytest.raises(PublishError, match="would be deleted, more than the cap"):
        publish(stranger, settings, clients)
    assert proxy.writes() == []
    assert set(bucket_contents(clients)) == set(site_files(production_site))


def test_forcing_allows_deletes_past_the_cap(aws, production_site, tmp_path):
    settings, clients = aws
    publish(production_site, settings, clients)
    smaller = tmp_path / "smaller"
    shutil.copytree(production_site, smaller)
    shutil.rmtree(smaller / "category")
    publish(smaller, settings, clients, force_delete=True)
    assert set(bucket_contents(clients)) == set(site_files(smaller))


def test_an_empty_output_publishes_nothing(aws, tmp_path, proxy):
    settings, clients = aws
    (tmp_path / "empty").mkdir()
    with pytest.raises(PublishError, match=r"no index\.html"):
        publish(tmp_path / "empty", settings, clients)
    assert proxy.writes() == []


def test_a_local_build_holding_a_draft_is_refused(aws, project, proxy):
    settings, clients = aws
    draft = GOOD_POST.replace("Title: A good post", "Title: Unfinished\nStatus: draft")
    (project / "content" / "draft.md").write_text(draft, encoding="utf-8")
    output = build(project)
    assert (output / "drafts" / "unfinished" / "index.html").is_file()
    with pytest.raises(PublishError, match=r"holds drafts \(drafts/unfinished/index\.html\)"):
        publish(output, settings, clients)
    assert proxy.writes() == []


def test_dry_run_prints_the_plan_and_changes_nothing(aws, project, proxy, caplog):
    settings, clients = aws
    publish(build(project), settings, clients)
    (project / "content" / "second.md").unlink()
    (project / "content" / "good.md").write_text(GOOD_POST.replace("fine", "finer"))
    build(project)
    before = bucket_contents(clients)
    proxy.clear()
    caplog.set_level(logging.INFO, logger="deploy.publish")
    summary = publish(
        project / "output", dataclasses.replace(settings, delete_share=0.5), clients, dry_run=True
    )
    assert proxy.writes() == []
    assert bucket_contents(clients) == before
    lines = [r.getMessage() for r in caplog.records if r.name == "deploy.publish"]
    assert "update  2020/01/02/a-good-post/index.html  (content changed)" in lines
    assert "delete  2020/02/03/second/index.html  (not in output/)" in lines
    totals = ", ".join(f"{count} {action}" for action, count in summary.totals.items())
    assert f"plan: {totals}" in lines
    assert summary.totals["update"] > 0 and summary.totals["delete"] > 0
    assert lines[-1] == "dry run: nothing was changed"


def test_a_header_change_rewrites_metadata_without_the_body(aws, production_site, proxy):
    settings, clients = aws
    publish(production_site, settings, clients)
    key = "about/index.html"
    # As if an older publisher had set another Cache-Control on this page.
    clients.s3.copy_object(
        Bucket=BUCKET,
        Key=key,
        CopySource={"Bucket": BUCKET, "Key": key},
        MetadataDirective="REPLACE",
        ContentType="text/html; charset=utf-8",
        CacheControl="public, max-age=600",
        Metadata={"md5": hashlib.md5((production_site / key).read_bytes()).hexdigest()},
    )
    proxy.clear()
    summary = publish(production_site, settings, clients)
    assert summary.totals["retag"] == 1
    (write,) = proxy.writes()
    assert write.method == "PUT" and write.copy_source
    assert bucket_contents(clients)[key]["cache"] == headers_for(key).cache_control


def test_objects_without_our_checksum_are_rewritten(aws, production_site, proxy):
    settings, clients = aws
    publish(production_site, settings, clients)
    clients.s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"uploaded by hand")
    proxy.clear()
    publish(production_site, settings, clients)
    assert put_keys(proxy) == {"index.html"}
    assert (
        bucket_contents(clients)["index.html"]["body"]
        == (production_site / "index.html").read_bytes()
    )


def test_pictures_are_published_with_variants_cached_for_a_year(aws, tmp_path):
    settings, clients = aws
    photo_post = "Title: Lake\nDate: 2020-03-04\n\nAt dawn.\n\n![The lake](/images/lake.jpg)\n"
    project = copy_project(
        tmp_path / "photos", {"lake.md": photo_post, "images/lake.jpg": photo(1600, 1200)}
    )
    publish(build(project), settings, clients)
    contents = bucket_contents(clients)
    variants = [key for key in contents if key.startswith("images/lake.") and key.count(".") == 3]
    assert {key.rsplit(".", 1)[1] for key in variants} == {"avif", "webp"}
    for key in variants:
        assert contents[key]["cache"] == IMMUTABLE
        assert contents[key]["type"] == f"image/{key.rsplit('.', 1)[1]}"
        assert not carries_camera_metadata(contents[key]["body"])
    # The original keeps its address, so it is not cached as if it could never change.
    assert contents["images/lake.jpg"]["type"] == "image/jpeg"
    assert contents["images/lake.jpg"]["cache"] != IMMUTABLE
    assert not carries_camera_metadata(contents["images/lake.jpg"]["body"])
