"""Publish settings from the environment, the header tables, and `invoke publish` itself."""

import shutil

import pytest

from deploy.headers import IMMUTABLE, ONE_DAY, REVALIDATE, cache_control, content_type
from deploy.publish import PublishError, PublishSettings
from tests.conftest import copy_project, invoke
from tests.deploy.conftest import BUCKET


def test_environment_overrides_the_settings_files_defaults():
    defaults = {"S3_BUCKET": "from-file", "AWS_REGION": "eu-west-1", "PUBLISH_DELETE_SHARE": 0.1}
    environ = {"S3_BUCKET": "from-env", "CLOUDFRONT_DISTRIBUTION_ID": "E1", "AWS_PROFILE": "blog"}
    settings = PublishSettings.load(defaults, environ)
    assert (settings.bucket, settings.region, settings.distribution_id) == (
        "from-env",
        "eu-west-1",
        "E1",
    )
    assert settings.profile == "blog" and settings.delete_share == 0.1


def test_a_missing_bucket_is_a_clear_error():
    with pytest.raises(PublishError, match="set S3_BUCKET"):
        PublishSettings.load({}, {})


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("theme/css/site.0123456789.css", "text/css; charset=utf-8"),
        ("theme/js/theme.0123456789.js", "text/javascript; charset=utf-8"),
        ("feeds/all.atom.xml", "application/atom+xml; charset=utf-8"),
        ("sitemap.xml", "application/xml; charset=utf-8"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("pagefind/pagefind-entry.json", "application/json; charset=utf-8"),
        ("theme/favicon.0123456789.svg", "image/svg+xml; charset=utf-8"),
        ("site.webmanifest", "application/manifest+json; charset=utf-8"),
        ("fonts/body.woff2", "font/woff2"),
        ("pagefind/wasm.en.pagefind", "application/wasm"),
        ("pagefind/index/en_0123456.pf_index", "application/octet-stream"),
        ("pagefind/pagefind.en_0123456789.pf_meta", "application/octet-stream"),
        ("images/photo.JPG", "image/jpeg"),
        ("unknown.bin", "application/octet-stream"),
    ],
)
def test_content_types(key, expected):
    assert content_type(key) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("index.html", REVALIDATE),
        ("2017/10/20/post/index.html", REVALIDATE),
        ("feeds/ruby.atom.xml", REVALIDATE),
        ("sitemap.xml", REVALIDATE),
        ("robots.txt", REVALIDATE),
        ("theme/css/site.0123456789.css", IMMUTABLE),
        ("pagefind/fragment/en_0123456.pf_fragment", IMMUTABLE),
        ("pagefind/pagefind.en_0123456789.pf_meta", IMMUTABLE),
        ("pagefind/pagefind.js", REVALIDATE),
        ("pagefind/pagefind-entry.json", REVALIDATE),
        ("pagefind/parts.json", REVALIDATE),
        ("pagefind/more/2/fragment/en_0123456.pf_fragment", IMMUTABLE),
        ("pagefind/more/2/pagefind.en_0123456789.pf_meta", IMMUTABLE),
        ("pagefind/more/2/pagefind-entry.json", REVALIDATE),
        ("images/photo.jpg", ONE_DAY),
    ],
)
def test_cache_control_by_kind(key, expected):
    assert cache_control(key) == expected


def test_invoke_publish_dry_run_against_the_loopback_api(aws, production_site, proxy, tmp_path):
    # The task publishes the project's output/; a copy of the built site stands in for it.
    project = copy_project(tmp_path / "copy", {})
    shutil.copytree(production_site, project / "output")
    env = {
        "SITEURL": "https://blog.example",
        "S3_BUCKET": BUCKET,
        "AWS_ENDPOINT_URL": proxy.url,
        "AWS_REGION": "us-east-1",
    }
    result = invoke("publish", "--skip-build", "--dry-run", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert "upload  index.html  (new)" in result.stderr
    assert "dry run: nothing was changed" in result.stderr
    assert proxy.writes() == []
    published = invoke("publish", "--skip-build", cwd=project, env=env)
    assert published.returncode == 0, published.stderr
    assert "published:" in published.stderr
    missing = invoke("publish", "--skip-build", cwd=project, env={**env, "S3_BUCKET": ""})
    assert missing.returncode == 1 and "set S3_BUCKET" in missing.stderr
