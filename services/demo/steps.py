"""Preparation steps of the demo: data, features, models and tokens, each a visible step line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.commandline.errors import CommandError
from services.common.auth import Role
from services.common.private_files import write_private_text
from services.common.tokens import TokenStore

#: The demo's principals: one tenant per kind of user, plus the finance service's own identity.
DEMO_PRINCIPALS: dict[str, tuple[str, Role]] = {
    "bank": ("demo-bank", Role.BANK),
    "other-bank": ("demo-other-bank", Role.BANK),
    "insurer": ("demo-insurer", Role.INSURER),
    "regulator": ("demo-regulator", Role.REGULATOR),
    "admin": ("demo-admin", Role.ADMIN),
    "finance-service": ("tradeguard-finance", Role.SERVICE),
}


@dataclass(frozen=True)
class DemoPaths:
    """Where the demo keeps its files, all under one work directory."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def features(self) -> Path:
        return self.root / "features" / "features.parquet"

    @property
    def risk_models(self) -> Path:
        return self.root / "models" / "risk"

    @property
    def aml_models(self) -> Path:
        return self.root / "models" / "aml"

    @property
    def buyer_models(self) -> Path:
        return self.root / "models" / "buyers"

    @property
    def tokens_file(self) -> Path:
        return self.root / "tokens.json"

    @property
    def tokens_plain(self) -> Path:
        """Dev tokens in clear text, readable only by the owner; never do this in production."""
        return self.root / "dev-tokens.json"

    @property
    def aml_db(self) -> Path:
        return self.root / "aml.db"

    @property
    def finance_db(self) -> Path:
        return self.root / "finance.db"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


def step(title: str, argv: Sequence[str], log: Path) -> None:
    """Run one `tradeguard` command as a step, its output to `log`; fail loudly with the tail."""
    started = time.monotonic()
    print(f"==> {title} ...", flush=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        result = subprocess.run(
            [sys.executable, "-m", "services.cli", *argv], stdout=out, stderr=subprocess.STDOUT
        )
    if result.returncode != 0:
        last = (log.read_text().strip().splitlines() or ["(no output)"])[-1]
        raise CommandError(f"{title} failed: {last} (whole output in {log})")
    print(f"    done in {time.monotonic() - started:.1f} s (log: {log})", flush=True)


def extract_end(data: Path) -> str:
    """The day after the last order, or today when the extract runs past it: the feature
    table then sees the whole extract known so far (an as-of still to come is refused)."""
    import polars as pl

    last = (
        pl.scan_parquet(data / "orders.parquet").select(pl.col("ordered_at").max()).collect().item()
    )
    return str(min(last.date() + timedelta(days=1), datetime.now(UTC).date()).isoformat())


def prepare(paths: DemoPaths, enterprises: int, months: int, seed: int) -> None:
    """Generate trade data, compute features, train both models (skipping what exists)."""
    logs = paths.logs
    if not (paths.data / "orders.parquet").exists():
        step(
            f"generating trade data: {enterprises} exporters x {months} months (seed {seed})",
            [
                "generate",
                "--enterprises",
                str(enterprises),
                "--months",
                str(months),
                "--seed",
                str(seed),
                "--out",
                str(paths.data),
            ],
            logs / "generate.log",
        )
    if not paths.features.exists():
        paths.features.parent.mkdir(parents=True, exist_ok=True)
        step(
            "computing the enterprise feature table (polars)",
            [
                "features",
                "--data",
                str(paths.data),
                "--as-of",
                extract_end(paths.data),
                "--out",
                str(paths.features),
            ],
            logs / "features.log",
        )
    if (
        not any(paths.risk_models.glob("*/metadata.json"))
        and not (paths.risk_models / "metadata.json").exists()
    ):
        step(
            "training the risk model (LightGBM, out-of-time split, calibration)",
            ["train", "risk", "--data", str(paths.data), "--out", str(paths.risk_models)],
            logs / "train-risk.log",
        )
    promote_risk_model(paths)
    if not paths.aml_models.exists():
        step(
            "training the AML model (rules + LightGBM on typology labels)",
            ["train", "aml", "--data", str(paths.data), "--out", str(paths.aml_models)],
            logs / "train-aml.log",
        )
    if not paths.buyer_models.exists():
        step(
            "training the buyer default model (LightGBM on payment behaviour, out of time)",
            [
                "train",
                "buyers",
                "--data",
                str(paths.data),
                "--out",
                str(paths.buyer_models),
                "--horizon-days",
                "90",
            ],  # fmt: skip
            logs / "train-buyers.log",
        )


def promote_risk_model(paths: DemoPaths) -> None:
    """Promote the newest risk candidate through its gates unless a model already serves; the
    service serves only a promoted model, and a candidate that fails a gate stops the demo."""
    from services.risk.registry import NoPromotedModel, list_models, serving_version

    try:
        print(f"    risk model serving: {serving_version(paths.risk_models)}", flush=True)
        return
    except NoPromotedModel:
        pass
    newest = list_models(paths.risk_models)[0]
    step(
        f"promoting risk model {newest.version} (gates: targets, parity, challengers)",
        [
            "models",
            "promote",
            newest.version,
            "--models",
            str(paths.risk_models),
            "--approver",
            "demo-model-risk",
            "--reason",
            "demo: the candidate passed its training gates",
        ],
        paths.logs / "promote-risk.log",
    )
    print(f"    {newest.version} passed its gates and serves", flush=True)


def issue_tokens(paths: DemoPaths) -> dict[str, str]:
    """Fresh dev tokens for each demo principal: hashed in the tokens file, clear in a 0600 one."""
    paths.tokens_file.unlink(missing_ok=True)
    store = TokenStore(paths.tokens_file)
    tokens = {
        name: store.issue(tenant, role, label=f"demo {name}")[0]
        for name, (tenant, role) in DEMO_PRINCIPALS.items()
    }
    write_private_text(paths.tokens_plain, json.dumps(tokens, indent=2) + "\n")
    return tokens
