"""Where the HTML drift reports are kept: a local folder, or an S3 bucket (MinIO in compose)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ReportStore:
    def __init__(self, location: str, s3_endpoint_url: str = ""):
        self.location = location.rstrip("/")
        self.s3_endpoint_url = s3_endpoint_url or None

    @property
    def is_s3(self) -> bool:
        return self.location.startswith("s3://")

    def _s3(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.s3_endpoint_url)

    def _bucket_key(self, name: str) -> tuple[str, str]:
        bucket, _, prefix = self.location.removeprefix("s3://").partition("/")
        return bucket, f"{prefix}/{name}" if prefix else name

    def save(self, name: str, html: Path) -> str:
        """Store ``html`` as ``name``; its URI."""
        if self.is_s3:
            bucket, key = self._bucket_key(name)
            self._s3().upload_file(str(html), bucket, key, ExtraArgs={"ContentType": "text/html"})
            return f"s3://{bucket}/{key}"
        folder = Path(self.location)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        target.write_bytes(html.read_bytes())
        return str(target.resolve())

    def read(self, uri: str) -> bytes:
        if uri.startswith("s3://"):
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            body: bytes = self._s3().get_object(Bucket=bucket, Key=key)["Body"].read()
            return body
        return Path(uri).read_bytes()
