"""tio.open and friends against real FTP, SFTP, S3 (moto) and local folders."""

from __future__ import annotations

import pytest

import tentaclio_fs as tio


def test_text_round_trip_with_encoding_and_newline(remote):
    # case 15: encoding stays in the text layer, locally and remotely
    url = f"{remote}/greeting.txt"
    with tio.open(url, "w", encoding="latin-1", newline="\r\n") as writer:
        writer.write("héllo\nwörld\n")
    with tio.open(url, "rb") as reader:
        assert reader.read() == "héllo\r\nwörld\r\n".encode("latin-1")
    with tio.open(url, encoding="latin-1") as reader:
        assert reader.read() == "héllo\nwörld\n"


def test_binary_round_trip(remote):
    payload = bytes(range(256)) * 1000
    with tio.open(f"{remote}/blob.bin", "wb") as writer:
        writer.write(payload)
    with tio.open(f"{remote}/blob.bin", "rb") as reader:
        assert reader.read() == payload


def test_text_writer_mode_says_text(remote):
    # case 19: pandas looks at f.mode to decide between text and bytes
    with tio.open(f"{remote}/m.txt", "w") as writer:
        assert writer.mode == "w"
        assert "b" not in writer.mode
    with tio.open(f"{remote}/m.txt", "rb") as reader:
        assert "b" in reader.mode


@pytest.mark.parametrize("existed", [True, False])
def test_an_exception_inside_with_leaves_the_target_as_it_was(remote, existed):
    # case 16
    url = f"{remote}/report.csv"
    if existed:
        with tio.open(url, "w") as writer:
            writer.write("old content\n")
    with pytest.raises(RuntimeError, match="boom"), tio.open(url, "w") as writer:
        writer.write("partial " * 100_000)
        raise RuntimeError("boom")
    if existed:
        with tio.open(url) as reader:
            assert reader.read() == "old content\n"
    else:
        assert not tio.exists(url)
    leftovers = [u for u in tio.listdir(remote) if ".part" in u] if tio.exists(remote) else []
    assert leftovers == []


def test_binary_exception_inside_with_leaves_no_file(remote):
    url = f"{remote}/data.bin"
    with pytest.raises(ValueError), tio.open(url, "wb") as writer:
        writer.write(b"x" * 10_000)
        raise ValueError("stop")
    assert not tio.exists(url)


def test_exclusive_create_refuses_an_existing_file(remote):
    url = f"{remote}/once.txt"
    with tio.open(url, "x") as writer:
        writer.write("first")
    with pytest.raises(FileExistsError):
        tio.open(url, "x")


def test_listing_walking_globbing_and_removing(remote):
    for name in ("a.csv", "b.csv", "sub/c.csv", "sub/d.txt"):
        with tio.open(f"{remote}/{name}", "w") as writer:
            writer.write(name)
    names = sorted(u.rstrip("/").rsplit("/", 1)[-1] for u in tio.listdir(remote))
    assert names == ["a.csv", "b.csv", "sub"]
    entries = {entry.name: entry for entry in tio.scandir(remote)}
    assert entries["a.csv"].is_file and entries["a.csv"].size == len("a.csv")
    assert entries["sub"].is_dir
    # every returned URL can be passed back
    with tio.open(entries["a.csv"].url) as reader:
        assert reader.read() == "a.csv"
    found = sorted(u.rsplit("/", 1)[-1] for u in tio.glob(f"{remote}/**/*.csv"))
    assert found == ["a.csv", "b.csv", "c.csv"]
    walked = {
        root.rstrip("/").rsplit("/", 1)[-1]: sorted(files) for root, _, files in tio.walk(remote)
    }
    assert walked[remote.rsplit("/", 1)[-1]] == ["a.csv", "b.csv"]
    assert walked["sub"] == ["c.csv", "d.txt"]
    tio.remove(f"{remote}/a.csv")
    assert not tio.exists(f"{remote}/a.csv")
    tio.remove(f"{remote}/sub", recursive=True)
    assert not tio.exists(f"{remote}/sub/c.csv")


@pytest.mark.parametrize("destination_kind", ["local", "ftp", "sftp", "s3"])
def test_copy_between_backends(request, remote, destination_kind):
    source = f"{remote}/source.bin"
    payload = b"0123456789" * 300_000
    with tio.open(source, "wb") as writer:
        writer.write(payload)
    destination_base = request.getfixturevalue(destination_kind)
    destination = f"{destination_base}/copies/{destination_kind}.bin"
    tio.copy(source, destination)
    with tio.open(destination, "rb") as reader:
        assert reader.read() == payload


def test_plain_paths_are_file_names_taken_literally(tmp_path):
    # case 12
    for name in ("a#b.txt", "a?b=1.txt", "a%20b.txt"):
        tio.open(str(tmp_path / name), "w").close()
        with tio.open(str(tmp_path / name), "w") as writer:
            writer.write(name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a#b.txt", "a%20b.txt", "a?b=1.txt"]
    assert tio.exists(str(tmp_path / "a#b.txt"))
    assert sorted(u.rsplit("/", 1)[-1] for u in tio.listdir(str(tmp_path))) == [
        "a#b.txt",
        "a%20b.txt",
        "a?b=1.txt",
    ]


def test_file_urls_are_percent_decoded(tmp_path):
    (tmp_path / "a b.txt").write_text("spaced")
    with tio.open(f"file://{tmp_path}/a%20b.txt") as reader:
        assert reader.read() == "spaced"


def test_compression_is_inferred_from_the_name(remote):
    with tio.open(f"{remote}/rows.csv.gz", "w") as writer:
        writer.write("a,b\n1,2\n")
    with tio.open(f"{remote}/rows.csv.gz", "rb", compression=None) as reader:
        assert reader.read(2) == b"\x1f\x8b"
    with tio.open(f"{remote}/rows.csv.gz") as reader:
        assert reader.read() == "a,b\n1,2\n"


def test_append_where_the_backend_can(tmp_path):
    url = str(tmp_path / "log.txt")
    for line in ("one\n", "two\n"):
        with tio.open(url, "a") as writer:
            writer.write(line)
    assert (tmp_path / "log.txt").read_text() == "one\ntwo\n"


@pytest.mark.parametrize("name", ["a#b.txt", "what?.txt"])
def test_remote_names_with_hash_and_question_mark(remote, name):
    with tio.open(f"{remote}/{name}", "w") as writer:
        writer.write(name)
    assert f"{remote}/{name}" in [u.rstrip("/") for u in tio.listdir(remote)]
    with tio.open(f"{remote}/{name}") as reader:
        assert reader.read() == name


def test_question_mark_is_a_glob_wildcard(remote):
    for name in ("file1", "fila1", "file22"):
        tio.open(f"{remote}/{name}", "w").close()
    assert sorted(u.rsplit("/", 1)[-1] for u in tio.glob(f"{remote}/fil?1")) == ["fila1", "file1"]


def test_copy_reports_progress_through_an_fsspec_callback(remote, sftp):
    from fsspec.callbacks import Callback

    payload = b"p" * (20 * 2**20 + 5)
    with tio.open(f"{remote}/progress.bin", "wb") as writer:
        writer.write(payload)
    seen = Callback()
    tio.copy(f"{remote}/progress.bin", f"{sftp}/progress-copy.bin", callback=seen)
    assert (seen.size, seen.value) == (len(payload), len(payload))
