"""An HTTP proxy on loopback in front of the S3 API: it records requests and can inject faults."""

import http.client
import http.server
import socket
import struct
import threading
from dataclasses import dataclass

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


@dataclass(frozen=True)
class Request:
    """One request that reached the proxy."""

    method: str
    path: str
    copy_source: bool


class RecordingProxy(http.server.ThreadingHTTPServer):
    """Forward every request to the upstream server, record it, and reset some connections."""

    daemon_threads = True

    def __init__(self, upstream_port: int) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream_port = upstream_port
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.reset_every = 0  # reset the Nth, 2Nth, ... request; 0 never
        self.fail_after: int | None = None  # reset every request after this many
        self.seen = 0

    @property
    def url(self) -> str:
        """The proxy's base URL."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def should_reset(self) -> bool:
        """Count a request and decide whether to drop its connection."""
        with self.lock:
            self.seen += 1
            if self.fail_after is not None and self.seen > self.fail_after:
                return True
            return bool(self.reset_every) and self.seen % self.reset_every == 0

    def record(self, request: Request) -> None:
        """Keep a request that was forwarded."""
        with self.lock:
            self.requests.append(request)

    def writes(self) -> list[Request]:
        """Requests that change the bucket: PUT (upload, copy), DELETE, POST (batch delete)."""
        return [r for r in self.requests if r.method in ("PUT", "POST", "DELETE")]

    def clear(self) -> None:
        """Forget what was recorded and stop injecting faults."""
        with self.lock:
            self.requests.clear()
            self.reset_every, self.fail_after, self.seen = 0, None, 0


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Forward one request upstream, or reset the connection."""

    protocol_version = "HTTP/1.1"
    server: RecordingProxy

    def forward(self) -> None:
        """Relay the request and its response, unless a fault is due."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.server.should_reset():
            # A TCP reset, as a flaky network or an overloaded endpoint gives.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        self.server.record(
            Request(
                self.command, self.path, "x-amz-copy-source" in {k.lower() for k in self.headers}
            )
        )
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        upstream.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""
