"""Where secrets come from: ``TENTACLIO__CONN__*`` variables and YAML secrets files.

:class:`SecretStore` re-reads its sources only when they change (a comparison of the environment
and an ``os.stat`` per file on each call), so an edit takes effect on the next call with no cache
to clear by hand, and an unchanged lookup costs microseconds.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
import threading
import warnings
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from .errors import SecretError, SecretsFileError, URLError
from .matching import Match, Secret, SecretIndex, authenticated_url
from .urls import URL, authority_bounds

__all__ = [
    "ENV_PREFIX",
    "SECRETS_FILE_VARIABLE",
    "Resolution",
    "SecretStore",
    "SecretsFilePermissionWarning",
    "default_store",
    "secrets_from_env",
    "secrets_from_file",
]

ENV_PREFIX = "TENTACLIO__CONN__"
SECRETS_FILE_VARIABLE = "TENTACLIO__SECRETS_FILE"
ENVIRONMENT = "environment"

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MAPPING_KEYS = {"url", "username", "password", "options"}
_RAW_CHARACTER_FIX = (
    "percent-encode the user and password in a URL ('/' as %2F, '#' as %23, '?' as %3F, "
    "'@' as %40), or use the mapping form with raw username and password"
)


class SecretsFilePermissionWarning(UserWarning):
    """A secrets file may be read by other users of the machine."""


@dataclasses.dataclass(frozen=True)
class Resolution:
    """The outcome of resolving a request: the URL to use, and the secret behind it, if any."""

    url: URL
    match: Match | None

    @property
    def options(self) -> Mapping[str, Any]:
        """The matching secret's backend options (empty when nothing matched)."""
        return self.match.secret.options if self.match else {}


def parse_secret_url(text: str, name: str) -> URL:
    """A secret's URL; errors name the secret and never show its value."""
    try:
        url = URL.parse(text)
    except URLError as error:
        raise SecretError(
            name, str(error), "or give it in the mapping form, with a raw username and password"
        ) from None
    if "@" in text[authority_bounds(text)[1] :]:
        # The authority ends at the first '/', '#' or '?': an '@' after it means the user or
        # password holds one of them raw, and the URL would silently name another host.
        raise SecretError(
            name, "its user or password seems to hold a raw '/', '#' or '?'", _RAW_CHARACTER_FIX
        )
    return url


def secrets_from_env(environ: Mapping[str, str]) -> list[Secret]:
    """One secret per ``TENTACLIO__CONN__<NAME>`` variable, in name order."""
    return [
        Secret(name, ENVIRONMENT, parse_secret_url(value, name))
        for name, value in sorted(environ.items())
        if name.startswith(ENV_PREFIX)
    ]


def secrets_from_file(
    path: str,
    environ: Mapping[str, str],
    on_error: Callable[[SecretError], None] | None = None,
) -> list[Secret]:
    """The secrets of one YAML file (``secrets:`` mapping), with ``${VAR}`` taken from environ.

    A bad entry raises, unless ``on_error`` is given: then it is told of each bad entry and the
    others are still read (``tentaclio-fs secrets check`` reports every problem at once).
    """
    document = _load_yaml(path)
    if document is None:
        raise SecretsFileError(path, "is empty", "it needs a top-level 'secrets:' mapping")
    if not isinstance(document, dict) or "secrets" not in document:
        raise SecretsFileError(path, "has no top-level 'secrets:' key", "put every secret under it")
    entries = document["secrets"]
    if entries is None:
        return []
    if not isinstance(entries, dict):
        raise SecretsFileError(path, "'secrets:' must be a mapping of names to secrets")
    secrets = []
    for key, value in entries.items():
        try:
            secrets.append(_secret_from_entry(path, str(key), value, environ))
        except SecretError as error:
            if on_error is None:
                raise
            on_error(error)
    return secrets


def _load_yaml(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except OSError as error:
        raise SecretsFileError(
            path, f"cannot be read ({error.strerror})", f"check {SECRETS_FILE_VARIABLE}"
        ) from None
    except UnicodeDecodeError as error:
        raise SecretsFileError(
            path, f"is not UTF-8 text (byte {error.start})", "save it as UTF-8"
        ) from None
    import yaml  # only a program with a secrets file pays for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        # The parser's own message may quote the offending text, a password perhaps: give only
        # the position.
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SecretsFileError(path, f"is not valid YAML{where}") from None


def _secret_from_entry(path: str, key: str, value: Any, environ: Mapping[str, str]) -> Secret:
    name = f"{key!r} in {path}"
    if isinstance(value, str):
        url = parse_secret_url(_interpolate_url(value, name, environ), name)
        return Secret(key, path, url)
    if not isinstance(value, dict):
        raise SecretError(
            name,
            f"is a {type(value).__name__}, not a URL string or a mapping",
            "write a URL, or a mapping with url, username, password and options",
        )
    unknown = set(map(str, value)) - _MAPPING_KEYS
    if unknown:
        raise SecretError(
            name, f"has unknown keys {sorted(unknown)}", f"use {sorted(_MAPPING_KEYS)}"
        )
    if not isinstance(value.get("url"), str):
        raise SecretError(name, "has no 'url' string", "add url: scheme://host/path")
    url = parse_secret_url(_interpolate_url(value["url"], name, environ), name)
    if ("username" in value or "password" in value) and (url.username or url.password):
        raise SecretError(
            name, "gives credentials both in its url and as username/password", "keep one"
        )
    options = value.get("options") or {}
    if not isinstance(options, dict):
        raise SecretError(name, "'options' must be a mapping")
    for field in ("username", "password"):
        if field in value and not isinstance(value[field], str | int):
            raise SecretError(name, f"'{field}' must be a string", "quote it in the YAML file")
    if "username" in value:
        url = url.replace(username=_interpolate(str(value["username"]), name, environ))
    if "password" in value:
        url = url.replace(password=_interpolate(str(value["password"]), name, environ))
    return Secret(key, path, url, _interpolate_options(options, name, environ))


def _interpolate(text: str, name: str, environ: Mapping[str, str], encode: bool = False) -> str:
    def substitute(match: re.Match[str]) -> str:
        variable = match.group(1)
        if variable not in environ:
            raise SecretError(name, f"uses ${{{variable}}}, which is not set", f"export {variable}")
        value = environ[variable]
        return quote(value, safe="") if encode else value

    return _VARIABLE.sub(substitute, text)


def _interpolate_url(template: str, name: str, environ: Mapping[str, str]) -> str:
    """``${VAR}`` in the user and password part is percent-encoded; elsewhere it is raw."""
    if "://" not in template or "@" not in template:
        return _interpolate(template, name, environ)
    start, authority_end = authority_bounds(template)
    userinfo_end = template.rfind("@", start, authority_end)
    if userinfo_end < 0:
        return _interpolate(template, name, environ)
    return (
        template[:start]
        + _interpolate(template[start:userinfo_end], name, environ, encode=True)
        + _interpolate(template[userinfo_end:], name, environ)
    )


def _interpolate_options(value: Any, name: str, environ: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _interpolate(value, name, environ)
    if isinstance(value, dict):
        return {str(k): _interpolate_options(v, name, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate_options(v, name, environ) for v in value]
    return value


class _VersionedDict(dict[Any, Any]):
    """``os.environ``'s storage, counting its changes.

    Comparing a whole environment on each call costs about 20 ns a variable (100 us with 5,000
    secrets in it); a counter makes "has anything changed?" one comparison. Every write to
    ``os.environ`` (``[]=``, ``del``, ``pop``, ``update``, ``clear``) ends in ``__setitem__`` or
    ``__delitem__`` here; dict's other mutators are counted too, in case one is called directly.
    """

    version = 0

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.version += 1

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self.version += 1

    def pop(self, *args: Any) -> Any:
        self.version += 1
        return super().pop(*args)

    def popitem(self) -> Any:
        self.version += 1
        return super().popitem()

    def clear(self) -> None:
        self.version += 1
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.version += 1
        super().update(*args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self.version += 1
        return super().setdefault(key, default)

    def __ior__(self, other: Any) -> Any:  # type: ignore[misc]
        self.version += 1
        return super().__ior__(other)


def _versioned_os_environ() -> None:
    """Give ``os.environ`` counted storage, once (the default store's fast change check)."""
    storage = getattr(os.environ, "_data", None)
    if type(storage) is dict:
        os.environ._data = _VersionedDict(storage)  # type: ignore[attr-defined]


class SecretStore:
    """The secrets of an environment and its secrets files, kept fresh.

    ``environ`` is ``os.environ`` by default; tests and tools pass a plain dict instead.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._lock = threading.Lock()
        self._env_seen: Any = None
        self._file_signatures: tuple[tuple[Any, ...], ...] = ()
        self._index = SecretIndex([])
        self._warned: set[tuple[Any, ...]] = set()

    def index(self) -> SecretIndex:
        """The current index, rebuilt first if the environment or a file changed."""
        with self._lock:
            # Any change of the environment re-reads the files too: they may use ${VAR}.
            raw = getattr(self._environ, "_data", self._environ)
            signatures = self._current_file_signatures()
            if self._environment_changed(raw) or signatures != self._file_signatures:
                secrets = secrets_from_env(self._environ)
                for signature in signatures:
                    self._warn_if_shared(signature)
                    secrets.extend(secrets_from_file(signature[0], self._environ))
                self._index = SecretIndex(secrets)
                self._env_seen = _environment_state(raw)
                self._file_signatures = signatures
            return self._index

    def _environment_changed(self, raw: Mapping[Any, Any]) -> bool:
        if isinstance(raw, _VersionedDict):
            return (id(raw), raw.version) != self._env_seen
        return raw != self._env_seen

    def resolve(self, request: URL) -> Resolution:
        """``request`` with the best matching secret's credentials, or as written."""
        match = self.index().match(request)
        if match is None:
            return Resolution(request, None)
        return Resolution(authenticated_url(request, match.secret), match)

    def _current_file_signatures(self) -> tuple[tuple[Any, ...], ...]:
        setting = self._environ.get(SECRETS_FILE_VARIABLE, "")
        signatures = []
        for path in filter(None, setting.split(os.pathsep)):
            try:
                info = os.stat(path)
            except OSError as error:
                raise SecretsFileError(
                    path, f"cannot be read ({error.strerror})", f"check {SECRETS_FILE_VARIABLE}"
                ) from None
            signatures.append((path, info.st_mtime_ns, info.st_size, info.st_ino, info.st_mode))
        return tuple(signatures)

    def _warn_if_shared(self, signature: tuple[Any, ...]) -> None:
        path, mode = signature[0], signature[-1]
        if mode & (stat.S_IRWXG | stat.S_IRWXO) and signature not in self._warned:
            self._warned.add(signature)
            warnings.warn(
                f"secrets file {path} can be read by other users; run: chmod 600 {path}",
                SecretsFilePermissionWarning,
                stacklevel=4,
            )


_default_store: SecretStore | None = None
_default_lock = threading.Lock()


def default_store() -> SecretStore:
    """The process-wide store over ``os.environ``, made on first use (no import-time work)."""
    global _default_store
    with _default_lock:
        if _default_store is None:
            _versioned_os_environ()
            _default_store = SecretStore()
        return _default_store


def _environment_state(raw: Mapping[Any, Any]) -> Any:
    """What is kept to notice a change: a counter where there is one, else a copy."""
    if isinstance(raw, _VersionedDict):
        return (id(raw), raw.version)
    return dict(raw)
