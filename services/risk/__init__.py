"""Financing risk scores for banks: LightGBM PD models, bundles, scoring and the gRPC service."""
