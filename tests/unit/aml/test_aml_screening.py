"""Fuzzy name screening: variants match, different names do not."""

from __future__ import annotations

import pytest

from services.aml.domain import WatchlistEntry
from services.aml.screening import NameIndex, name_similarity, normalise_name, screen_party

ENTRIES = (
    WatchlistEntry(
        "WL1", "Ivanov General Trading LLC", "RU", "SANCTIONS", ("Иванов Генерал Трейдинг",)
    ),
    WatchlistEntry("WL2", "Golden Sun Import Export Co", "AE", "NEGATIVE_LIST"),
    WatchlistEntry("WL3", "Hamid Karimov", "UA", "SANCTIONS", ("Hameed Karimoff",)),
)


@pytest.mark.parametrize(
    ("variant", "entry"),
    [
        ("Ivanov General Trading LLC", "WL1"),  # exact
        ("IVANOV GENERAL TRADING, L.L.C.", "WL1"),  # case, punctuation, legal form
        ("Trading General Ivanov", "WL1"),  # token order
        ("Ivanow Generl Trading", "WL1"),  # typos
        ("ИВАНОВ ГЕНЕРАЛ ТРЕЙДИНГ ООО", "WL1"),  # Cyrillic, through the alias
        ("Sun Golden Import-Export Ltd", "WL2"),  # order + legal form + hyphen
        ("Karimov Hamid", "WL3"),  # person name reversed
        ("Hameed Karimof", "WL3"),  # transliteration variant of the alias
    ],
)
def test_variants_match_their_entry(variant: str, entry: str) -> None:
    matches = screen_party(variant, "", ENTRIES, threshold=0.9)
    assert matches and matches[0].entry_id == entry


@pytest.mark.parametrize(
    "other",
    ["Ivanova Textile Works", "Golden Moon Logistics", "Harbor Retail GmbH", "Omar Karimi"],
)
def test_different_names_do_not_match(other: str) -> None:
    assert screen_party(other, "", ENTRIES, threshold=0.9) == []


def test_shared_trade_words_alone_do_not_match() -> None:
    entries = [WatchlistEntry("WL9", "Tahir Import Export Ltd", "PK", "NEGATIVE_LIST")]
    assert screen_party("Suzhou Unity Star Import and Export Co., Ltd.", "", entries) == []
    assert screen_party("TAHIR IMPORT EXPOTR LTD", "", entries)


def test_country_filter_applies_only_when_asked() -> None:
    index = NameIndex(ENTRIES)
    assert index.search("Ivanov General Trading", "KZ", threshold=0.9)
    assert not index.search("Ivanov General Trading", "KZ", threshold=0.9, country_must_match=True)


def test_normalisation_is_order_and_script_insensitive() -> None:
    assert normalise_name("Trading Ivanov LLC") == normalise_name("ivanov trading")
    assert name_similarity("Иван Петров", "Ivan Petrov") == pytest.approx(1.0)
    assert name_similarity("Пётр Иванов", "Petr Ivanov") >= 0.9


def test_matches_are_ranked_and_limited() -> None:
    entries = (*ENTRIES, WatchlistEntry("WL4", "Ivanov General Trade", "RU", "NEGATIVE_LIST"))
    matches = screen_party("Ivanov General Trading", "", entries, threshold=0.85, limit=1)
    assert [m.entry_id for m in matches] == ["WL1"]


def test_best_scores_agree_with_single_lookups() -> None:
    index = NameIndex(ENTRIES)
    names = ["Trading General Ivanov", "Acme Widgets", "Karimov Hamid"]
    batch = index.best_scores(names)
    assert list(batch) == pytest.approx([index.best_score(n) for n in names], abs=1e-6)
    assert batch[0] > 0.99 and batch[1] < 0.8
