"""The ``tentaclio-fs`` command: credentials-aware ls, cat, cp, rm, and the demo.

Errors are one line on stderr (a traceback only with ``--debug``), never with a secret.
Exit codes: 0 success, 1 failure, 2 usage error.
"""

from __future__ import annotations

import sys
from typing import Any

import click

__all__ = ["main"]


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


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Reach data behind credentials: URLs without secrets, secrets kept apart."""
    ctx.meta["tentaclio_debug"] = debug


@main.command()
@click.option("--rows", default=100_000, show_default=True, help="Rows of the CSV moved around.")
def demo(rows: int) -> None:
    """Move a CSV across loopback FTP, SFTP, S3 and HTTP servers, then into SQLite."""
    from .demo import run_demo

    run_demo(rows=rows, echo=click.echo)
