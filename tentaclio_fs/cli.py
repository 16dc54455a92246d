"""The ``tentaclio-fs`` command: credentials-aware ls, cat, cp, rm, which, secrets, db, demo.

Errors are one line on stderr (a traceback only with ``--debug``), never with a secret.
Exit codes: 0 success, 1 failure, 2 usage error.
"""

from __future__ import annotations

import datetime
import os
import sys
from typing import Any

import click

from . import api
from .cli_copy import cp
from .cli_output import cell, naming_missing, shown, table
from .cli_secrets import secrets, which
from .spec import TentaclioFileSystem

__all__ = ["main"]

# Bytes per read of ``cat``: large enough for throughput, small enough to keep memory flat.
CAT_CHUNK = 2**20


class _Group(click.Group):
    """Turns every failure into one readable line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
            if ctx.meta.get("tentaclio_debug"):
                raise
            click.echo(f"tentaclio-fs: {type(error).__name__}: {error}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Reach data behind credentials: URLs without secrets, secrets kept apart.

    Credentials come from TENTACLIO__CONN__<NAME> variables (one URL each) and the YAML
    files named by TENTACLIO__SECRETS_FILE; `tentaclio-fs which URL` shows which one a URL uses.
    """
    ctx.meta["tentaclio_debug"] = debug


@main.command()
@click.argument("url")
@click.option("-l", "long_form", is_flag=True, help="Type, size and modified time of each entry.")
def ls(url: str, long_form: bool) -> None:
    """List a folder: one URL per entry, folders ending in /."""
    fs = TentaclioFileSystem()
    rows = []
    with naming_missing(url):
        entries = sorted(fs.ls(url, detail=True), key=_entry_name)
    for info in entries:
        is_dir = info.get("type") == "directory"
        name = shown(info["name"].rstrip("/")) + ("/" if is_dir else "")
        if not long_form:
            click.echo(name)
            continue
        size = None if is_dir else info.get("size")
        if size is None and not is_dir:
            size = fs.size(info["name"])  # an HTTP index page gives no sizes: ask each file
        rows.append(["dir" if is_dir else "file", size, _modified(info), name])
    for line in table(None, rows):
        click.echo(line)


def _entry_name(info: dict[str, Any]) -> str:
    return str(info["name"])


def _modified(info: dict[str, Any]) -> str:
    """The modified time under whichever key the backend uses (none for HTTP)."""
    for key in ("LastModified", "mtime", "modify", "last_modified"):
        if info.get(key) is not None:
            return _as_time(info[key])
    return ""


def _as_time(value: Any) -> str:
    """One format for every backend: epoch seconds (local), datetimes (SFTP, S3) and FTP's
    ``YYYYMMDDHHMMSS[.sss]`` (UTC, RFC 3659)."""
    if isinstance(value, int | float):
        value = datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    elif isinstance(value, str):
        try:
            value = datetime.datetime.strptime(value[:14], "%Y%m%d%H%M%S")
        except ValueError:
            return value  # a LIST-style date: shown as the server gave it
    return cell(value)


@main.command()
@click.argument("url")
def cat(url: str) -> None:
    """Write a file's bytes to stdout, streaming."""
    out = sys.stdout.buffer
    try:
        with naming_missing(url), api.open(url, "rb") as stream:
            while chunk := stream.read(CAT_CHUNK):
                out.write(chunk)
        out.flush()
    except BrokenPipeError:
        # The reader stopped (``| head``): not a failure. Point stdout at /dev/null so that
        # Python's own flush at exit does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())


@main.command()
@click.argument("url")
@click.option("-r", "--recursive", is_flag=True, help="Remove a folder and everything in it.")
def rm(url: str, recursive: bool) -> None:
    """Remove a file (a folder with -r)."""
    if not recursive and TentaclioFileSystem().isdir(url):
        raise IsADirectoryError(f"{shown(url)} is a folder: use rm -r to remove it")
    with naming_missing(url):
        api.remove(url, recursive=recursive)


@main.command()
@click.argument("url")
@click.argument("sql")
def db(url: str, sql: str) -> None:
    """Run SQL on the database at URL; print the rows as a table."""
    from .database import db as connect  # SQLAlchemy is imported only by this command

    with connect(url) as client:
        rows = client.query(sql)
    headers = list(rows[0]._fields) if rows else None
    for line in table(headers, [tuple(row) for row in rows]):
        click.echo(line)
    click.echo(f"({len(rows)} rows)")


@main.command()
@click.option("--rows", default=100_000, show_default=True, help="Rows of the CSV moved around.")
def demo(rows: int) -> None:
    """Run the main job on loopback FTP, SFTP, S3 and HTTP servers and SQLite."""
    from .demo import run_demo

    run_demo(rows=rows, echo=click.echo)


main.add_command(cp)
main.add_command(which)
main.add_command(secrets)
