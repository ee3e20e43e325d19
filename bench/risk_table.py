"""Loading a large feature table into the risk service: time and peak memory.

    python bench/risk_table.py [--rows 1000000] [--quick]

Builds a table of `--rows` enterprises by resampling the bench model's feature table (new ids,
the same feature distribution), writes it as Parquet, then, in a fresh process, builds the
scoring snapshot the service would swap in (read, encode, PSI bins, id index) and scores one
request. Reports seconds and peak RSS of that process, with the machine load. Targets: 1M rows
in <= 30 s and <= 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = ROOT / "var/bench/risk"
LOAD = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from services.risk import model as model_io
from services.risk.domain import FinancingRequest, Product
from services.risk.feature_table import read_feature_table
from services.risk.psi import PsiMonitor
from services.risk.scoring import ScoringSnapshot
imported = time.perf_counter()
bundle = model_io.load(model_io.latest_bundle_dir(Path(sys.argv[1])))
table = read_feature_table(Path(sys.argv[2]))
snapshot = ScoringSnapshot(
    bundle, table, bundle.metadata.policy, {"USD": 1.0}, PsiMonitor(bundle.metadata.references)
)
loaded = time.perf_counter()
request = FinancingRequest("b", sys.argv[3], Product.ORDER_FINANCING, 1000.0, "USD", 90)
snapshot.score(request)
print(json.dumps({
    "load_seconds": loaded - imported,
    "import_seconds": imported - t0,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rows": snapshot.enterprise_count,
}))
"""


def build_table(rows: int, out: Path) -> str:
    """`rows` enterprises resampled from the bench feature table; returns one of their ids."""
    source = pl.read_parquet(CACHE / "features.parquet")
    picks = np.random.default_rng(0).integers(0, source.height, rows)
    frame = source[picks].with_columns(
        pl.format("X{}", pl.int_range(rows, dtype=pl.Int64).cast(pl.String).str.zfill(8)).alias(
            "enterprise_id"
        )
    )
    frame.write_parquet(out)
    return str(frame["enterprise_id"][rows // 2])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="enterprises in the table")
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/risk_table.json")
    args = parser.parse_args()
    if args.quick:
        args.rows = 100_000
    if not (CACHE / "features.parquet").exists():
        raise SystemExit("run bench/risk.py first: it builds the bench model and table")
    work = Path(tempfile.mkdtemp(prefix="risk-table-"))
    table = work / "features.parquet"
    probe = build_table(args.rows, table)
    load_before = os.getloadavg()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", LOAD, str(CACHE / "models"), str(table), probe],
        cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    report = {
        "benchmark": "risk_table",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "rows": args.rows,
        "file_mib": table.stat().st_size / 2**20,
        "process_seconds": time.perf_counter() - started,
        **result,
        "targets": {
            "load_le_30_s": result["load_seconds"] <= 30,
            "peak_rss_le_2_gib": result["peak_rss_mib"] <= 2048,
        },
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }
    table.unlink()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
