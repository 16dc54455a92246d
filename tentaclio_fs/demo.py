"""The main job on embedded defaults: a CSV moved across FTP, SFTP, S3 and HTTP servers.

Everything runs on loopback: the servers start in this process with generated credentials,
written to a temporary secrets file (mode 600) that ``TENTACLIO__SECRETS_FILE`` names. Every URL
the job uses is free of secrets, as in production.
"""

from __future__ import annotations

import contextlib
import os
import secrets as random_secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

__all__ = ["run_demo"]

BUCKET = "demo-bucket"


def _password() -> str:
    # Reserved characters on purpose: the demo shows they need no escaping anywhere.
    return random_secrets.token_urlsafe(12) + "@:/#%+ "


@contextlib.contextmanager
def _servers(root: Path) -> Iterator[dict[str, Any]]:
    from tentaclio_fs.testing import FTPServer, HTTPServer, S3Server, SFTPServer

    user = "demo"
    folders = {name: root / name for name in ("ftp", "sftp", "http")}
    for folder in folders.values():
        folder.mkdir()
    passwords = {name: _password() for name in ("ftp", "sftp", "s3", "http")}
    with contextlib.ExitStack() as stack:
        ftp = stack.enter_context(FTPServer(folders["ftp"], user, passwords["ftp"]))
        sftp = stack.enter_context(SFTPServer(folders["sftp"], user, passwords["sftp"]))
        s3 = stack.enter_context(S3Server())
        http = stack.enter_context(HTTPServer(folders["http"], user, passwords["http"]))
        s3.create_bucket(BUCKET)
        known_hosts = sftp.write_known_hosts(root / "known_hosts")
        secrets = {
            "demo_ftp": {
                "url": f"ftp://127.0.0.1:{ftp.port}/",
                "username": user,
                "password": passwords["ftp"],
            },
            "demo_sftp": {
                "url": f"sftp://127.0.0.1:{sftp.port}/",
                "username": user,
                "password": passwords["sftp"],
                "options": {"known_hosts": str(known_hosts)},
            },
            "demo_s3": {
                "url": f"s3://{BUCKET}/",
                "username": "demo-key",
                "password": passwords["s3"],
                "options": {"endpoint_url": s3.endpoint_url},
            },
            "demo_http": {
                "url": f"http://127.0.0.1:{http.port}/",
                "username": user,
                "password": passwords["http"],
            },
        }
        yield {
            "secrets": secrets,
            "urls": {
                "ftp": f"ftp://127.0.0.1:{ftp.port}",
                "sftp": f"sftp://127.0.0.1:{sftp.port}",
                "s3": f"s3://{BUCKET}",
                "http": f"http://127.0.0.1:{http.port}",
            },
            "http_root": folders["http"],
        }


def _write_secrets_file(path: Path, secrets: dict[str, Any]) -> None:
    path.touch(mode=0o600)
    path.write_text(yaml.safe_dump({"secrets": secrets}))


def run_demo(rows: int = 100_000, echo: Callable[[str], None] = print) -> dict[str, float]:
    """Run the job, print each step with its time, and return the times (seconds)."""
    import pandas as pd

    timings: dict[str, float] = {}

    def step(label: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = action()
        timings[label] = time.perf_counter() - started
        echo(f"  {timings[label]:7.3f} s  {label}")
        return result

    with tempfile.TemporaryDirectory(prefix="tentaclio-demo-") as workdir:
        root = Path(workdir)
        previous = os.environ.get("TENTACLIO__SECRETS_FILE")
        with _servers(root) as servers:
            secrets_file = root / "secrets.yml"
            _write_secrets_file(secrets_file, servers["secrets"])
            os.environ["TENTACLIO__SECRETS_FILE"] = str(secrets_file)
            try:
                urls = servers["urls"]
                echo(f"Loopback servers up; credentials generated into {secrets_file} (mode 600).")
                echo("Every URL below carries no secret:")
                frame = pd.DataFrame(
                    {
                        "id": range(rows),
                        "region": [("north", "south", "east", "west")[i % 4] for i in range(rows)],
                        "kwh": [round((i * 7919) % 1000 / 10, 1) for i in range(rows)],
                    }
                )
                local = root / "readings.csv"
                step(
                    f"write {rows:,} rows to {local.name} with pandas",
                    lambda: frame.to_csv(local, index=False),
                )
                hops = [
                    (str(local), f"{urls['ftp']}/in/readings.csv"),
                    (f"{urls['ftp']}/in/readings.csv", f"{urls['sftp']}/landing/readings.csv"),
                    (f"{urls['sftp']}/landing/readings.csv", f"{urls['s3']}/lake/readings.csv"),
                    (f"{urls['s3']}/lake/readings.csv", str(servers["http_root"] / "readings.csv")),
                ]
                for source, destination in hops:
                    step(f"tio.copy {source} -> {destination}", _copier(source, destination))
                http_url = f"{urls['http']}/readings.csv"
                read = step(
                    f"pandas.read_csv('tentaclio::{http_url}')",
                    lambda: pd.read_csv(f"tentaclio::{http_url}"),
                )
                if not read.equals(frame):
                    raise AssertionError("the rows read back differ from the rows written")
                echo(f"  checked: {len(read):,} rows read back over HTTP equal the rows written")
                _load_into_sqlite(root, read, step, echo)
            finally:
                if previous is None:
                    os.environ.pop("TENTACLIO__SECRETS_FILE", None)
                else:
                    os.environ["TENTACLIO__SECRETS_FILE"] = previous
    echo(f"Done in {sum(timings.values()):.2f} s.")
    return timings


def _copier(source: str, destination: str) -> Callable[[], None]:
    import tentaclio_fs as tio

    return lambda: tio.copy(source, destination)


def _load_into_sqlite(
    root: Path,
    frame: Any,
    step: Callable[[str, Callable[[], Any]], Any],
    echo: Callable[[str], None],
) -> None:
    import tentaclio_fs as tio

    url = f"sqlite:///{root / 'demo.db'}"
    with tio.db(url) as client:
        step(
            f"tio.db('{url}').dump_df(readings)",
            lambda: client.dump_df(frame, "readings", if_exists="replace"),
        )
        rows = step(
            "summary query",
            lambda: client.query(
                "select region, count(*) as readings, round(avg(kwh), 2) as mean_kwh "
                "from readings group by region order by region"
            ),
        )
    echo("  region  readings  mean_kwh")
    for region, count, mean in rows:
        echo(f"  {region:<6}  {count:>8,}  {mean:>8}")
