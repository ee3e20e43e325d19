"""Fixtures for the cluster tests: a LocalCluster of two worker processes and a small data set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client

from services.scale.cluster import LOCAL, dask_client
from services.tradedata.generator import GeneratorConfig, generate
from services.tradedata.loading import TradeDataset, load_dataset


@pytest.fixture(scope="session")
def client() -> Iterator[Client]:
    with dask_client(LOCAL) as connected:
        yield connected


@pytest.fixture(scope="session")
def trade_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scale-trade")
    generate(GeneratorConfig(enterprises=300, months=12, seed=3), out)
    return out


@pytest.fixture(scope="session")
def trade(trade_dir: Path) -> TradeDataset:
    return load_dataset(trade_dir)
