"""CloudFront invalidations: exactly the changed paths, within budget, retried when throttled."""

import dataclasses
import shutil
from datetime import UTC, datetime

import pytest
from botocore.stub import Stubber

from deploy.cloudfront import (
    collapse,
    invalidate,
    invalidation_paths,
    paths_for_key,
    wait_for_completion,
)
from deploy.publish import Clients, publish

pytestmark = pytest.mark.slow

DISTRIBUTION_CONFIG = {
    "CallerReference": "blog-tests",
    "Comment": "test distribution",
    "Enabled": True,
    "Origins": {
        "Quantity": 1,
        "Items": [
            {
                "Id": "site",
                "DomainName": "blog-site.s3.us-east-1.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""},
            }
        ],
    },
    "DefaultCacheBehavior": {
        "TargetOriginId": "site",
        "ViewerProtocolPolicy": "redirect-to-https",
        "MinTTL": 0,
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        "TrustedSigners": {"Enabled": False, "Quantity": 0},
    },
}


@pytest.fixture
def with_distribution(aws):
    """Publish settings and clients with a CloudFront distribution in moto."""
    settings, _ = aws
    cloudfront = Clients.connect(dataclasses.replace(settings, distribution_id="pending"))
    distribution = cloudfront.cloudfront.create_distribution(DistributionConfig=DISTRIBUTION_CONFIG)
    settings = dataclasses.replace(settings, distribution_id=distribution["Distribution"]["Id"])
    return settings, Clients.connect(settings)


def latest_invalidation_paths(clients: Clients, distribution_id: str) -> list[list[str]]:
    """The paths of every invalidation of the distribution."""
    listed = clients.cloudfront.list_invalidations(DistributionId=distribution_id)
    batches = []
    for item in listed["InvalidationList"].get("Items", []):
        got = clients.cloudfront.get_invalidation(DistributionId=distribution_id, Id=item["Id"])
        batches.append(sorted(got["Invalidation"]["InvalidationBatch"]["Paths"].get("Items", [])))
    return batches


def test_invalidates_exactly_the_changed_and_deleted_paths(
    with_distribution, production_site, tmp_path
):
    settings, clients = with_distribution
    publish(production_site, settings, clients)
    assert latest_invalidation_paths(clients, settings.distribution_id) == []  # all new
    next_version = tmp_path / "next"
    shutil.copytree(production_site, next_version)
    (next_version / "about" / "index.html").write_text("<!doctype html><title>About</title>")
    (next_version / "robots.txt").write_text("User-agent: *\n")
    shutil.rmtree(next_version / "2016" / "08")
    added = next_version / "theme" / "extra.0123456789.css"
    added.write_text("p{}")
    summary = publish(next_version, dataclasses.replace(settings, delete_share=0.5), clients)
    expected = sorted(
        ["/about/", "/about/index.html", "/robots.txt", "/2016/08/", "/2016/08/index.html"]
        + [
            path
            for key in ("2016/08/11/assign-pull-requests-with-hubot/index.html",)
            for path in paths_for_key(key)
        ]
    )
    assert summary.invalidated == expected
    assert latest_invalidation_paths(clients, settings.distribution_id) == [expected]


def test_no_change_means_no_invalidation(with_distribution, production_site):
    settings, clients = with_distribution
    publish(production_site, settings, clients)
    summary = publish(production_site, settings, clients)
    assert summary.invalidated == [] and summary.invalidation_id is None


def test_past_the_monthly_budget_paths_collapse(with_distribution, production_site, tmp_path):
    settings, clients = with_distribution
    publish(production_site, settings, clients)
    next_version = tmp_path / "next"
    shutil.copytree(production_site, next_version)
    for page in next_version.glob("category/*/index.html"):
        page.write_text("<!doctype html><title>changed</title>")
    summary = publish(next_version, dataclasses.replace(settings, path_budget=5), clients)
    assert summary.invalidated == ["/category/*"]


def test_wait_waits_for_completion(with_distribution, production_site, tmp_path):
    settings, clients = with_distribution
    publish(production_site, settings, clients)
    next_version = tmp_path / "next"
    shutil.copytree(production_site, next_version)
    (next_version / "robots.txt").write_text("User-agent: *\n")
    summary = publish(next_version, settings, clients, wait=True)
    status = clients.cloudfront.get_invalidation(
        DistributionId=settings.distribution_id, Id=summary.invalidation_id
    )
    assert status["Invalidation"]["Status"].lower() == "completed"


def test_waiting_polls_until_the_invalidation_completes(aws):
    settings, _ = aws
    clients = Clients.connect(dataclasses.replace(settings, distribution_id="E123"))
    stubber = Stubber(clients.cloudfront)
    for status in ("InProgress", "InProgress", "Completed"):
        stubber.add_response(
            "get_invalidation",
            {
                "Invalidation": {
                    "Id": "I1",
                    "Status": status,
                    "CreateTime": datetime.now(UTC),
                    "InvalidationBatch": {
                        "Paths": {"Quantity": 1, "Items": ["/"]},
                        "CallerReference": "x",
                    },
                }
            },
        )
    slept = []
    with stubber:
        wait_for_completion(clients.cloudfront, "E123", "I1", sleep=slept.append)
    stubber.assert_no_pending_responses()
    assert len(slept) == 2


def test_too_many_invalidations_in_progress_is_retried(aws):
    settings, _ = aws
    clients = Clients.connect(dataclasses.replace(settings, distribution_id="E123"))
    stubber = Stubber(clients.cloudfront)
    stubber.add_client_error(
        "create_invalidation",
        service_error_code="TooManyInvalidationsInProgress",
        http_status_code=400,
    )
    stubber.add_response(
        "create_invalidation",
        {
            "Location": "https://cloudfront.amazonaws.com/E123/invalidation/I1",
            "Invalidation": {
                "Id": "I1",
                "Status": "InProgress",
                "CreateTime": datetime.now(UTC),
                "InvalidationBatch": {
                    "Paths": {"Quantity": 1, "Items": ["/"]},
                    "CallerReference": "x",
                },
            },
        },
    )
    slept = []
    with stubber:
        assert invalidate(clients.cloudfront, "E123", ["/"], sleep=slept.append) == "I1"
    stubber.assert_no_pending_responses()
    assert slept == [5]


@pytest.mark.parametrize(
    ("key", "paths"),
    [
        ("index.html", ["/", "/index.html"]),
        ("about/index.html", ["/about/", "/about/index.html"]),
        ("feeds/all.atom.xml", ["/feeds/all.atom.xml"]),
    ],
)
def test_pages_are_invalidated_as_folder_and_file(key, paths):
    assert paths_for_key(key) == paths
    assert invalidation_paths([key, key]) == sorted(paths)


def test_collapse_keeps_exact_paths_within_budget_then_wildcards_then_everything():
    paths = ["/2017/a/", "/2017/b/", "/2018/c/", "/robots.txt"]
    assert collapse(paths, 4) == paths
    assert collapse(paths, 3) == ["/2017/*", "/2018/*", "/robots.txt"]
    assert collapse(paths, 2) == ["/*"]
    many_folders = [f"/{n}/x/" for n in range(20)]
    assert collapse(many_folders, 19) == ["/*"]  # more wildcards than CloudFront allows at once
