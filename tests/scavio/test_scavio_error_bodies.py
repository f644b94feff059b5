"""A proxy in front of the API answers with its own HTML page: the error is one line, not the page.

The proxy is a real HTTP server on loopback (it stands in for nginx / a corporate proxy, not for our
code); the client is the real one.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tiktok_assets.scavio.errors import ServerError

PAGE = ("<!DOCTYPE html>\n<html><head><title>501 Not Implemented</title></head>\n<body>\n"
        + "<h1>Not Implemented</h1>\n<p>The proxy does not support this method.</p>\n" * 40 + "</body></html>\n")


class Proxy(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = PAGE.encode()
        self.send_response(501)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_html_error_page_becomes_one_line_naming_status_and_endpoint(proxy_url, make_client):
    class Sim:  # make_client only needs the URL
        url = proxy_url

    client = make_client(Sim, max_retries=1)
    with pytest.raises(ServerError) as err:
        client.profile(username="chef_lina")
    message = str(err.value)
    assert "\n" not in message and "<" not in message and len(message) < 250, message
    assert message.startswith("Scavio /api/v1/tiktok/profile returned HTTP 501")
    assert "text/html" in message and f"{len(PAGE)} bytes" in message
    [entry] = [e for e in client.ledger][-1:]
    assert entry.http_status == 501 and entry.credits_used == 0
