"""The matching rules of design section 4, as pure functions over plain data.

A request URL is matched against an index of secrets built once per change of the secrets, so a
lookup costs a few dictionary probes (one per segment of the request's path) whatever the number
of secrets. No I/O here: the sources live in :mod:`tentaclio_fs.secrets`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .errors import AmbiguousSecretsError
from .frozen import frozen
from .urls import URL, WILDCARD_HOST

__all__ = ["Match", "NearMiss", "Secret", "SecretIndex", "authenticated_url", "scheme_family"]

# Schemes that name the same service: an ssh secret serves an sftp URL and the reverse.
_SCHEME_ALIASES = {"ssh": "sftp"}
# S3 bucket names are case-sensitive; every other host is compared case-insensitively.
_CASE_SENSITIVE_HOSTS = {"s3"}


@dataclasses.dataclass(frozen=True, eq=False)
class Secret:
    """One credential: where it came from, the URL it holds, and backend options.

    ``repr`` shows only where the secret lives, never the URL's password nor the options,
    which may hold a passphrase or a token.
    """

    name: str
    origin: str
    url: URL
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def source_rank(self) -> int:
        """The environment wins over a file when everything else ties."""
        return 1 if self.origin == "environment" else 0

    @property
    def label(self) -> str:
        """How messages name this secret: ``NAME (origin)``."""
        return f"{self.name} ({self.origin})"

    def credentials(self) -> tuple[Any, ...]:
        """What two secrets must share to be interchangeable."""
        url = self.url
        return (url.username, url.password, url.host, url.port, url.query, frozen(self.options))

    def __repr__(self) -> str:
        return f"Secret({self.label})"

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError(f"secret {self.label} cannot be pickled: let the other process read it")


@dataclasses.dataclass(frozen=True)
class Match:
    """The secret chosen for a request, and what decided it (for ``which``)."""

    secret: Secret
    prefix: str
    won_on_port: bool = False
    won_on_source: bool = False

    @property
    def reason(self) -> str:
        """The rules that picked this secret, in words."""
        reasons = [f"path prefix {self.prefix or '/'!r} (the longest that matches)"]
        if self.won_on_port:
            reasons.append("a port over a secret without one")
        if self.won_on_source:
            reasons.append("the environment over the secrets file")
        return ", ".join(reasons)


@dataclasses.dataclass(frozen=True)
class NearMiss:
    """A secret for the same service that did not match, and the rule that excluded it."""

    secret: Secret
    reason: str


@functools.lru_cache(maxsize=256)
def scheme_family(scheme: str) -> str:
    """The scheme as matching compares it: a database dialect without its driver, ssh as sftp."""
    base = scheme.lower().split("+", 1)[0]
    return _SCHEME_ALIASES.get(base, base)


def host_key(scheme: str, host: str) -> str:
    """The host as matching compares it."""
    return host if scheme_family(scheme) in _CASE_SENSITIVE_HOSTS else host.lower()


def path_key(path: str) -> str:
    """A path without its trailing slashes: ``/`` and the empty path both match everything."""
    return path.rstrip("/")


class SecretIndex:
    """Secrets indexed by scheme, host and path, for lookups that do not scan."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        self.secrets = list(secrets)
        self._by_host: dict[tuple[str, str], dict[str, list[Secret]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._by_family: dict[str, dict[str, list[Secret]]] = defaultdict(lambda: defaultdict(list))
        for secret in self.secrets:
            family = scheme_family(secret.url.scheme)
            key = path_key(secret.url.path)
            self._by_host[family, host_key(family, secret.url.host)][key].append(secret)
            self._by_family[family][key].append(secret)

    def __len__(self) -> int:
        return len(self.secrets)

    def match(self, request: URL) -> Match | None:
        """The best secret for ``request`` (rules 1 to 6), or None when none applies."""
        if request.username is not None and request.password is not None:
            return None  # rule 5: credentials written in the URL win
        table = self._table(request)
        if not table:
            return None
        for prefix in _path_prefixes(path_key(request.path)):
            candidates = [
                secret
                for secret in table.get(prefix, ())
                if _port_matches(request, secret) and _user_matches(request, secret)
            ]
            if candidates:
                return _best(request, candidates, prefix)
        return None

    def near_misses(self, request: URL) -> list[NearMiss]:
        """Secrets of the same scheme and host that were excluded, each with the rule why."""
        misses = []
        for secrets in self._table(request).values():
            for secret in secrets:
                reason = _exclusion(request, secret)
                if reason:
                    misses.append(NearMiss(secret, reason))
        return misses

    def _table(self, request: URL) -> Mapping[str, list[Secret]]:
        family = scheme_family(request.scheme)
        if request.host == WILDCARD_HOST:
            return self._by_family.get(family, {})
        return self._by_host.get((family, host_key(family, request.host)), {})


def authenticated_url(request: URL, secret: Secret) -> URL:
    """``request`` with the secret's credentials, host (for the wildcard) and port (if absent).

    The request's scheme, path and query are kept; the secret's query fills in the keys the
    request does not set, so the request wins key by key.
    """
    query = request.query
    if secret.url.query:
        given = {key for key, _ in request.query}
        query = tuple(item for item in secret.url.query if item[0] not in given) + query
    return URL(
        scheme=request.scheme,
        host=secret.url.host if request.host == WILDCARD_HOST else request.host,
        port=request.port if request.port is not None else secret.url.port,
        path=request.path,
        username=request.username if request.username is not None else secret.url.username,
        password=secret.url.password,
        query=query,
        fragment=request.fragment,
    )


def _path_prefixes(path: str) -> Iterator[str]:
    """``/a/b`` gives ``/a/b``, ``/a`` and the empty path: prefixes at ``/`` boundaries only."""
    while path:
        yield path
        path = path.rpartition("/")[0]
    yield ""


def _port_matches(request: URL, secret: Secret) -> bool:
    return request.port is None or secret.url.port is None or request.port == secret.url.port


def _user_matches(request: URL, secret: Secret) -> bool:
    return request.username is None or request.username == secret.url.username


def _path_matches(request: URL, secret: Secret) -> bool:
    prefix = path_key(secret.url.path)
    path = path_key(request.path)
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _exclusion(request: URL, secret: Secret) -> str:
    if request.username is not None and request.password is not None:
        return "the URL carries its own user and password, which win"
    if not _port_matches(request, secret):
        return f"port {request.port} is not the secret's port {secret.url.port}"
    if not _user_matches(request, secret):
        return f"user {request.username!r} is not the secret's user"
    if not _path_matches(request, secret):
        return f"path {request.path or '/'} is not under the secret's path {secret.url.path}"
    return ""


def _best(request: URL, candidates: list[Secret], prefix: str) -> Match:
    if len(candidates) == 1:
        return Match(candidates[0], prefix)

    def rank(secret: Secret) -> tuple[bool, int]:
        return (secret.url.port is not None, secret.source_rank)

    top = max(rank(secret) for secret in candidates)
    best = [secret for secret in candidates if rank(secret) == top]
    if len({secret.credentials() for secret in best}) > 1:
        names = sorted(secret.label for secret in best)
        raise AmbiguousSecretsError(str(request), names)
    # Say which rule decided only where it did: some candidate lacked a port, or came from a file.
    beat_on_port = top[0] and any(secret.url.port is None for secret in candidates)
    beat_on_source = bool(top[1]) and any(
        rank(secret)[0] == top[0] and not secret.source_rank for secret in candidates
    )
    return Match(best[0], prefix, beat_on_port, beat_on_source)
