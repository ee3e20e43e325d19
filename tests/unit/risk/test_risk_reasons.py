import math

import numpy as np
import pytest

from services.risk.features import CATEGORICAL, FeatureSpec
from services.risk.reasons import OTHER_FEATURES, format_value, sentence, top_reasons


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        ("fraction", 0.234, "23%"),
        ("share", 0.05, "5%"),
        ("USD", 1_234_567.0, "USD 1.2M"),
        ("CNY", 5_000.0, "CNY 5.0k"),
        ("days", 12.5, "12.5 days"),
        ("orders", 40.0, "40 orders"),
        ("index 0-1", 0.4567, "0.46"),
        ("log ratio", -0.25, "-0.25"),
    ],
)
def test_values_are_worded_by_unit(unit: str, value: float, text: str) -> None:
    assert format_value(FeatureSpec("f", "f", unit), value, ()) == text


def test_categorical_and_missing_values() -> None:
    spec = FeatureSpec("c", "Customs credit class", "class", kind=CATEGORICAL)
    assert format_value(spec, 1.0, ["ADVANCED", "DISHONEST"]) == "DISHONEST"
    assert format_value(spec, math.nan, ["ADVANCED"]) == "not available"


def test_sentence_names_feature_value_and_direction() -> None:
    spec = FeatureSpec("overdue", "Overdue share of buyer payments over 6 months", "fraction")
    assert sentence(spec, 0.23, 0.4, ()) == (
        "Overdue share of buyer payments over 6 months: 23%, raises risk"
    )
    assert sentence(spec, 0.0, -0.1, ()).endswith("lowers risk")


def test_top_reasons_keep_the_exact_total() -> None:
    specs = [FeatureSpec(f"f{i}", f"feature {i}", "days") for i in range(8)]
    contrib = np.array([0.5, -0.9, 0.1, 0.0, 0.05, -0.02, 0.3, 0.01])
    reasons = top_reasons(contrib, np.arange(8.0), specs, {}, count=3)
    assert [r.feature for r in reasons] == ["f1", "f0", "f6", OTHER_FEATURES]
    assert sum(r.contribution for r in reasons) == pytest.approx(contrib.sum())
    assert reasons[-1].message.startswith("4 other factors")
