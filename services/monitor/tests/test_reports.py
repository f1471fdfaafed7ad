"""HTML reports kept in a folder or in S3 (a real S3 endpoint on loopback: moto's server)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from credit_monitor.reports import ReportStore


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=url).create_bucket(Bucket="reports")
    yield url
    server.stop()


@pytest.mark.parametrize("where", ["folder", "s3"])
def test_a_saved_report_reads_back(where: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    html = tmp_path / "report.html"
    html.write_text("<html><body>drift</body></html>")
    if where == "s3":
        store = ReportStore("s3://reports/drift", request.getfixturevalue("s3"))
    else:
        store = ReportStore(str(tmp_path / "kept"))
    uri = store.save("drift-run-1.html", html)
    assert uri == "s3://reports/drift/drift-run-1.html" if where == "s3" else uri.endswith("kept/drift-run-1.html")
    assert store.read(uri) == html.read_bytes()
