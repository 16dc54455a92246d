"""File objects that keep a target intact when a write fails.

A write goes to a place the reader cannot see (an uncommitted local temporary or S3 multipart
upload, or a temporary name beside the target on FTP and SFTP) and takes the target's place only
when the file is closed without an exception. An exception inside ``with`` discards it.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

from fsspec import AbstractFileSystem

__all__ = ["AtomicWriter", "ReadFile", "TextFile", "open_atomic_writer"]


class ReadFile(io.BufferedIOBase):
    """A backend's reader that pickles as "reopen this URL here", never as the backend.

    A backend file pickles its filesystem, credentials included; this one pickles the
    ``tentaclio`` filesystem (which holds none), the URL and the position, so a process that
    unpickles it resolves its own credentials.
    """

    def __init__(self, raw: Any, opener: AbstractFileSystem, url: str, mode: str) -> None:
        super().__init__()
        self._raw = raw
        self._opener = opener
        self.name = url
        self.mode = mode

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self._raw.seekable())

    def read(self, size: int | None = -1) -> bytes:
        return bytes(self._raw.read(-1 if size is None else size))

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self._raw.seek(offset, whence))

    def tell(self) -> int:
        return int(self._raw.tell())

    @property
    def size(self) -> int | None:
        return getattr(self._raw, "size", None)

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _reopen, (self._opener, self.name, self.mode, self.tell())

    def __repr__(self) -> str:
        return f"<ReadFile {self.name!r} mode={self.mode!r}>"


def _reopen(opener: AbstractFileSystem, url: str, mode: str, position: int) -> Any:
    stream = opener.open(url, mode)
    stream.seek(position)
    return stream


class AtomicWriter(io.BufferedIOBase):
    """A binary writer that publishes on ``close`` and throws away on ``discard``."""

    def __init__(
        self,
        raw: IO[bytes],
        publish: Callable[[], None],
        throw_away: Callable[[], None],
        name: str,
        mode: str,
    ) -> None:
        super().__init__()
        self._raw = raw
        self._publish = publish
        self._throw_away = throw_away
        self.name = name
        self.mode = mode
        self._finished = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return self._raw.write(data)

    def flush(self) -> None:
        # IOBase.close() flushes once more after publish() or discard() is done with raw.
        if not self._finished:
            self._raw.flush()

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        """Finish the upload and put it in the target's place."""
        if self.closed:
            return
        try:
            self._publish()
        finally:
            self._finished = True
            super().close()

    def discard(self) -> None:
        """Leave the target as it was."""
        if self.closed:
            return
        self._finished = True
        try:
            self._throw_away()
        finally:
            super().close()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError(f"a file open for writing cannot be pickled: {self.name}")

    def __repr__(self) -> str:
        return f"<AtomicWriter {self.name!r} mode={self.mode!r}>"


class TextFile(io.TextIOWrapper):
    """A text layer whose ``mode`` says how it was opened (pandas reads it) and whose ``with``
    discards a failed write."""

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        discard = getattr(self.buffer, "discard", None)
        if kind is not None and discard is not None:
            discard()
        super().__exit__(kind, error, traceback)


def open_atomic_writer(
    fs: AbstractFileSystem, path: str, mode: str, transactional: bool, **kwargs: Any
) -> AtomicWriter:
    """A writer for ``path`` on ``fs`` that replaces the target only on success.

    ``transactional`` backends (local, S3) hold the data back themselves until ``commit``; the
    others write to a temporary name and rename it into place.
    """
    if transactional:
        raw = fs.open(path, "wb", autocommit=False, **kwargs)
        return AtomicWriter(raw, _then(raw.close, raw.commit), raw.discard, path, mode)
    directory, _, base = path.rpartition("/")
    temporary = f"{directory}/.{base}.{uuid.uuid4().hex[:12]}.part"
    raw = fs.open(temporary, "wb", **kwargs)

    def publish() -> None:
        raw.close()
        fs.mv(temporary, path)

    def throw_away() -> None:
        try:
            raw.close()
        finally:
            fs.rm_file(temporary)

    return AtomicWriter(raw, publish, throw_away, path, mode)


def _then(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def both() -> None:
        first()
        second()

    return both
