"""The CloudFormation template: it lints, it matches the site, and its function routes correctly."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

import pelicanconf
from tests.conftest import REPO

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


def run_function(resources, uri: str) -> dict:
    """Run the viewer-request function in Node on a request for uri, as CloudFront would."""
    node = shutil.which("node")
    assert node, "the function tests need Node.js: apt-get install nodejs"
    code = resources["ViewerRequestFunction"]["FunctionCode"]
    event = {"request": {"method": "GET", "uri": uri, "querystring": {}, "headers": {}}}
    script = code + "\nprocess.stdout.write(JSON.stringify(handler(" + json.dumps(event) + ")));"
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
