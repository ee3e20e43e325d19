"""Word stocks for synthetic names and the name variants used to disguise listed parties.

Listed (watchlist) names come from their own word stock, so a clean buyer never resembles a
listed party by accident; their disguised variants keep enough of the name for fuzzy screening.
"""

from __future__ import annotations

import numpy as np
import polars as pl

CN_CITIES = (
    "Shenzhen",
    "Guangzhou",
    "Dongguan",
    "Foshan",
    "Hangzhou",
    "Ningbo",
    "Yiwu",
    "Wenzhou",
    "Xiamen",
    "Quanzhou",
    "Fuzhou",
    "Suzhou",
    "Wuxi",
    "Shanghai",
    "Qingdao",
    "Zhengzhou",
    "Wuhan",
    "Chengdu",
    "Chongqing",
    "Haikou",
)
# Province of each city above (same order) and the 6-digit administrative code used in USCCs.
CN_REGIONS = (
    "Guangdong",
    "Guangdong",
    "Guangdong",
    "Guangdong",
    "Zhejiang",
    "Zhejiang",
    "Zhejiang",
    "Zhejiang",
    "Fujian",
    "Fujian",
    "Fujian",
    "Jiangsu",
    "Jiangsu",
    "Shanghai",
    "Shandong",
    "Henan",
    "Hubei",
    "Sichuan",
    "Chongqing",
    "Hainan",
)
CN_AREA_CODES = (
    "440300",
    "440100",
    "441900",
    "440600",
    "330100",
    "330200",
    "330782",
    "330300",
    "350200",
    "350500",
    "350100",
    "320500",
    "320200",
    "310000",
    "370200",
    "410100",
    "420100",
    "510100",
    "500000",
    "460100",
)
CITY_WEIGHTS = np.array(
    [14, 9, 7, 5, 9, 6, 6, 3, 4, 3, 2, 5, 3, 6, 4, 3, 3, 3, 3, 2], dtype=np.float64
)

CN_WORDS = (
    "Bright",
    "Golden",
    "Star",
    "Ocean",
    "Harmony",
    "Rising",
    "Prosper",
    "Evergreen",
    "Jade",
    "Dragon",
    "Phoenix",
    "Sunway",
    "Greatwall",
    "Unity",
    "Brilliant",
    "Fortune",
    "Tianhe",
    "Hengda",
    "Xinyuan",
    "Huamei",
    "Kaida",
    "Lianfa",
    "Ruixin",
    "Baolong",
    "Jinfeng",
)
CN_TRADES = (
    "Trading",
    "Import and Export",
    "Technology",
    "Electronics",
    "Industrial",
    "Supply Chain",
    "E-commerce",
    "Manufacturing",
    "Commerce",
    "Garments",
)

BUYER_WORDS = (
    "North",
    "Blue",
    "Summit",
    "Harbor",
    "Prime",
    "Urban",
    "Maple",
    "Silver",
    "Pioneer",
    "Crest",
    "Atlas",
    "Orbit",
    "Cedar",
    "Vertex",
    "Nova",
    "Beacon",
    "Meadow",
    "Granite",
    "Sterling",
    "Bay",
    "Willow",
    "Falcon",
    "Riverside",
    "Lumen",
    "Oak",
    "Coastal",
    "Apex",
    "Horizon",
    "Keystone",
    "Pacific",
)
BUYER_TRADES = (
    "Retail",
    "Distribution",
    "Goods",
    "Supplies",
    "Imports",
    "Wholesale",
    "Trading",
    "Brands",
    "Outlet",
    "Direct",
    "Merchandise",
    "Commerce",
)
LEGAL_SUFFIX = {
    "US": "Inc.",
    "CA": "Ltd.",
    "GB": "Ltd",
    "IE": "Ltd",
    "AU": "Pty Ltd",
    "NZ": "Ltd",
    "DE": "GmbH",
    "AT": "GmbH",
    "CH": "AG",
    "FR": "SARL",
    "IT": "S.r.l.",
    "ES": "S.L.",
    "PT": "Lda",
    "NL": "B.V.",
    "BE": "BV",
    "SE": "AB",
    "DK": "ApS",
    "NO": "AS",
    "FI": "Oy",
    "PL": "Sp. z o.o.",
    "CZ": "s.r.o.",
    "JP": "K.K.",
    "KR": "Co., Ltd.",
    "SG": "Pte Ltd",
    "MY": "Sdn Bhd",
    "ID": "PT",
    "BR": "Ltda",
    "MX": "S.A. de C.V.",
    "AE": "FZE",
    "HK": "Limited",
    "RU": "OOO",
    "TR": "A.S.",
}

PAYER_WORDS = (
    "Meridian",
    "Solace",
    "Quantum",
    "Trident",
    "Zenith",
    "Onyx",
    "Paragon",
    "Stratus",
    "Helios",
    "Vantage",
    "Corvus",
    "Aegis",
    "Nimbus",
    "Tessera",
    "Argent",
    "Obsidian",
)
PAYER_TRADES = ("Consulting", "Holdings", "Capital", "Services", "Ventures", "Management")

LISTED_FIRST = (
    "Aleksandr",
    "Dmitri",
    "Mohammed",
    "Yusuf",
    "Sergei",
    "Viktor",
    "Rustam",
    "Farid",
    "Khalid",
    "Nikolai",
    "Timur",
    "Anatoly",
    "Omar",
    "Bakhtiyar",
    "Grigory",
    "Hamid",
)
LISTED_LAST = (
    "Volkov",
    "Karimov",
    "Al-Rashidi",
    "Petrenko",
    "Nazarov",
    "Kuznetsov",
    "Haddad",
    "Sokolov",
    "Yusupov",
    "Abramovich",
    "Tahir",
    "Zakharov",
    "Mirzaev",
    "Belov",
    "Rahimi",
    "Orlov",
)
LISTED_TRADES = ("General Trading", "Logistics", "Shipping", "Import Export", "Commodities")
LISTED_SUFFIX = ("LLC", "FZE", "Ltd", "Group", "Holding")

# Transliteration pairs seen in screening practice (Cyrillic/Arabic romanisations).
_TRANSLITERATIONS = (
    ("Mohammed", "Muhammad"),
    ("Aleksandr", "Alexander"),
    ("Dmitri", "Dmitriy"),
    ("Sergei", "Sergey"),
    ("Yusuf", "Youssef"),
    ("Nikolai", "Nikolay"),
    ("Grigory", "Grigoriy"),
    ("Khalid", "Khaled"),
    ("Volkov", "Wolkow"),
    ("Yusupov", "Jusupov"),
    ("Zakharov", "Sacharow"),
    ("Kuznetsov", "Kuznetzov"),
    ("Al-Rashidi", "El Rashidy"),
    ("Haddad", "Hadad"),
    ("Karimov", "Karimoff"),
    ("Sokolov", "Sokoloff"),
    ("Orlov", "Orloff"),
    ("Belov", "Byelov"),
    ("Petrenko", "Petrenco"),
    ("Nazarov", "Nasarov"),
    ("Mirzaev", "Mirzayev"),
    ("Rahimi", "Rakhimi"),
    ("Tahir", "Taher"),
    ("Abramovich", "Abramovic"),
    ("Timur", "Temur"),
    ("Anatoly", "Anatoliy"),
    ("Omar", "Umar"),
    ("Farid", "Fareed"),
    ("Rustam", "Rostam"),
    ("Viktor", "Victor"),
    ("Hamid", "Hameed"),
    ("Bakhtiyar", "Bakhtiar"),
)
VARIANT_KINDS = ("TRANSLITERATION", "TYPO", "WORD_ORDER")


def pick(values: tuple[str, ...], codes: np.ndarray) -> pl.Series:
    """Vectorised lookup of ``values[codes]`` as a polars string series."""
    return pl.Series(values, dtype=pl.String()).gather(codes)


def company_names(parts: list[pl.Series]) -> pl.Series:
    """Join name parts with spaces, vectorised."""
    frame = pl.DataFrame({f"p{i}": p for i, p in enumerate(parts)})
    return frame.select(pl.concat_str(pl.all(), separator=" ")).to_series()


def transliterate(name: str, rng: np.random.Generator) -> str:
    options = [(a, b) for a, b in _TRANSLITERATIONS if a in name]
    if not options:
        return typo(name, rng)
    for a, b in options:
        name = name.replace(a, b)
    return name


def typo(name: str, rng: np.random.Generator) -> str:
    """Drop, double or swap one letter inside a word (never the first letter of the name)."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha() and i > 0]
    i = int(rng.choice(letters))
    action = int(rng.integers(3))
    if action == 0:
        return name[:i] + name[i + 1 :]
    if action == 1:
        return name[:i] + name[i] + name[i:]
    j = i + 1 if i + 1 < len(name) and name[i + 1].isalpha() else i - 1
    chars = list(name)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def reorder(name: str, rng: np.random.Generator) -> str:
    """Move the first word to the end (e.g. person names written family-name first)."""
    words = name.split()
    if len(words) < 2:
        return typo(name, rng)
    k = 1 + int(rng.integers(len(words) - 1))
    return " ".join(words[k:] + words[:k])


def variant(name: str, kind: str, rng: np.random.Generator) -> str:
    if kind == "TRANSLITERATION":
        return transliterate(name, rng)
    if kind == "TYPO":
        return typo(name, rng)
    return reorder(name, rng)
