"""Exporters (enterprises) and their overseas buyers, with the latent traits that drive them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .. import hs
from ..countries import COUNTRIES
from . import vocab
from .config import GeneratorConfig
from .ids import make_ids
from .streams import stream
from .timebase import DAY_US, Timebase

BUSINESS_MODELS = ("B2B", "B2C", "M2B", "M2C")
_MODEL_WEIGHTS = np.array([0.35, 0.30, 0.20, 0.15])
WHOLESALE = np.array([True, False, True, False])  # large B2B-style orders per business model
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])

PRODUCT_CODES = tuple(hs.HS_PRODUCTS)
PRODUCT_PRICE = np.array([p.price_usd for p in hs.HS_PRODUCTS.values()])
PRODUCT_KG = np.array([p.kg_per_unit for p in hs.HS_PRODUCTS.values()])
PRODUCT_UNIT = tuple(p.unit for p in hs.HS_PRODUCTS.values())
PRODUCT_CHAPTER = np.array([int(p.chapter) for p in hs.HS_PRODUCTS.values()])

BUYER_COUNTRIES = tuple(c for c in COUNTRIES if c != "CN")
_BUYER_COUNTRY_WEIGHT = {
    "US": 24,
    "GB": 7,
    "DE": 7,
    "FR": 5,
    "JP": 5,
    "CA": 4,
    "AU": 4,
    "KR": 3,
    "NL": 3,
    "IT": 3,
    "ES": 3,
    "MX": 3,
    "BR": 3,
    "SG": 2,
    "AE": 2,
    "SA": 2,
    "RU": 2,
    "PL": 2,
    "MY": 2,
    "TH": 2,
    "VN": 2,
    "ID": 2,
    "PH": 2,
    "IN": 2,
    "TR": 2,
}
COUNTRY_WEIGHTS = np.array([_BUYER_COUNTRY_WEIGHT.get(c, 0.6) for c in BUYER_COUNTRIES])
COUNTRY_CATEGORY = np.array([COUNTRIES[c].category for c in BUYER_COUNTRIES])


@dataclass(frozen=True, slots=True)
class Enterprises:
    """Enterprise table plus latent traits the rest of the generator reads."""

    frame: pl.DataFrame
    quality: np.ndarray  # persistent health component
    model: np.ndarray  # index into BUSINESS_MODELS
    products: np.ndarray  # (n, 3) product indexes the firm trades
    order_value_usd: np.ndarray  # typical order value
    order_rate: np.ndarray  # mean orders per month at neutral health
    dishonest: np.ndarray
    shell: np.ndarray
    active_from: np.ndarray  # first month with trade (shells start late)

    @property
    def n(self) -> int:
        return int(self.quality.shape[0])


@dataclass(slots=True)
class Buyers:
    """Buyer rows as arrays; each enterprise draws from its own contiguous pool. Typologies
    append extra buyers (listed parties, affiliates) after the pools."""

    names: pl.Series
    country: np.ndarray  # index into BUYER_COUNTRIES
    grade: np.ndarray  # 1..10, 0 = unknown
    pool_start: np.ndarray  # per enterprise
    pool_size: np.ndarray  # per enterprise

    @property
    def n(self) -> int:
        return int(self.country.shape[0])

    def append(self, names: pl.Series, country: np.ndarray, grade: np.ndarray) -> np.ndarray:
        """Add buyers and return their indexes."""
        first = self.n
        self.names = pl.concat([self.names, names.cast(pl.String)])
        self.country = np.concatenate([self.country, country])
        self.grade = np.concatenate([self.grade, grade.astype(np.int64)])
        return np.arange(first, self.n)

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "buyer_id": buyer_ids(self.n),
                "name": self.names,
                "country": vocab.pick(BUYER_COUNTRIES, self.country),
                "buyer_grade": pl.Series(self.grade).replace(0, None),
            }
        )


def buyer_ids(n: int) -> pl.Series:
    return make_ids("B", n, 7)


def buyer_accounts(index: np.ndarray) -> pl.Series:
    return make_ids("AC", index, 10)


def _uscc(rng: np.random.Generator, area: np.ndarray) -> pl.Series:
    n = area.shape[0]
    head = np.column_stack([np.full(n, 9), np.full(n, 1)])
    area_digits = np.array([[int(ch) for ch in code] for code in vocab.CN_AREA_CODES])[area]
    body = rng.integers(0, 31, size=(n, 9))
    values = np.column_stack([head, area_digits, body])
    check = (31 - (values * _USCC_WEIGHTS).sum(axis=1) % 31) % 31
    codes = np.column_stack([values, check])
    chars = np.array(list(_USCC_ALPHABET))[codes]
    return pl.Series(["".join(row) for row in chars.tolist()], dtype=pl.String())


def _products(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    chapters = np.unique(PRODUCT_CHAPTER)
    chapter = chapters[rng.integers(0, chapters.shape[0], n)]
    products = np.empty((n, 3), dtype=np.int64)
    for ch in chapters:  # loop over ~15 chapters, vectorised within each
        rows = np.flatnonzero(chapter == ch)
        candidates = np.flatnonzero(PRODUCT_CHAPTER == ch)
        products[rows] = candidates[rng.integers(0, candidates.shape[0], (rows.shape[0], 3))]
    return chapter, products


def _registration(
    rng: np.random.Generator,
    tb: Timebase,
    quality: np.ndarray,
    active_from: np.ndarray,
    shell: np.ndarray,
) -> np.ndarray:
    age_years = 1.0 + rng.gamma(2.0, 2.5, quality.shape[0]) * np.exp(0.2 * quality)
    registered = tb.start_us - (age_years * 365.25 * DAY_US).astype(np.int64)
    shell_reg = tb.month_start_us[active_from] - rng.integers(20, 90, quality.shape[0]) * DAY_US
    return np.where(shell, shell_reg, registered)


def _size(
    rng: np.random.Generator, quality: np.ndarray, shell: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Registered capital (CNY) and employees; shells are thin (10-100k CNY, 1-3 people)."""
    n = int(quality.shape[0])
    capital = np.round(np.exp(rng.normal(np.log(5e6) + 0.6 * quality, 0.9)), -4)
    capital = np.where(shell, np.round(rng.uniform(1e4, 1e5, n), -3), capital)
    employees = np.maximum(1, np.exp(rng.normal(np.log(40) + 0.3 * quality, 0.8))).astype(int)
    employees = np.where(shell, rng.integers(1, 4, n), employees)
    return capital.astype(np.float64), employees.astype(np.int64)


def _enterprise_names(rng: np.random.Generator, city: np.ndarray) -> pl.Series:
    n = int(city.shape[0])
    return vocab.company_names(
        [
            vocab.pick(vocab.CN_CITIES, city),
            vocab.pick(vocab.CN_WORDS, rng.integers(0, len(vocab.CN_WORDS), n)),
            vocab.pick(vocab.CN_WORDS, rng.integers(0, len(vocab.CN_WORDS), n)),
            vocab.pick(vocab.CN_TRADES, rng.integers(0, len(vocab.CN_TRADES), n)),
            pl.Series(["Co., Ltd."] * n),
        ]
    )


def make_enterprises(cfg: GeneratorConfig, tb: Timebase) -> Enterprises:
    rng = stream(cfg.seed, "enterprises")
    n = cfg.enterprises
    quality = rng.normal(0.0, 0.6, n)
    model = rng.choice(4, size=n, p=_MODEL_WEIGHTS)
    shell = np.zeros(n, dtype=bool)
    n_shell = int(round(cfg.typologies.shell_exporter * n))
    shell[rng.choice(n, size=n_shell, replace=False)] = True
    active_from = np.where(shell, tb.months - rng.integers(2, 4, n), 0)
    chapter, products = _products(rng, n)
    city = rng.choice(len(vocab.CN_CITIES), size=n, p=vocab.CITY_WEIGHTS / vocab.CITY_WEIGHTS.sum())
    credit_score = quality + rng.normal(0.0, 0.5, n)
    credit = np.where(credit_score > 0.9, 0, np.where(credit_score < -1.3, 2, 1))
    capital, employees = _size(rng, quality, shell)
    wholesale = WHOLESALE[model]
    value = np.exp(rng.normal(np.where(wholesale, np.log(9000), np.log(450)), 0.5))
    rate = cfg.orders_per_month * np.exp(rng.normal(-0.06, 0.35, n))
    rate = rate * np.where(wholesale, 0.75, 1.3)
    names = _enterprise_names(rng, city)
    registered = _registration(rng, tb, quality, active_from, shell)
    frame = pl.DataFrame(
        {
            "enterprise_id": make_ids("E", n, 6),
            "name": names,
            "uscc": _uscc(rng, city),
            "registered_at": pl.Series(registered).cast(pl.Datetime("us", "UTC")),
            "region": vocab.pick(vocab.CN_REGIONS, city),
            "industry_hs2": pl.Series(chapter).cast(pl.String).str.zfill(2),
            "business_model": vocab.pick(BUSINESS_MODELS, model),
            "registered_capital_cny": capital,
            "employees": employees,
            "customs_credit": vocab.pick(("ADVANCED", "GENERAL", "DISHONEST"), credit),
        }
    )
    return Enterprises(
        frame, quality, model, products, value, rate, credit == 2, shell, active_from
    )


def make_buyers(cfg: GeneratorConfig, ent: Enterprises) -> Buyers:
    rng = stream(cfg.seed, "buyers")
    base = cfg.buyers_per_enterprise * np.where(WHOLESALE[ent.model], 0.7, 1.6)
    size = np.maximum(2, rng.poisson(base))
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    total = int(size.sum())
    country = rng.choice(
        len(BUYER_COUNTRIES), size=total, p=COUNTRY_WEIGHTS / COUNTRY_WEIGHTS.sum()
    )
    grade = np.clip(
        np.round(3 + 0.6 * COUNTRY_CATEGORY[country] + rng.normal(0, 1.5, total)), 1, 10
    )
    grade = np.where(rng.random(total) < 0.1, 0, grade).astype(np.int64)
    return Buyers(buyer_names(rng, country), country, grade, start, size)


def buyer_names(rng: np.random.Generator, country: np.ndarray) -> pl.Series:
    n = int(country.shape[0])
    suffix = tuple(vocab.LEGAL_SUFFIX.get(c, "LLC") for c in BUYER_COUNTRIES)
    return vocab.company_names(
        [
            vocab.pick(vocab.BUYER_WORDS, rng.integers(0, len(vocab.BUYER_WORDS), n)),
            vocab.pick(vocab.BUYER_WORDS, rng.integers(0, len(vocab.BUYER_WORDS), n)),
            vocab.pick(vocab.BUYER_TRADES, rng.integers(0, len(vocab.BUYER_TRADES), n)),
            vocab.pick(suffix, country),
        ]
    )


def country_index(code: str) -> int:
    return BUYER_COUNTRIES.index(code)
