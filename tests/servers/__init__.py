"""Test-only servers; the protocol servers shared with the demo live in tentaclio_fs.testing."""

from tentaclio_fs.testing import (
    CANARY_PASSWORD,
    CANARY_USER,
    FTPServer,
    HTTPServer,
    S3Server,
    SFTPServer,
)

__all__ = ["CANARY_PASSWORD", "CANARY_USER", "FTPServer", "HTTPServer", "S3Server", "SFTPServer"]
