"""One real risk, aml and finance server for the whole fuzz session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.finance.conftest import Stack, open_stack


@pytest.fixture(scope="session")
def services_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = open_stack(tmp_path_factory.mktemp("fuzz"))
    yield running
    running.close()
