"""Publishing through a proxy that drops connections: retries, and no deletes on failure."""

import dataclasses
import shutil

import pytest
from botocore.exceptions import BotoCoreError

from deploy.publish import Clients, PublishError, publish
from tests.deploy.test_publish import bucket_contents, site_files

pytestmark = pytest.mark.slow


@pytest.fixture
def published(aws, production_site, tmp_path):
    """The real site published once, and a next version that edits a page and drops a folder."""
    settings, clients = aws
    publish(production_site, settings, clients)
    next_version = tmp_path / "next"
    shutil.copytree(production_site, next_version)
    (next_version / "about" / "index.html").write_text("<!doctype html><title>About</title>")
    shutil.rmtree(next_version / "2016")
    return next_version


def test_dropped_connections_are_retried_and_the_publish_completes(aws, published, proxy):
    settings, clients = aws
    settings = dataclasses.replace(settings, delete_share=0.5, max_attempts=10)
    proxy.reset_every = 3
    publish(published, settings, Clients.connect(settings))
    assert proxy.seen > len(proxy.requests)  # connections really were dropped
    assert set(bucket_contents(clients)) == set(site_files(published))


def test_a_publish_that_fails_deletes_nothing_and_a_rerun_converges(aws, published, proxy):
    settings, clients = aws
    settings = dataclasses.replace(settings, delete_share=0.5, max_attempts=2)
    failing = Clients.connect(settings)
    before = set(bucket_contents(clients))
    # Reads succeed, then the network goes away part-way through the writes.
    proxy.fail_after = len(before) + 2
    with pytest.raises((PublishError, BotoCoreError)):
        publish(published, settings, failing)
    proxy.clear()
    assert before <= set(bucket_contents(clients))  # nothing was deleted
    assert not any(r.method == "POST" for r in proxy.writes())
    publish(published, settings, Clients.connect(settings))
    contents = bucket_contents(clients)
    assert set(contents) == set(site_files(published))
    assert contents["about/index.html"]["body"] == (published / "about" / "index.html").read_bytes()
