"""The CloudFormation template: it lints, it matches the site, and its function routes correctly."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

import pelicanconf
from sitebuild.redirects import read_redirects
from tests.conftest import GOOD_POST, REPO, copy_project, invoke

TEMPLATE = REPO / "infra" / "site.yaml"


@pytest.fixture(scope="module")
def resources() -> dict:
    """The template's resources' properties, by logical name."""
    template = cfn_yaml.load(str(TEMPLATE))
    return {name: body.get("Properties", {}) for name, body in template["Resources"].items()}


def test_cfn_lint_passes():
    linter = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(linter), str(TEMPLATE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_bucket_is_private_with_acls_disabled(resources):
    bucket = resources["SiteBucket"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (allow, deny) = resources["SiteBucketPolicy"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert deny["Effect"] == "Deny"


def test_cloudfront_reads_through_origin_access_control(resources):
    config = resources["Distribution"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin
    assert (
        resources["OriginAccessControl"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    )


def test_https_compression_and_the_404_page(resources):
    config = resources["Distribution"]["DistributionConfig"]
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["Compress"] is True
    encodings = resources["CachePolicy"]["CachePolicyConfig"][
        "ParametersInCacheKeyAndForwardedToOrigin"
    ]
    assert encodings["EnableAcceptEncodingGzip"] and encodings["EnableAcceptEncodingBrotli"]
    errors = {e["ErrorCode"]: e for e in config["CustomErrorResponses"]}
    assert {errors[403]["ResponsePagePath"], errors[404]["ResponsePagePath"]} == {"/404.html"}
    assert errors[403]["ResponseCode"] == 404


def test_security_headers_carry_the_csp_the_theme_is_tested_against(resources):
    headers = resources["SecurityHeadersPolicy"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    # One policy: after changing EMBED_ORIGINS, paste the settings' policy into the template.
    assert (
        headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
        == pelicanconf.CONTENT_SECURITY_POLICY
    ), f"infra/site.yaml's ContentSecurityPolicy should be: {pelicanconf.CONTENT_SECURITY_POLICY}"
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True
    assert "ReferrerPolicy" in headers


# The key-value store the function reads, as CloudFront's runtime gives it: get() answers a
# stored key's value and throws for any other key.
STORE_STUB = """const cf = {{kvs: () => ({{get: async (key) => {{
  const stored = {stored};
  if (key in stored) return stored[key];
  throw new Error("key not found");
}}}})}};"""
STORED = {"/old-post.html": "/2019/05/01/old-post/", "/2018/03/moved/": "/2018/03/01/moved/"}


def run_function(resources, uri: str, stored: dict[str, str] | None = None) -> dict:
    """Run the viewer-request function in Node on a request for uri, as CloudFront would."""
    node = shutil.which("node")
    assert node, "the function tests need Node.js: apt-get install nodejs"
    code = resources["ViewerRequestFunction"]["FunctionCode"]
    store = STORE_STUB.format(stored=json.dumps(STORED if stored is None else stored))
    assert 'import cf from "cloudfront";' in code
    code = code.replace('import cf from "cloudfront";', store)
    event = {"request": {"method": "GET", "uri": uri, "querystring": {}, "headers": {}}}
    script = code + "\nhandler(" + json.dumps(event) + ").then("
    script += "(answer) => process.stdout.write(JSON.stringify(answer)));"
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/about/", "/about/index.html"),
        ("/2017/10/20/refactoring-with-the-observer-pattern/", None),
        ("/theme/css/site.0123456789.css", "/theme/css/site.0123456789.css"),
        ("/feeds/all.atom.xml", "/feeds/all.atom.xml"),
    ],
)
def test_folders_serve_their_index(resources, uri, served):
    response = run_function(resources, uri)
    assert response["uri"] == (served or uri + "index.html")


@pytest.mark.parametrize(
    ("uri", "location"),
    [
        ("/feed/", "/feeds/all.atom.xml"),
        ("/feed", "/feeds/all.atom.xml"),
        ("/comments/feed/", "/feeds/all.atom.xml"),
        ("/category/ruby/feed/", "/feeds/ruby.atom.xml"),
        (
            "/2017/10/20/refactoring-with-the-observer-pattern/feed/",
            "/2017/10/20/refactoring-with-the-observer-pattern/",
        ),
        ("/about", "/about/"),
        ("/old-post.html", "/2019/05/01/old-post/"),
        ("/2018/03/moved/", "/2018/03/01/moved/"),
        ("/2018/03/moved", "/2018/03/01/moved/"),
    ],
)
def test_old_addresses_redirect_permanently(resources, uri, location):
    response = run_function(resources, uri)
    assert response["statusCode"] == 301
    assert response["headers"]["location"]["value"] == location


def test_every_redirect_lands_on_a_page_of_the_built_site(resources, production_site):
    olds = ["/feed/", "/feed/atom/", "/feed/rss/", "/comments/feed/"]
    olds += [
        f"/category/{p.parent.name}/feed/" for p in production_site.glob("category/*/index.html")
    ]
    for old in olds:
        target = run_function(resources, old)["headers"]["location"]["value"]
        assert (production_site / target.lstrip("/")).is_file(), (old, target)


def test_an_address_the_store_lacks_is_served_as_it_is(resources):
    assert run_function(resources, "/2019/05/01/old-post/", stored={})["uri"] == (
        "/2019/05/01/old-post/index.html"
    )
    assert run_function(resources, "/new-post.html")["uri"] == "/new-post.html"


def test_the_function_fits_cloudfronts_size_limit(resources):
    assert len(resources["ViewerRequestFunction"]["FunctionCode"].encode()) <= 10 * 1024


def test_the_publisher_may_keep_the_redirects_store_and_nothing_else(resources):
    statements = resources["PublisherPolicy"]["PolicyDocument"]["Statement"]
    (store,) = [s for s in statements if s["Sid"] == "KeepTheRedirects"]
    assert all(action.startswith("cloudfront-keyvaluestore:") for action in store["Action"])
    assert "cloudfront-keyvaluestore:UpdateKeys" in store["Action"]
    associations = resources["ViewerRequestFunction"]["FunctionConfig"]["KeyValueStoreAssociations"]
    assert len(associations) == 1


def test_the_built_map_sends_each_old_address_to_its_page(resources, tmp_path):
    project = copy_project(tmp_path / "project", {"good.md": GOOD_POST})
    with (project / "pelicanconf.py").open("a", encoding="utf-8") as settings:
        settings.write('\nREDIRECTS_ARTICLE_PATTERNS = ["{slug}.html", "{category}/{slug}.html"]\n')
    result = invoke("build", cwd=project)
    assert result.returncode == 0, result.stderr
    built = read_redirects(project / "output")
    assert sorted(built) == ["/a-good-post.html", "/testing/a-good-post.html"]
    for old, new in built.items():
        response = run_function(resources, old, stored=built)
        assert response["statusCode"] == 301
        assert response["headers"]["location"]["value"] == new
        assert (project / "output" / new.lstrip("/") / "index.html").is_file()
