"""``tentaclio-fs which`` and ``tentaclio-fs secrets``: what a person debugging credentials needs.

They show where each secret lives and what it is for, and never a password: URLs are printed
with the password masked, and a secret's options (which may hold a passphrase) are not printed.
"""

from __future__ import annotations

import click

from .cli_output import table
from .matching import (
    NearMiss,
    Secret,
    SecretIndex,
    authenticated_url,
    host_key,
    scheme_family,
)
from .secrets import default_store
from .secrets_check import check_secrets
from .urls import URL, WILDCARD_HOST

__all__ = ["secrets", "which"]


@click.command()
@click.argument("url")
@click.pass_context
def which(ctx: click.Context, url: str) -> None:
    """Which secret a URL would use, and why (or why none matches).

    Prints the secret's name and source, the rule that picked it, and the URL with the
    password hidden. Exit code 0 when a secret matches; 1 when none does, listing the near
    misses.
    """
    request = URL.parse(url)
    index = default_store().index()
    match = index.match(request)  # two secrets tied: AmbiguousSecretsError, one line, exit 1
    if match is None:
        click.echo(f"no secret matches {request}")
        for line in _near_miss_lines(index, request):
            click.echo(line)
        ctx.exit(1)
    secret = match.secret
    click.echo(f"secret: {secret.name}")
    click.echo(f"source: {secret.origin}")
    click.echo(f"rule:   {match.reason}")
    click.echo(f"url:    {authenticated_url(request, secret)}")


def _near_miss_lines(index: SecretIndex, request: URL) -> list[str]:
    """The secrets that almost matched, each with the rule that excluded it."""
    misses = index.near_misses(request) + _other_hosts(index, request)
    if not misses:
        return [f"no secret at all for {request.scheme}:// ({len(index)} secrets loaded)"]
    lines = ["near misses:"]
    lines += [f"  {miss.secret.label}: {miss.reason}" for miss in misses]
    return lines


def _other_hosts(index: SecretIndex, request: URL) -> list[NearMiss]:
    """Secrets of the same scheme on another host: a typo in the host shows up here."""
    if request.host == WILDCARD_HOST:
        return []
    family = scheme_family(request.scheme)
    return [
        NearMiss(secret, f"host {request.host} is not the secret's host {secret.url.host}")
        for secret in index.secrets
        if scheme_family(secret.url.scheme) == family
        and host_key(family, secret.url.host) != host_key(family, request.host)
    ]


@click.group(invoke_without_command=True)
@click.pass_context
def secrets(ctx: click.Context) -> None:
    """List every secret's name, source, scheme, host, port and path; never a password."""
    if ctx.invoked_subcommand is not None:
        return
    rows = [_row(secret) for secret in default_store().index().secrets]
    for line in table(["NAME", "SOURCE", "SCHEME", "HOST", "PORT", "PATH"], rows):
        click.echo(line)


def _row(secret: Secret) -> list[object]:
    url = secret.url
    return [secret.name, secret.origin, url.scheme, url.host, url.port, url.path]


@secrets.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate the environment and secrets files, reporting every problem at once.

    Exit code 1 when there is any problem.
    """
    report = check_secrets()
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    summary = f"{len(report.secrets)} secrets, {len(report.files)} secrets files"
    if report.problems:
        noun = "problem" if len(report.problems) == 1 else "problems"
        click.echo(f"{len(report.problems)} {noun}; {summary} read")
        ctx.exit(1)
    click.echo(f"ok: {summary}")
