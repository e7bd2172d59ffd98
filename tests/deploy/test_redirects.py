"""The redirect map kept in CloudFront's key-value store (botocore's Stubber: moto lacks it)."""

import dataclasses
import json

import boto3
import pytest
from botocore.stub import Stubber

from deploy.publish import Clients, PublishError, publish
from deploy.redirects import BATCH, changes, sync_redirects
from sitebuild.redirects import REDIRECTS_FILE
from tests.deploy.conftest import BUCKET

ARN = "arn:aws:cloudfront::123456789012:key-value-store/0123abcd-0000-0000-0000-000000000000"


@pytest.fixture
def store():
    """A key-value store client whose answers the test gives, and which checks every request."""
    client = boto3.client(
        "cloudfront-keyvaluestore",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_contents(stubber: Stubber, stored: dict[str, str], etag: str = "E1") -> None:
    """The store answers describe and list with stored."""
    stubber.add_response(
        "describe_key_value_store",
        {
            "ItemCount": len(stored),
            "TotalSizeInBytes": 1,
            "KvsARN": ARN,
            "Created": "2026-01-01T00:00:00Z",
            "ETag": etag,
        },
        {"KvsARN": ARN},
    )
    items = [{"Key": key, "Value": value} for key, value in stored.items()]
    stubber.add_response("list_keys", {"Items": items}, {"KvsARN": ARN})


def expect_update(stubber: Stubber, if_match: str, etag: str, **batch) -> None:
    """The store takes one conditional batch of puts or deletes."""
    answer = {"ItemCount": 1, "TotalSizeInBytes": 1, "ETag": etag}
    stubber.add_response("update_keys", answer, {"KvsARN": ARN, "IfMatch": if_match, **batch})


def test_changes_put_new_and_changed_keys_and_delete_the_rest():
    stored = {"/a.html": "/2020/a/", "/b.html": "/2020/old-b/", "/gone.html": "/x/"}
    wanted = {"/a.html": "/2020/a/", "/b.html": "/2020/b/", "/c.html": "/2020/c/"}
    puts, deletes = changes(stored, wanted)
    assert puts == [
        {"Key": "/b.html", "Value": "/2020/b/"},
        {"Key": "/c.html", "Value": "/2020/c/"},
    ]
    assert deletes == [{"Key": "/gone.html"}]


def test_sync_writes_in_conditional_batches_puts_before_deletes(store):
    client, stubber = store
    wanted = {f"/{n:03d}.html": f"/2020/{n:03d}/" for n in range(BATCH + 1)}
    expect_contents(stubber, {"/gone.html": "/x/"})
    puts = [{"Key": key, "Value": value} for key, value in sorted(wanted.items())]
    expect_update(stubber, "E1", "E2", Puts=puts[:BATCH])
    expect_update(stubber, "E2", "E3", Puts=puts[BATCH:])
    expect_update(stubber, "E3", "E4", Deletes=[{"Key": "/gone.html"}])
    assert sync_redirects(client, ARN, wanted) == (BATCH + 1, 1)


def test_an_unchanged_map_writes_nothing(store):
    client, stubber = store
    expect_contents(stubber, {"/a.html": "/2020/a/"})
    assert sync_redirects(client, ARN, {"/a.html": "/2020/a/"}) == (0, 0)


def built_output(tmp_path, redirects: dict[str, str]):
    """An output folder with a page and the build's redirect map."""
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    (output / REDIRECTS_FILE).write_text(json.dumps(redirects), encoding="utf-8")
    return output


def test_publish_keeps_the_map_out_of_the_bucket_and_in_the_store(aws, store, tmp_path):
    settings, clients = aws
    client, stubber = store
    output = built_output(tmp_path, {"/old.html": "/2020/01/01/old/"})
    expect_contents(stubber, {})
    expect_update(stubber, "E1", "E2", Puts=[{"Key": "/old.html", "Value": "/2020/01/01/old/"}])
    publish(
        output,
        dataclasses.replace(settings, redirects_store=ARN),
        Clients(clients.s3, None, client),
    )
    keys = [o["Key"] for o in clients.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert keys == ["index.html"]


def test_a_failed_store_update_stops_before_anything_is_deleted(aws, store, tmp_path):
    settings, clients = aws
    client, stubber = store
    clients.s3.put_object(Bucket=BUCKET, Key="old.html", Body=b"old")
    output = built_output(tmp_path, {"/old.html": "/2020/01/01/old/"})
    expect_contents(stubber, {})
    stubber.add_client_error("update_keys", "ConflictException", http_status_code=409)
    with pytest.raises(PublishError, match="redirects were not updated"):
        publish(
            output,
            dataclasses.replace(settings, redirects_store=ARN, delete_share=1),
            Clients(clients.s3, None, client),
        )
    keys = {o["Key"] for o in clients.s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {"index.html", "old.html"}
