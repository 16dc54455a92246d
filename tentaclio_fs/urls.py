"""`URL`: one immutable value for connection URLs, parsed and rendered exactly.

Why not ``urllib.parse``: it keeps user and password percent-encoded, drops the difference between
an empty and a missing password, and its errors quote the URL, password included. Here user and
password are decoded exactly once (``+`` stays ``+``), IPv6 hosts lose and regain their brackets,
paths are kept as written (``sqlite:////abs.db`` stays absolute), and ``str``/``repr`` hide the
password. Error messages never quote the URL.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote

from .errors import URLError

__all__ = ["URL", "WILDCARD_HOST", "authority_bounds", "is_url"]

#: A request host that matches every host of its scheme (the secret's host is then used).
WILDCARD_HOST = "hostname"

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")
_MASK = "***"
_RAW_CHARACTER_HINT = (
    "if a user or password holds a raw '/', '#', '?' or '@', percent-encode it (%2F, %23, %3F, %40)"
)

QueryItems = tuple[tuple[str, str | None], ...]


def is_url(text: str) -> bool:
    """Whether ``text`` starts with ``scheme://`` (anything else is a plain local path)."""
    return _SCHEME.match(text) is not None


@dataclasses.dataclass(frozen=True, slots=True)
class URL:
    """A parsed connection URL; user and password are held decoded.

    ``query`` keeps order and name-only parameters (value ``None``), so rendering gives back
    what was parsed.
    """

    scheme: str
    host: str = ""
    port: int | None = None
    path: str = ""
    username: str | None = None
    password: str | None = None
    query: QueryItems = ()
    fragment: str | None = None

    def __post_init__(self) -> None:
        if self.port is not None and not 0 <= self.port <= 65535:
            raise URLError("the port must be a number between 0 and 65535")

    @classmethod
    def parse(cls, text: str) -> URL:
        """Parse ``scheme://[user[:password]@]host[:port][/path][?query][#fragment]``."""
        match = _SCHEME.match(text)
        if match is None:
            raise URLError("not a URL: it must start with a scheme, as in sftp://host/path")
        start, end = authority_bounds(text)
        authority, remainder = text[start:end], text[end:]
        username = password = None
        if "@" in authority:
            userinfo, _, authority = authority.rpartition("@")
            raw_user, has_password, raw_password = userinfo.partition(":")
            username = unquote(raw_user)
            password = unquote(raw_password) if has_password else None
        host, port = _split_host_port(authority)
        path, query, fragment = _split_path(remainder)
        return cls(
            scheme=match.group(1).lower(),
            host=host,
            port=port,
            path=path,
            username=username,
            password=password,
            query=query,
            fragment=fragment,
        )

    def render(self, hide_password: bool = True) -> str:
        """The URL as text; the password is shown only with ``hide_password=False``."""
        userinfo = ""
        if self.username is not None or self.password is not None:
            userinfo = quote(self.username or "", safe="")
            if self.password is not None:
                shown = _MASK if hide_password else quote(self.password, safe="")
                userinfo += ":" + shown
            userinfo += "@"
        text = f"{self.scheme}://{userinfo}{self.netloc}{self.path}"
        if self.query:
            text += "?" + render_query(self.query)
        if self.fragment is not None:
            text += "#" + self.fragment
        return text

    @property
    def netloc(self) -> str:
        """``host[:port]``, with brackets around an IPv6 host; no credentials."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"

    @property
    def query_dict(self) -> dict[str, str | None]:
        """The query as a mapping (the last value of a repeated key wins)."""
        return dict(self.query)

    def replace(self, **changes: Any) -> URL:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def with_query(self, items: Mapping[str, str | None] | Iterable[tuple[str, str | None]]) -> URL:
        """A copy with another query."""
        pairs = items.items() if isinstance(items, Mapping) else items
        return dataclasses.replace(self, query=tuple(pairs))

    def without_credentials(self) -> URL:
        """A copy with neither user nor password."""
        return dataclasses.replace(self, username=None, password=None)

    def __str__(self) -> str:
        return self.render(hide_password=True)

    def __repr__(self) -> str:
        return f"URL({self.render(hide_password=True)!r})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A pickle must not carry a secret: the receiving process resolves the password again
        # from its own secrets, matching on the user that is kept.
        fields = dataclasses.astuple(dataclasses.replace(self, password=None))
        return (URL, fields)


def render_query(items: QueryItems) -> str:
    """``a=1&flag`` from ``(("a", "1"), ("flag", None))``, each part percent-encoded."""
    parts = []
    for key, value in items:
        encoded_key = quote(key, safe="")
        parts.append(encoded_key if value is None else f"{encoded_key}={quote(value, safe='')}")
    return "&".join(parts)


def parse_query(text: str) -> QueryItems:
    """The inverse of :func:`render_query`; ``+`` stays ``+`` (this is not form encoding)."""
    items = []
    for part in text.split("&"):
        if not part:
            continue
        key, has_value, value = part.partition("=")
        items.append((unquote(key), unquote(value) if has_value else None))
    return tuple(items)


def authority_bounds(text: str) -> tuple[int, int]:
    """Where ``[user[:password]@]host[:port]`` starts and ends in ``scheme://...`` text.

    It ends at the first ``/``, ``?`` or ``#``: so a user or password must have those
    percent-encoded, and an ``@`` after the end means one of them was left raw.
    """
    start = text.find("://") + 3
    stops = [text.find(c, start) for c in "/?#" if c in text[start:]]
    return start, min(stops) if stops else len(text)


def _split_host_port(authority: str) -> tuple[str, int | None]:
    if authority.startswith("["):
        closing = authority.find("]")
        if closing < 0:
            raise URLError("an IPv6 host misses its closing ']'")
        host, after = authority[1:closing], authority[closing + 1 :]
        if after and not after.startswith(":"):
            raise URLError("unexpected text after an IPv6 host; " + _RAW_CHARACTER_HINT)
        return host, _parse_port(after[1:])
    if authority.count(":") > 1:
        raise URLError("an IPv6 host must be written in brackets, as in ftp://[::1]:21/")
    host, _, port_text = authority.partition(":")
    return host, _parse_port(port_text)


def _parse_port(text: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise URLError("the port is not a number between 0 and 65535; " + _RAW_CHARACTER_HINT)
    return int(text)


def _split_path(remainder: str) -> tuple[str, QueryItems, str | None]:
    remainder, has_fragment, fragment = remainder.partition("#")
    path, has_query, query_text = remainder.partition("?")
    query = parse_query(query_text) if has_query else ()
    return path, query, fragment if has_fragment else None
