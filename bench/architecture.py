"""What the layout changes cost: each commit that moved code into the api/, training/ and domain
rooms, measured against its own parent in the same run.

    python bench/architecture.py [--quick] [--rounds N] [--only aml|risk|COMMIT] [--out FILE]

A commit and its parent do the same work (the commits below moved code, they did not change what
a request computes), so their throughput must agree within noise. Later commits did change the
work (the risk model now runs per request, AML history windows live in the database), which is
why the current tree is not compared with the first one: that ratio would measure the new work,
not the layout.

- AML: the commit's own `bench/aml_stream.py --baseline-src PARENT` runs both servers pinned to
  the same core and alternates StreamScreenTrades rounds between them (250 trades per message,
  one durable SQLite commit per message); the figure is trades/s and server CPU per trade.
- Risk: both trees' own `bench/risk.py --no-peer` serve one model and feature table (trained once
  by the parent's code), alternating whole runs (parent, commit, then commit, parent, ...); the
  figures are ScoreFinancing calls/s at 1 and 32 in flight and StreamScoreFinancing scores/s.

Both trees come from `git archive` into var/architecture/ and run on one virtualenv of their own
(var/architecture/venv: this checkout's pinned dev requirements plus what the older trees' own
pyproject.toml asks for), the same interpreter and packages for both sides of every pair.
Writes bench/results/architecture.json (pairs, raw runs, ratios, load, command).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "architecture"
VENV = WORK / "venv"


@dataclass(frozen=True)
class Pair:
    service: str
    parent: str
    commit: str
    change: str


PAIRS = (
    Pair("aml", "4694fac", "85b8b60", "AML wire moved to aml/api, training to aml/training"),
    Pair("aml", "8e1659a", "5820d42", "AML store split by job"),
    Pair("aml", "d156d11", "4a5a6ba", "AML screening as a gRPC-free domain flow"),
    Pair("aml", "d1ed463", "b2c553c", "AML rules on one condition table; one loop finder"),
    Pair("aml", "49d9df9", "916f1c5", "AML starts through the shared start-up shape"),
    Pair("risk", "4694fac", "519a05d", "risk wire moved to risk/api, training to risk/training"),
    Pair("risk", "accff75", "ff490a1", "risk starts through the shared start-up shape"),
)
RISK_METRICS = {
    "unary_c1_calls_per_s": ("unary_c1", "calls_per_s"),
    "unary_c32_calls_per_s": ("unary_c32", "calls_per_s"),
    "stream_scores_per_s": ("stream", "scores_per_s"),
}


def tree(rev: str) -> Path:
    """The source tree of `rev` under var/architecture/, extracted once."""
    dest = WORK / rev
    if not (dest / "services").is_dir():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", rev],
            check=True,
            capture_output=True,
        ).stdout
        with tempfile.TemporaryFile() as tmp:
            tmp.write(archive)
            tmp.seek(0)
            with tarfile.open(fileobj=tmp) as tar:
                tar.extractall(dest, filter="data")
    return dest


def historic_venv(trees: list[Path]) -> Path:
    """The interpreter both sides run on: the pinned dev set, then each tree's own dependencies
    (pip keeps a pinned version wherever it satisfies the older range)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "-r", str(ROOT / "requirements" / "dev.txt")], check=True)
        wanted = sorted(
            {
                dep
                for src in trees
                for dep in tomllib.loads((src / "pyproject.toml").read_text())["project"][
                    "dependencies"
                ]
            }
        )
        subprocess.run([*pip, *wanted], check=True)
    return python


def run_script(src: Path, script: str, args: list[str]) -> dict[str, Any]:
    """Runs `src`'s own bench script on the shared old-and-new virtualenv; returns its JSON."""
    out = Path(tempfile.mkdtemp(prefix="tg-arch-")) / "result.json"
    cmd = [str(VENV / "bin" / "python"), str(src / "bench" / script), *args, "--out", str(out)]
    subprocess.run(cmd, cwd=src, check=True, stdout=subprocess.DEVNULL)
    return dict(json.loads(out.read_text()))


def aml_pair(pair: Pair, rounds: int, quick: bool) -> dict[str, Any]:
    parent, commit = tree(pair.parent), tree(pair.commit)
    flags = ["--rounds", str(rounds), "--baseline-src", str(parent)]
    flags += ["--quick"] if quick else []
    result = run_script(commit, "aml_stream.py", flags)
    summary = result["summary"] if "summary" in result else result
    figures = {
        "parent_stream_trades_per_s": summary["baseline_stream_trades_per_s"],
        "commit_stream_trades_per_s": summary["stream_trades_per_s"],
        "parent_server_cpu_us_per_trade": summary["baseline_stream_server_cpu_us_per_trade"],
        "commit_server_cpu_us_per_trade": summary["stream_server_cpu_us_per_trade"],
    }
    ratios = {
        "stream_trades_per_s": summary["stream_speedup_over_baseline"],
        "server_cpu_per_trade": summary["stream_cpu_ratio_to_baseline"],
    }
    paired = {"stream_trades_per_s": asdict(Spread.of(list(summary["paired_speedups"])))}
    return {
        "figures": figures,
        "ratios_commit_over_parent": ratios,
        "paired_ratios": paired,
        "raw": result,
    }


def risk_pair(pair: Pair, rounds: int, seconds: float) -> dict[str, Any]:
    parent, commit = tree(pair.parent), tree(pair.commit)
    # The parent's code trains the bench model once (cached in its var/bench/risk); both serve it.
    run_script(parent, "risk.py", ["--no-peer", "--quick"])
    cache = parent / "var" / "bench" / "risk"
    served = ["--models", str(cache / "models"), "--features", str(cache / "features.parquet")]
    runs: dict[str, list[dict[str, Any]]] = {"parent": [], "commit": []}
    sides = (("parent", parent), ("commit", commit))
    for index in range(rounds):
        # Which tree runs first alternates, so neither always meets the other's exit.
        for side, src in sides if index % 2 == 0 else sides[::-1]:
            flags = ["--no-peer", "--rounds", "1", "--seconds", str(seconds), *served]
            runs[side].append(run_script(src, "risk.py", flags))
    load = {side: [r["rounds"][0]["load"] for r in side_runs] for side, side_runs in runs.items()}
    return {**risk_summary(runs), "load": load, "raw": runs}


def risk_summary(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians per side, and each round's commit/parent ratio: the two runs of a round are back
    to back, so their ratio cancels load that drifts over the minutes of a pair."""
    figures: dict[str, float] = {}
    ratios: dict[str, float] = {}
    spread: dict[str, Spread] = {}
    for name, (scenario, key) in RISK_METRICS.items():
        values = {
            side: [r["summary"]["ours"][scenario][key] for r in side_runs]
            for side, side_runs in runs.items()
        }
        figures[f"parent_{name}"] = statistics.median(values["parent"])
        figures[f"commit_{name}"] = statistics.median(values["commit"])
        ratios[name] = figures[f"commit_{name}"] / figures[f"parent_{name}"]
        spread[name] = Spread.of(
            [new / old for new, old in zip(values["commit"], values["parent"], strict=True)]
        )
    return {
        "figures": figures,
        "ratios_commit_over_parent": ratios,
        "paired_ratios": {name: asdict(s) for name, s in spread.items()},
    }


@dataclass(frozen=True)
class Spread:
    """Per-round commit/parent ratios: their median, range, and whether the range holds 1 (a
    difference smaller than the round-to-round noise)."""

    rounds: list[float]
    median: float
    low: float
    high: float
    within_noise: bool

    @classmethod
    def of(cls, ratios: list[float]) -> Spread:
        low, high = min(ratios), max(ratios)
        return cls(ratios, statistics.median(ratios), low, high, low <= 1.0 <= high)


PAIR_FIELDS = ("service", "parent", "commit", "change")


def kept_pairs(out: Path, measured: list[Pair]) -> list[dict[str, Any]]:
    """The pairs of an earlier run (same PAIRS) that this run does not measure again stay in the
    report; each pair records the command that measured it."""
    if not out.exists():
        return []
    again = {p.commit for p in measured}
    known = {p.commit for p in PAIRS} - again
    earlier = json.loads(out.read_text()).get("pairs", [])
    return [r for r in earlier if r["commit"] in known and "command" in r]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--rounds", type=int, help="rounds per pair (default 3, quick 1)")
    parser.add_argument(
        "--only", help="measure one service's pairs (aml, risk) or one pair (its commit)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/architecture.json")
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 3)
    pairs = [p for p in PAIRS if args.only in (None, p.service, p.commit)]
    if not pairs:
        parser.error(f"--only {args.only}: neither a service nor a commit of the measured pairs")
    historic_venv([tree(rev) for p in pairs for rev in (p.parent, p.commit)])
    command = " ".join([Path(sys.executable).name, *sys.argv])
    results = kept_pairs(args.out, pairs) if args.only else []
    for pair in pairs:
        print(f"==> {pair.service} {pair.parent} -> {pair.commit}: {pair.change}", flush=True)
        if pair.service == "aml":
            measured = aml_pair(pair, rounds, args.quick)
        else:
            measured = risk_pair(pair, rounds, 2.0 if args.quick else 4.0)
        print(json.dumps(measured["ratios_commit_over_parent"]), flush=True)
        method = {"rounds_per_pair": rounds, "quick": args.quick}
        results.append({**asdict(pair), "command": command, "method": method, **measured})
    report = {
        "benchmark": "architecture",
        "command": command,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "pairs": sorted(results, key=lambda r: PAIRS.index(Pair(*(r[f] for f in PAIR_FIELDS)))),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
