"""Fixtures for the scale tests: a small generated trade data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.tradedata.generator import GeneratorConfig, generate
from services.tradedata.loading import TradeDataset, load_dataset


@pytest.fixture(scope="session")
def trade_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scale-trade")
    generate(GeneratorConfig(enterprises=300, months=12, seed=11), out)
    return out


@pytest.fixture(scope="session")
def trade(trade_dir: Path) -> TradeDataset:
    return load_dataset(trade_dir)
