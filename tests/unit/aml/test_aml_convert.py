"""Evidence written into messages: the fast conversion of details agrees with protobuf's own."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.aml.api.convert import fill_evidence


class Colour(StrEnum):
    RED = "RED"


DETAILS: dict[str, Any] = {
    "amount_usd": 12345.5,
    "count": 3,
    "negative": -7,
    "flag": True,
    "off": False,
    "missing": None,
    "text": "ACME Ltd",
    "enum": Colour.RED,
    "nested": {"inner": [1, 2.5, "x", None, True, {"deep": []}], "empty": {}},
    "pair": ("a", 1),
    "empty_list": [],
}


def _as_library_writes_it(evidence: dict[str, Any]) -> aml_pb2.Evidence:
    message = aml_pb2.Evidence(summary=evidence["summary"])
    for d in evidence["documents"]:
        message.documents.add(document_type=d["document_type"], document_id=d["document_id"])
    message.details.SetInParent()
    message.details.update(
        {k: v for k, v in evidence.items() if k not in ("summary", "documents", "hits")}
    )
    return message


def test_details_are_written_as_struct_update_writes_them() -> None:
    evidence = {
        "summary": "paid, never shipped",
        "documents": [{"document_type": "ORDER", "document_id": "O1"}],
        "hits": [{"rule": "r"}],
        "details": DETAILS,
        **DETAILS,
    }
    message = aml_pb2.Evidence()
    fill_evidence(message, evidence)
    expected = _as_library_writes_it(evidence)
    assert message == expected
    assert message.SerializeToString(deterministic=True) == expected.SerializeToString(
        deterministic=True
    )


def test_evidence_without_details_has_an_empty_struct() -> None:
    message = aml_pb2.Evidence()
    fill_evidence(message, {"summary": "s"})
    assert message.HasField("details") and len(message.details.fields) == 0
    assert message == _as_library_writes_it({"summary": "s", "documents": []})
