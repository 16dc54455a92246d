"""A real S3-compatible HTTP endpoint (moto's server mode) on loopback.

Server mode, rather than moto's in-process ``mock_aws`` decorator, is used on
purpose: clients (s3fs/aiobotocore, boto3) talk to it over real HTTP with real
request signing, so endpoint URLs, credential plumbing and multipart uploads are
exercised as they would be against a real S3 service. moto does not verify
credentials, which is acceptable here: cloud IAM cannot run on loopback. The
helper client passes explicit dummy keys so no AWS environment or config is read.
"""

from __future__ import annotations

import logging
import urllib.request
from typing import Any, Self

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from ._base import LoopbackServer

DUMMY_KEY = "testing"
DUMMY_SECRET = "testing"
REGION = "us-east-1"


class S3Server(LoopbackServer):
    """moto server bound to 127.0.0.1 on an OS-chosen port; ``endpoint_url`` points at it."""

    def __init__(self) -> None:
        super().__init__()
        self._moto: ThreadedMotoServer | None = None

    @property
    def endpoint_url(self) -> str:
        if not self.port:
            raise RuntimeError("server not started: port unknown")
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        if self._moto is not None:
            return self
        # Port 0 works: moto hands it to werkzeug's make_server, and
        # get_host_and_port() reads the bound address back from the socket.
        # werkzeug logs every request at INFO through the root logger: keep the demo readable.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._moto = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        self._moto.start()
        self.port = int(self._moto.get_host_and_port()[1])
        return self

    def stop(self) -> None:
        if self._moto is None:
            return
        self._moto.stop()
        self._moto = None

    def reset(self) -> None:
        """Forget all buckets and objects (moto keeps state per process, not per server)."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def client(self) -> Any:
        """A boto3 S3 client for this server with explicit dummy credentials."""
        return boto3.session.Session(
            aws_access_key_id=DUMMY_KEY,
            aws_secret_access_key=DUMMY_SECRET,
            region_name=REGION,
        ).client(
            "s3",
            endpoint_url=self.endpoint_url,
            config=Config(retries={"max_attempts": 1}),
        )

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)
