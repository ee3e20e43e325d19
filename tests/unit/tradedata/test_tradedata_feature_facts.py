"""Order facts: the hashed order key gives the same facts as the string key, and request
points for enterprises without orders get empty-activity features."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from polars.testing import assert_frame_equal

from services.tradedata.features import compute_features_at
from services.tradedata.features.facts import (
    KEY,
    collect_order_facts,
    hashed_key,
    order_facts,
    string_key,
)
from services.tradedata.generator import GeneratedData
from services.tradedata.loading import dataset_from_frames

Tables = dict[str, pl.DataFrame]
SORT = ["enterprise_id", "ordered_at", "amount_usd", "buyer_id"]


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    # Categorical columns as text, so frames from both keys compare and sort alike.
    texts = [n for n, t in frame.schema.items() if isinstance(t, pl.Categorical)]
    return frame.with_columns(pl.col(texts).cast(pl.String)).sort(SORT)


def test_hashed_and_string_keys_give_the_same_facts(small_data: GeneratedData) -> None:
    ds = dataset_from_frames(small_data.tables, validate=False)
    hashed = order_facts(ds, hashed_key()).collect().drop(KEY)
    by_string = order_facts(ds, string_key()).collect().drop(KEY)
    assert hashed.height == small_data.tables["orders"].height
    assert hashed.get_column("settled_at").null_count() < hashed.height  # payments matched
    assert hashed.get_column("docs_agree").any()  # documents matched
    assert_frame_equal(_plain(hashed), _plain(by_string))
    assert_frame_equal(_plain(collect_order_facts(ds)), _plain(by_string))


def test_point_for_an_enterprise_without_orders(tiny: Tables) -> None:
    ds = dataset_from_frames(tiny)
    as_of = datetime(2024, 7, 1, tzinfo=UTC)
    points = pl.DataFrame({"enterprise_id": ["E1", "E404"], "as_of": [as_of, as_of]})
    rows = {r["enterprise_id"]: r for r in compute_features_at(ds, points).collect().to_dicts()}
    assert rows["E1"]["orders_12m"] == 4
    assert (rows["E404"]["orders_12m"], rows["E404"]["volume_12m_usd"]) == (0, 0)
    assert rows["E404"]["payment_delay_p90_days_12m"] is None
