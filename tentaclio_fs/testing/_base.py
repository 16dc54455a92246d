"""Shared lifecycle plumbing for the loopback test servers.

Every server in this package runs in-process on a background thread, binds
127.0.0.1 on an OS-chosen port (port 0) so parallel test runs never collide, and
is used both from pytest fixtures and from the demo command. This base class
gives them one uniform shape: ``start()`` / ``stop()``, ``with`` support, and
``host`` / ``port`` attributes.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

LOOPBACK = "127.0.0.1"


class LoopbackServer:
    """Base class: subclasses implement ``start`` (which must set ``port``) and ``stop``."""

    host: str
    port: int

    def __init__(self) -> None:
        self.host = LOOPBACK
        # 0 until start() has bound a real port; a 0 port in a URL is a clear bug signal.
        self.port = 0

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(host={self.host!r}, port={self.port})"
