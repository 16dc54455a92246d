"""A real SFTP server (asyncssh) on loopback, for exercising SSH/SFTP clients end to end.

The server runs its own asyncio event loop on a daemon thread so that it works
the same under synchronous pytest code, under fsspec's own async loop thread,
and from a demo command. It has a fresh ed25519 host key per instance, so tests
can exercise host-key verification with a precise known_hosts file (and check
that a mismatching one is refused). Files are served from ``root`` through
asyncssh's SFTPServer with a virtual chroot, so "/" on the wire is ``root``.
asyncssh's SFTPServer advertises posix-rename@openssh.com, so atomic
rename-over-existing works as it does against OpenSSH.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import asyncssh

from ._base import LoopbackServer

_TIMEOUT = 10.0


class _AuthServer(asyncssh.SSHServer):
    """Accepts exactly one user, by password or by one of the authorized public keys."""

    def __init__(
        self,
        owner: SFTPServer,
    ) -> None:
        self._owner = owner
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._owner._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._owner._connections.discard(self._conn)

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        # Constant-time comparison: cheap, and avoids modelling a bad habit in tests.
        return hmac.compare_digest(username.encode(), self._owner.username.encode()) and (
            hmac.compare_digest(password.encode(), self._owner.password.encode())
        )

    def public_key_auth_supported(self) -> bool:
        return bool(self._owner.authorized_keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if username != self._owner.username:
            return False
        return any(key.public_data == k.public_data for k in self._owner.authorized_keys)


class SFTPServer(LoopbackServer):
    """SFTP-only SSH server: password auth always, public-key auth if keys are given."""

    def __init__(
        self,
        root: Path,
        username: str,
        password: str,
        authorized_keys: Sequence[asyncssh.SSHKey] | None = None,
    ) -> None:
        super().__init__()
        self.root = Path(root)
        self.username = username
        self.password = password
        self.authorized_keys: list[asyncssh.SSHKey] = list(authorized_keys or [])
        self.host_key: asyncssh.SSHKey = asyncssh.generate_private_key("ssh-ed25519")
        self._connections: set[asyncssh.SSHServerConnection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None

    def start(self) -> Self:
        if self._loop is not None:
            return self
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name="sftp-server", daemon=True)
        self._thread.start()
        self._acceptor = asyncio.run_coroutine_threadsafe(self._listen(), loop).result(_TIMEOUT)
        self.port = self._acceptor.get_port()
        return self

    def _run(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    async def _listen(self) -> asyncssh.SSHAcceptor:
        root = os.fsencode(self.root)
        return await asyncssh.create_server(
            lambda: _AuthServer(self),
            self.host,
            0,
            server_host_keys=[self.host_key],
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=root),
            # No shell/exec: this is an SFTP-only server, like a locked-down sftp host.
            allow_scp=False,
        )

    async def _close(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
        # Listener close leaves live sessions open; drop them so clients see EOF
        # rather than a server that silently vanished with the thread.
        conns = list(self._connections)
        for conn in conns:
            conn.close()
        for conn in conns:
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(conn.wait_closed(), _TIMEOUT)
        if self._acceptor is not None:
            await asyncio.wait_for(self._acceptor.wait_closed(), _TIMEOUT)

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(), loop).result(_TIMEOUT * 2)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(_TIMEOUT)
            loop.close()
            self._loop = None
            self._thread = None
            self._acceptor = None

    def known_hosts_line(self) -> str:
        """The OpenSSH known_hosts entry for this server: ``[127.0.0.1]:PORT ssh-ed25519 AAAA...``.

        Non-22 ports must use the bracketed ``[host]:port`` form, as OpenSSH writes it.
        """
        if not self.port:
            raise RuntimeError("server not started: port unknown")
        public = self.host_key.export_public_key("openssh").decode().split()
        return f"[{self.host}]:{self.port} {public[0]} {public[1]}"

    def write_known_hosts(self, path: Path) -> Path:
        """Write a known_hosts file trusting (only) this server's host key; return its path."""
        path = Path(path)
        path.write_text(self.known_hosts_line() + "\n")
        return path
