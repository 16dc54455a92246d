"""fsspec's own abstract test suites (copy, get, put, open, pipe, mv) run through ``tentaclio``."""

from __future__ import annotations

import os
import posixpath

import pytest
from fsspec.tests.abstract import AbstractFixtures
from fsspec.tests.abstract.copy import AbstractCopyTests
from fsspec.tests.abstract.get import AbstractGetTests
from fsspec.tests.abstract.open import AbstractOpenTests
from fsspec.tests.abstract.pipe import AbstractPipeTests
from fsspec.tests.abstract.put import AbstractPutTests

from tentaclio_fs.spec import TentaclioFileSystem


class TentaclioFixtures(AbstractFixtures):
    backend = ""

    @pytest.fixture
    def fs(self):
        return TentaclioFileSystem()

    @pytest.fixture
    def fs_join(self):
        return posixpath.join

    @pytest.fixture
    def fs_path(self, request):
        base = request.getfixturevalue(self.backend)
        return f"{base}/abstract-{os.urandom(4).hex()}"


class Suites(
    AbstractCopyTests,
    AbstractGetTests,
    AbstractPutTests,
    AbstractOpenTests,
    AbstractPipeTests,
):
    pass


class TestLocal(TentaclioFixtures, Suites):
    backend = "local"


class TestSFTP(TentaclioFixtures, Suites):
    backend = "sftp"


class TestS3(TentaclioFixtures, Suites):
    backend = "s3"

    @pytest.fixture
    def supports_empty_directories(self):
        return False
