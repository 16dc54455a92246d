"""The ``tentaclio::`` protocol through fsspec, pandas and Dask, on real servers."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import fsspec
import pandas as pd
import pytest

import tentaclio_fs as tio
from tentaclio_fs.spec import TentaclioFileSystem


def frame(rows: int = 1000) -> pd.DataFrame:
    return pd.DataFrame({"id": range(rows), "name": [f"row-{i}" for i in range(rows)]})


def test_registered_by_entry_point_in_a_fresh_interpreter(sftp):
    # No import of tentaclio_fs: fsspec finds it through the fsspec.specs entry point.
    script = textwrap.dedent(
        f"""
        import fsspec
        with fsspec.open("tentaclio::{sftp}/fresh.txt", "w") as f:
            f.write("hello")
        with fsspec.open("tentaclio::{sftp}/fresh.txt", "r") as f:
            print(f.read())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "hello"


def test_main_job_pandas_from_sftp_to_s3_with_secrets_only_in_the_file(sftp, s3):
    df = frame()
    df.to_csv(f"tentaclio::{sftp}/data.csv", index=False)
    read = pd.read_csv(f"tentaclio::{sftp}/data.csv")
    read.to_csv(f"tentaclio::{s3}/out.csv", index=False)
    pd.testing.assert_frame_equal(pd.read_csv(f"tentaclio::{s3}/out.csv"), df)


@pytest.mark.parametrize("backend", ["ftp", "sftp", "s3", "local"])
def test_pandas_writes_text_through_a_tio_file(request, backend):
    # case 19: to_csv on an open text writer writes text
    base = request.getfixturevalue(backend)
    df = frame(10)
    with tio.open(f"{base}/via-handle.csv", "w") as writer:
        df.to_csv(writer, index=False)
    with tio.open(f"{base}/via-handle.csv") as reader:
        pd.testing.assert_frame_equal(pd.read_csv(reader), df)


def test_url_to_fs_and_open_files(s3):
    for i in range(3):
        with tio.open(f"{s3}/many/part-{i}.csv", "w") as writer:
            writer.write(f"n\n{i}\n")
    fs, path = fsspec.core.url_to_fs(f"tentaclio::{s3}/many/part-0.csv")
    assert isinstance(fs, TentaclioFileSystem)
    assert path
    assert fs.cat_file(path) == b"n\n0\n"
    files = fsspec.open_files(f"tentaclio::{s3}/many/*.csv", "rt")
    assert sorted(f.open().read() for f in files) == ["n\n0\n", "n\n1\n", "n\n2\n"]
    assert files[0].full_name.startswith("tentaclio::s3://")


def test_chained_listing_returns_urls_that_work_again(sftp):
    with fsspec.open(f"tentaclio::{sftp}/listed/a.txt", "w") as writer:
        writer.write("a")
    fs, path = fsspec.core.url_to_fs(f"tentaclio::{sftp}/listed")
    names = fs.ls(path, detail=False)
    assert names == [f"{sftp}/listed/a.txt"]
    with fsspec.open("tentaclio::" + names[0]) as reader:
        assert reader.read() == b"a"


def test_fsspec_calls_put_get_pipe_cat_mkdir(sftp, tmp_path):
    fs = fsspec.filesystem("tentaclio")
    local = tmp_path / "up.txt"
    local.write_text("uploaded")
    fs.mkdir(f"{sftp}/calls")
    fs.put(str(local), f"{sftp}/calls/up.txt")
    fs.get(f"{sftp}/calls/up.txt", str(tmp_path / "down.txt"))
    assert (tmp_path / "down.txt").read_text() == "uploaded"
    fs.pipe(f"{sftp}/calls/piped.bin", b"piped")
    assert fs.cat(f"{sftp}/calls/piped.bin") == b"piped"
    assert fs.info(f"{sftp}/calls/piped.bin")["size"] == 5
    assert sorted(fs.find(f"{sftp}/calls")) == [f"{sftp}/calls/piped.bin", f"{sftp}/calls/up.txt"]
    fs.copy(f"{sftp}/calls/piped.bin", f"{sftp}/calls/copied.bin")
    assert fs.cat(f"{sftp}/calls/copied.bin") == b"piped"


def test_pickled_filesystem_carries_no_secret_and_resolves_again(sftp, canary_forms):
    fs, _ = fsspec.core.url_to_fs(f"tentaclio::{sftp}/data.csv")
    fs.ls("/")  # the backend now exists, with credentials, inside this process
    blob = pickle.dumps(fs)
    for form in canary_forms:
        assert form.encode() not in blob
    clone = pickle.loads(blob)
    assert clone.exists("/") is True


def test_inline_password_stays_out_of_the_pickle(ftp_server, canary_forms):
    from urllib.parse import quote

    from tentaclio_fs.testing import CANARY_PASSWORD, CANARY_USER

    inline = f"ftp://{CANARY_USER}:{quote(CANARY_PASSWORD, safe='')}@127.0.0.1:{ftp_server.port}"
    fs, path = fsspec.core.url_to_fs(f"tentaclio::{inline}/")
    assert fs.ls(path, detail=False) is not None  # the inline credentials log in
    blob = pickle.dumps(fs)
    for form in canary_forms:
        assert form.encode() not in blob


def test_dask_reads_on_worker_processes(s3):
    dd = pytest.importorskip("dask.dataframe")
    for i in range(3):
        frame(100).assign(part=i).to_csv(f"tentaclio::{s3}/dask/part-{i}.csv", index=False)
    df = dd.read_csv(f"tentaclio::{s3}/dask/*.csv")
    result = df.compute(scheduler="processes", num_workers=2)
    assert len(result) == 300
    assert sorted(result["part"].unique()) == [0, 1, 2]


def test_pandas_retry_with_unknown_kwargs_is_accepted(http, http_server):
    (http_server.root / "kw.csv").write_text("a\n1\n")
    df = pd.read_csv(f"tentaclio::{http}/kw.csv", storage_options={"anon": True})
    assert df["a"].tolist() == [1]
