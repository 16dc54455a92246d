"""A real FTP server (pyftpdlib) on loopback, for exercising FTP clients end to end.

pyftpdlib keeps state at class level (the handler's authorizer, the threaded
server's exit event and lock, the global IOLoop singleton). Each instance here
therefore gets its own handler subclass, its own IOLoop and its own exit event,
so that two servers can run side by side and stopping one leaves the other alone.
"""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path
from typing import Any, Self

from ._base import LoopbackServer

# On Python 3.11 pyftpdlib imports the stdlib asyncore/asynchat, which warn on
# import; that is pyftpdlib's business, and must not trip -W error test runs.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import ThreadedFTPServer

# pyftpdlib logs every command at INFO; keep test output readable. It also calls
# its own config_logging() (INFO level, stderr handler, and process-wide tweaks such
# as logging.logThreads = False) when its logger has no handler; a NullHandler
# prevents that while still letting warnings propagate to the root logger.
_log = logging.getLogger("pyftpdlib")
_log.setLevel(logging.WARNING)
if not _log.handlers:
    _log.addHandler(logging.NullHandler())

_PERMS = "elradfmwMT"  # every permission pyftpdlib has: list, read, write, delete, rename, ...
_POLL = 0.1  # seconds; bounds how long stop() waits for the accept loop and session threads


class _IsolatedThreadedFTPServer(ThreadedFTPServer):
    """ThreadedFTPServer whose exit event and lock belong to the instance, not the class."""

    poll_timeout = _POLL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._exit = threading.Event()
        self._lock = threading.Lock()
        super().__init__(*args, **kwargs)


class FTPServer(LoopbackServer):
    """FTP server with one user whose home (and only visible tree) is ``root``.

    Passive data ports are left to the OS (any free port), which is fine on loopback.
    """

    def __init__(self, root: Path, username: str, password: str) -> None:
        super().__init__()
        self.root = Path(root)
        self.username = username
        self.password = password
        self._server: _IsolatedThreadedFTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> Self:
        if self._server is not None:
            return self
        authorizer = DummyAuthorizer()
        authorizer.add_user(self.username, self.password, str(self.root), perm=_PERMS)

        # pyftpdlib configures handlers through class attributes: subclass per instance.
        class Handler(FTPHandler):
            banner = "tentaclio_fs test FTP server"
            # Default is a 3 s tarpit per failed login; rejection tests need none.
            auth_failed_timeout = 0.1

        Handler.authorizer = authorizer
        self._server = _IsolatedThreadedFTPServer((self.host, 0), Handler, ioloop=IOLoop())
        self.port = int(self._server.address[1])
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"ftp-{self.port}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        # Poll the accept loop in short non-blocking steps so stop() can end it from
        # another thread; close_all() then runs on this thread, which owns the IOLoop.
        # (Not serve_forever(): it re-clears the exit event on every call.)
        assert self._server is not None
        server = self._server
        try:
            while not self._stopping.is_set():
                server.ioloop.loop(timeout=_POLL, blocking=False)
        finally:
            server.close_all()

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None
