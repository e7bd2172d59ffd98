"""A real S3 and CloudFront API (moto's server) on loopback, behind a recording proxy."""

import os
import threading
import urllib.request

import pytest
from moto.server import ThreadedMotoServer

from deploy.publish import Clients, PublishSettings
from tests.conftest import free_port
from tests.deploy.loopback import RecordingProxy

BUCKET = "blog-site"
REGION = "us-east-1"


@pytest.fixture(scope="session", autouse=True)
def offline_aws_credentials():
    """Fake credentials and no config files, so boto3 never looks beyond loopback."""
    saved = dict(os.environ)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def moto_server():
    """moto's server on a free loopback port for the whole session."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session")
def proxy(moto_server):
    """The recording proxy in front of moto."""
    server = RecordingProxy(int(moto_server.rsplit(":", 1)[1]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def aws(moto_server, proxy):
    """A clean S3 and CloudFront with the site's bucket; the proxy's record starts empty."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    settings = PublishSettings(bucket=BUCKET, region=REGION, endpoint_url=proxy.url, max_attempts=3)
    clients = Clients.connect(settings)
    clients.s3.create_bucket(Bucket=BUCKET)
    proxy.clear()
    return settings, clients
