"""Connection limits of the real server: a deadline for request headers, a cap on connections
(503 beyond it), and repeated log lines kept to a few per minute."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.slow


def half_open(server: Server) -> socket.socket:
    """A connection that starts a request and never finishes its headers."""
    conn = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    conn.sendall(b"GET /health HTTP/1.1\r\nHost: claimscope\r\n")
    return conn


def test_slow_headers_are_cut_off_and_connections_beyond_the_cap_get_503(tmp_path):
    server = Server(
        tmp_path / "data",
        CLAIMSCOPE_HEADER_TIMEOUT_S="5",
        CLAIMSCOPE_MAX_CONNECTIONS="4",
        CLAIMSCOPE_LOG_REPEAT_LIMIT="5",
    ).start()
    try:
        slow = half_open(server)
        assert slow.recv(1) == b"", "the server should close a connection whose headers never end"
        slow.close()

        stalled = [half_open(server) for _ in range(4)]
        answers = [httpx.get(server.url + "/health", timeout=10).status_code for _ in range(12)]
        # 503 while the four are open (the last may come after the deadline freed them)
        assert answers[0] == 503 and answers.count(503) > 5 and answers == sorted(answers, reverse=True)
        for conn in stalled:  # cut off at the deadline, which frees the slots
            assert conn.recv(1) == b""
            conn.close()
        assert httpx.get(server.url + "/health", timeout=10).status_code == 200
    finally:
        server.stop()
    refused = [line for line in server.log.read_text().splitlines() if "connection refused" in line]
    assert 1 <= len(refused) <= 5
