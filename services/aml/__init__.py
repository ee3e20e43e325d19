"""AML service: trade-based money-laundering detection, alerts and their review."""
