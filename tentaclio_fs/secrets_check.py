"""Validate every secret source at once, for ``tentaclio-fs secrets check``.

Loading secrets for real stops at the first bad one, which is right for a program but slow for
a person fixing a setup one error per run. This collector reads the same sources with the same
parsers, but records each problem (each variable, each file, each entry) and carries on.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections import defaultdict
from collections.abc import Mapping

from .errors import SecretError, SecretsFileError
from .matching import Secret, host_key, path_key, scheme_family
from .secrets import (
    ENV_PREFIX,
    ENVIRONMENT,
    SECRETS_FILE_VARIABLE,
    parse_secret_url,
    secrets_from_file,
)

__all__ = ["Report", "check_secrets"]


@dataclasses.dataclass
class Report:
    """The secrets that load, the files read, and every problem found (none means valid)."""

    secrets: list[Secret] = dataclasses.field(default_factory=list)
    files: list[str] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)


def check_secrets(environ: Mapping[str, str] | None = None) -> Report:
    """Every secret and every problem of the environment and the secrets files it names."""
    environ = os.environ if environ is None else environ
    report = Report()
    _check_variables(environ, report)
    for path in filter(None, environ.get(SECRETS_FILE_VARIABLE, "").split(os.pathsep)):
        report.files.append(path)
        _check_file(path, environ, report)
    _check_conflicts(report)
    return report


def _check_variables(environ: Mapping[str, str], report: Report) -> None:
    for name, value in sorted(environ.items()):
        if name.startswith(ENV_PREFIX):
            try:
                report.secrets.append(Secret(name, ENVIRONMENT, parse_secret_url(value, name)))
            except SecretError as error:
                report.problems.append(str(error))
        elif name.startswith("TENTACLIO") and name != SECRETS_FILE_VARIABLE:
            report.problems.append(
                f"variable {name} is not read; secrets go in {ENV_PREFIX}<NAME> "
                f"and files are named by {SECRETS_FILE_VARIABLE}"
            )


def _check_file(path: str, environ: Mapping[str, str], report: Report) -> None:
    try:
        mode = os.stat(path).st_mode
        report.secrets.extend(
            secrets_from_file(path, environ, on_error=lambda e: report.problems.append(str(e)))
        )
    except OSError as error:
        report.problems.append(f"secrets file {path}: cannot be read ({error.strerror})")
        return
    except SecretsFileError as error:
        report.problems.append(str(error))
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        report.problems.append(
            f"secrets file {path}: can be read by other users; run: chmod 600 {path}"
        )


def _check_conflicts(report: Report) -> None:
    """Secrets for the same place and user with other credentials make every URL there an
    ambiguity error: find them now rather than at the first request."""
    places: dict[tuple[object, ...], list[Secret]] = defaultdict(list)
    for secret in report.secrets:
        url = secret.url
        family = scheme_family(url.scheme)
        key = (family, host_key(family, url.host), url.port, path_key(url.path), url.username)
        places[key + (secret.source_rank,)].append(secret)
    for same_place in places.values():
        if len({secret.credentials() for secret in same_place}) > 1:
            names = " and ".join(sorted(secret.label for secret in same_place))
            report.problems.append(
                f"{names} give different credentials for the same place; "
                "every URL there is ambiguous: remove one or make it more specific"
            )
