"""JSON log lines carry extra fields and exception traces."""

from __future__ import annotations

import io
import json
import logging

from services.common.logging import JsonFormatter, configure_logging, get_logger


def test_json_formatter_puts_extras_at_top_level() -> None:
    record = logging.LogRecord("services.risk", logging.INFO, __file__, 1, "scored", None, None)
    record.request_id = "r-1"
    line = json.loads(JsonFormatter().format(record))
    assert (line["msg"], line["level"], line["logger"]) == ("scored", "INFO", "services.risk")
    assert line["request_id"] == "r-1"


def test_configure_logging_writes_json_lines_with_traces() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream)
    logger = get_logger("testing")
    logger.debug("hidden")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed", extra={"code": "INTERNAL"})
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 1
    assert lines[0]["code"] == "INTERNAL" and "ValueError: boom" in lines[0]["exc"]
    logging.getLogger("services").handlers.clear()
    logging.getLogger("services").propagate = True
