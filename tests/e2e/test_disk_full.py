"""A full or read-only disk, for real: a small tmpfs mounted for the test (CI runs as root).

A write that finds the disk full answers 507 naming the cause, /ready answers 503 until
there is room again, and nothing acknowledged is lost. A data directory that cannot be
written stops start-up with one line naming it.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import httpx
import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.slow


def mount_tmpfs(where, options):
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    mount_tmpfs(disk, "size=16m")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk):
    """Take every free byte of the disk with one file; returns it."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 1):
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def article(n):
    return {"id": f"doc-{n}", "text": f"Report number {n}. " + "Moscow said the talks went on. " * 400}


def test_full_disk_is_507_not_ready_and_loses_nothing(small_disk):
    server = Server(small_disk / "data").start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            stored = []
            for n in range(3):
                assert http.post("/v1/documents", json=article(n)).status_code == 201
                stored.append(f"doc-{n}")
            filler = fill(small_disk)
            answers = []
            for n in range(3, 40):
                r = http.post("/v1/documents", json=article(n))
                answers.append(r.status_code)
                if r.status_code == 201:
                    stored.append(f"doc-{n}")
                    continue
                assert r.status_code == 507, r.text
                assert r.headers["content-type"].startswith("application/problem+json")
                assert "disk is full" in r.json()["detail"] and str(small_disk) in r.json()["detail"]
                failed = article(n)
                break
            else:
                pytest.fail(f"the disk never filled: {answers}")

            ready = http.get("/ready")
            assert ready.status_code == 503 and "full" in ready.json()["store"]["error"]
            for doc_id in stored:
                assert http.get(f"/v1/documents/{doc_id}").status_code == 200

            filler.unlink()
            assert http.get("/ready").status_code == 200
            assert http.post("/v1/documents", json=failed).status_code == 201
            stored.append(failed["id"])
    finally:
        server.stop()
    again = Server(small_disk / "data").start()
    try:
        listed = httpx.get(again.url + "/v1/documents", params={"limit": 100}).json()["items"]
        assert [item["id"] for item in listed] == stored
    finally:
        again.stop()


def test_read_only_data_directory_stops_start_up_with_one_line(tmp_path):
    disk = tmp_path / "ro"
    mount_tmpfs(disk, "ro,size=1m")
    try:
        server = Server(disk / "data")
        done = subprocess.run(
            [sys.executable, "-m", "claimscope.cli", "serve"], env=server.env, capture_output=True, timeout=60
        )
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)
    assert done.returncode != 0
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and str(disk / "data") in lines[0], lines
