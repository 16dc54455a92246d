"""Real protocol servers on loopback, for the test suite and the `demo` command.

They need the `demo` extra (moto, pyftpdlib, asyncssh); nothing imports them unless asked.

Each server runs in-process on a background thread, binds 127.0.0.1 on a free
port, and has ``start()`` / ``stop()``, ``with`` support and ``host`` / ``port``.

``CANARY_PASSWORD`` contains every character that breaks naive URL building or
parsing (@ : / # % + and a space); tests use it as the password everywhere so an
encoding bug fails loudly, and grep logs/reprs/exceptions for it to catch leaks.
"""

from .ftp import FTPServer
from .http import HTTPServer
from .s3 import S3Server
from .sftp import SFTPServer

CANARY_PASSWORD = "c@n:ry/#%+ pw-7e1f"
CANARY_USER = "canary"

__all__ = [
    "CANARY_PASSWORD",
    "CANARY_USER",
    "FTPServer",
    "HTTPServer",
    "S3Server",
    "SFTPServer",
]
