"""One normal form for the names of parties, shared by watchlist screening and related-party checks.

Payment messages, waybills and registries write one company many ways: abbreviated ("Intl Trdg
Co."), with or without its legal form ("GmbH", "Aktiengesellschaft"), in another script ("Иван
Петров"), in another word order. Names are transliterated with anyascii (permissive licence,
every script), trade abbreviations are expanded, legal forms and filler words dropped and the
tokens sorted, so those spellings meet in one key; the comparison is Jaro-Winkler, capped by a
token cover, which forgives typos and small transliteration variants but not another name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

# Abbreviations of trade words, expanded before comparison so "Intl Trdg" meets "International
# Trading" (dropping them would make "Golden Imp" and "Golden Exp" the same firm).
ABBREVIATIONS: dict[str, str] = {
    "imp": "import",
    "impt": "import",
    "exp": "export",
    "expt": "export",
    "intl": "international",
    "int'l": "international",
    "internat": "international",
    "mfg": "manufacturing",
    "mfr": "manufacturer",
    "mfrs": "manufacturers",
    "manuf": "manufacturing",
    "trdg": "trading",
    "trd": "trading",
    "hldg": "holding",
    "hldgs": "holdings",
    "grp": "group",
    "gen": "general",
    "genl": "general",
    "inds": "industries",
    "indus": "industries",
    "tech": "technology",
    "techn": "technology",
    "elec": "electronics",
    "electr": "electronics",
    "svc": "service",
    "svcs": "services",
    "serv": "services",
    "mgmt": "management",
    "dist": "distribution",
    "distr": "distribution",
    "bros": "brothers",
    "natl": "national",
    "assoc": "associates",
    "ent": "enterprise",
    "ents": "enterprises",
    "eng": "engineering",
    "engg": "engineering",
    "mach": "machinery",
    "chem": "chemical",
    "chems": "chemicals",
    "pharm": "pharmaceutical",
    "logist": "logistics",
    "hk": "hong kong",
    "intertrade": "international trading",
}

# Legal forms and filler words carry no identity; dropping them stops "X Ltd" vs "X Limited" from
# looking different and "A Co" vs "B Co" from looking alike. Multi-word forms are joined first.
LEGAL_PHRASES: tuple[tuple[str, str], ...] = (
    ("you xian gong si", "youxiangongsi"),
    ("you xian ze ren gong si", "youxiangongsi"),
    ("gu fen", "gufen"),
    ("sdn bhd", "sdnbhd"),
    ("kabushiki kaisha", "kk"),
    ("pvt ltd", "ltd"),
    ("private limited", "ltd"),
    ("public limited company", "plc"),
    ("limited liability company", "llc"),
    ("l l c", "llc"),
)
LEGAL_FORMS = frozenset(
    "ltd limited llc inc incorporated corp corporation co company cos plc gmbh mbh ag "
    "aktiengesellschaft sa sas sarl srl sl bv nv oy ab as aps spa pte pty jsc ojsc pjsc ooo zao "
    "kg kgaa lp llp fze fzco fzllc fzc sdnbhd bhd tbk kk youxiangongsi gongsi gufen ug se "
    "the and of de del la le et und".split()
)

# Han, kana and hangul transliterate one syllable per character; each becomes a word so "深圳市"
# compares as "shen zhen shi" whether or not the source put spaces between them.
_SYLLABIC = re.compile(r"([\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff])")
_NON_WORD = re.compile(r"[^a-z0-9' ]+")
# "Al-Noor", "Al Noor" and "Alnoor" are one name in transliterated Arabic.
_ARTICLE = re.compile(r"\b(al|el)[ -]+(?=[a-z])")


_DOTTED = re.compile(r"\b([a-z])\.(?=[a-z]\.)")
# The legal phrases as whole words, padded once.
_PHRASES = tuple((f" {phrase} ", f" {joined} ") for phrase, joined in LEGAL_PHRASES)


def _first_group(match: re.Match[str]) -> str:
    return match.group(1)


def _spaced_group(match: re.Match[str]) -> str:
    return f" {match.group(1)} "


def _tokens(name: str) -> list[str]:
    """Transliterated, lower-case word tokens, with dotted abbreviations joined ("G.m.b.H.").

    Each step is skipped where it cannot change the text (ASCII needs no transliteration, no
    dot no joining, no "l " or "l-" no article): most names are plain ASCII words."""
    if name.isascii():
        ascii_name = name
    else:
        ascii_name = anyascii(_SYLLABIC.sub(_spaced_group, name))
    text = ascii_name.lower().replace("&", " and ")
    if "." in text:
        text = _DOTTED.sub(_first_group, text).replace(".", " ")
    text = text.replace("/", " ")
    if "l " in text or "l-" in text:
        text = _ARTICLE.sub(_first_group, text)
    text = " " + " ".join(_NON_WORD.sub(" ", text).split()) + " "
    for phrase, joined in _PHRASES:
        if phrase in text:
            text = text.replace(phrase, joined)
    return [t.strip("'") for t in text.split() if t.strip("'")]


@lru_cache(maxsize=262_144)
def normalise_name(name: str) -> str:
    """Transliterate, expand trade abbreviations, drop legal forms and fillers, sort the tokens."""
    expanded = " ".join(ABBREVIATIONS.get(t, t) for t in _tokens(name)).split()
    kept = [t for t in expanded if t not in LEGAL_FORMS]
    if not kept:  # a name made only of legal-form words still has to compare with itself
        kept = expanded
    return " ".join(sorted(kept))


@lru_cache(maxsize=65_536)
def name_words(name: str) -> frozenset[str]:
    """The words of a raw name's normal form (remembered: every payment names its payer again)."""
    return frozenset(normalise_name(name).split())


def token_cover(a: str, b: str) -> float:
    """How well each normalised name's tokens find a close token in the other (the worse side).

    Jaro-Winkler over whole names rewards a shared prefix such as "export import"; requiring
    every token to be matched stops "Tahir Import Export" from matching "Unity Star Import and
    Export" while typos, transliterations and reordering still pass."""
    ta, tb = a.split(), b.split()
    if not ta or not tb:
        return 0.0

    def cover(xs: list[str], ys: list[str]) -> float:
        return sum(max(JaroWinkler.similarity(x, y) for y in ys) for x in xs) / len(xs)

    return min(cover(ta, tb), cover(tb, ta))


# Below this whole-name similarity a pair is no candidate and its score is left as it is; above
# it, the token cover must agree too.
COVER_FROM = 0.8


def key_similarity(a: str, b: str, jw: float | None = None) -> float:
    """Similarity of two normalised names: whole-name Jaro-Winkler, capped by the token cover
    once it is high enough to be a candidate match."""
    whole = float(JaroWinkler.similarity(a, b) if jw is None else jw)
    return whole if whole < COVER_FROM else min(whole, token_cover(a, b))


@lru_cache(maxsize=262_144)
def name_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two raw names, insensitive to script, case, abbreviation, legal form
    and token order."""
    return key_similarity(normalise_name(a), normalise_name(b))


def best_similarity(name: str, candidates: frozenset[str] | tuple[str, ...]) -> float:
    """The highest :func:`name_similarity` of `name` to any of `candidates` (0 when none)."""
    # A plain loop rather than max() over a generator: most hold a few names. Similarities are
    # never below 0, so starting from 0 changes nothing.
    best = 0.0
    for c in candidates:
        if c:
            score = name_similarity(name, c)
            if score > best:
                best = score
    return best
