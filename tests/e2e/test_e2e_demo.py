"""`tradeguard demo --exit-after-demo` end to end: the story a bank, an insurer and a regulator
see, printed by the real services.

The demo generates the data (the session's size and seed), computes the features and trains
the risk model itself; only the AML model, the slowest step, is copied from the session's
training on the same data (the demo skips a step whose output exists).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable

import pytest

from services.demo.steps import DemoPaths
from services.tradedata.generator import GeneratorConfig

# Setup trains the models once per session; the machine may be shared and slow.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def section(output: str, title: str) -> str:
    """The text printed under a banner whose title starts with `title`."""
    parts = re.split(r"^-{78}\n", output, flags=re.MULTILINE)
    for heading, body in zip(parts, parts[1:], strict=False):
        if heading.startswith(title):
            return body
    raise AssertionError(f"no section {title!r} in the demo output:\n{output}")


@pytest.fixture(scope="module")
def demo(
    prepared_workdir: Callable[..., DemoPaths],
    loopback_ports: Callable[[int], list[int]],
    dataset_config: GeneratorConfig,
) -> subprocess.CompletedProcess[str]:
    paths = prepared_workdir("e2e-demo", parts=("models/aml",))
    ports = loopback_ports(7)
    command = [
        sys.executable, "-m", "services.cli", "demo",
        "--workdir", str(paths.root),
        "--enterprises", str(dataset_config.enterprises),
        "--months", str(dataset_config.months),
        "--seed", str(dataset_config.seed),
        "--grpc-ports", ",".join(map(str, ports[:3])),
        "--metrics-ports", ",".join(map(str, ports[3:6])),
        "--console-port", str(ports[6]),
        "--exit-after-demo",
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def test_demo_exits_cleanly(demo: subprocess.CompletedProcess[str]) -> None:
    assert demo.returncode == 0, demo.stdout[-4000:] + demo.stderr[-4000:]
    assert "services stopped (exit codes): risk 0, aml 0, finance 0, console 0" in demo.stdout
    assert "{" not in demo.stdout.splitlines()[-1]


def test_each_long_step_has_a_start_and_an_end_line(
    demo: subprocess.CompletedProcess[str],
) -> None:
    lines = demo.stdout.splitlines()
    for step in (
        "generating trade data",
        "computing the enterprise feature table",
        "training the risk",
    ):
        start = next(i for i, line in enumerate(lines) if line.startswith(f"==> {step}"))
        assert re.match(r"^    done in \d+\.\d s", lines[start + 1]), lines[start : start + 2]
    for name in ("risk", "aml", "finance"):
        assert f"    {name} is SERVING" in lines
    assert any(line.startswith("    console is serving at http://127.0.0.1:") for line in lines)


def test_bank_score_shows_decision_pd_and_reasons(demo: subprocess.CompletedProcess[str]) -> None:
    score = section(demo.stdout, "BANK  ScoreFinancing")
    assert re.search(r"^decision\s+(APPROVE|REFER|DECLINE)$", score, re.MULTILINE), score
    pd = re.search(r"^probability of default (\d+\.\d+)% \(tenor\)$", score, re.MULTILINE)
    assert pd is not None and 0 <= float(pd.group(1)) <= 100, score
    decision = re.search(r"^decision\s+(\w+)$", score, re.MULTILINE)
    if decision is not None and decision.group(1) != "APPROVE":
        # Adverse-action reasons: catalog codes (policy P.., risk R..) with a plain sentence each.
        reasons = score.split("reasons:\n", 1)[1]
        assert re.search(r"^  [PR]\d{2}  [A-Z]\S", reasons, re.MULTILINE), score


def test_insurer_quote_shows_rate_and_breakdown(demo: subprocess.CompletedProcess[str]) -> None:
    quote = section(demo.stdout, "INSURER  QuotePremium")
    assert re.search(r"^outcome\s+(QUOTED|DECLINED)$", quote, re.MULTILINE), quote
    rate = re.search(r"^premium rate\s+(\d+\.\d+)%\s+premium USD [\d,]+\.\d\d$", quote, re.M)
    assert rate is not None and float(rate.group(1)) > 0, quote
    for part in ("buyer default probability", "commercial expected loss", "country expected loss"):
        assert part in quote, quote
    assert re.search(r"loadings: expense \d+\.\d+%, capital \d+\.\d+%", quote), quote


def test_underwriting_story_from_limits_to_a_paid_claim(
    demo: subprocess.CompletedProcess[str],
) -> None:
    limits = section(demo.stdout, "INSURER  RequestCreditLimit")
    decisions = re.findall(r"-> (APPROVED|REDUCED|DECLINED) USD", limits)
    assert decisions == ["APPROVED", "REDUCED"], limits
    assert "ACCUMULATION" in limits, limits
    bound = section(demo.stdout, "INSURER  QuotePremium + BindPolicy")
    assert re.search(r"^policy TGP-\d{4}-[0-9A-F]{10}: ", bound, re.MULTILINE), bound
    financed = section(demo.stdout, "INSURER  AssignPolicy")
    assert re.search(r"^demo-bank: QUOTED, advance USD [\d,]+\.\d\d", financed, re.M), financed
    assert "demo-other-bank: NOT_FOUND" in financed, financed
    claim = section(demo.stdout, "INSURER  ReportOverdue")
    assert re.search(r"^claim PAID: indemnity USD [\d,]+\.\d\d to demo-bank$", claim, re.M), claim
    assert "BOUND" in claim and "CLAIM_PAID" in claim, claim


def test_alerts_listed_and_one_escalated_with_audit(
    demo: subprocess.CompletedProcess[str],
) -> None:
    screened = section(demo.stdout, "BANK  StreamScreenTrades")
    assert re.search(r"trades alerted [1-9]\d*, item errors 0", screened), screened
    alerts = section(demo.stdout, "REGULATOR  ListAlerts")
    assert re.search(rf"^{UUID}\s+[A-Z_]+\s+(LOW|MEDIUM|HIGH|CRITICAL)\s", alerts, re.M), alerts
    review = section(demo.stdout, "REGULATOR  ReviewAlert")
    assert re.search(r"^status now ESCALATED \(version \d+\)$", review, re.MULTILINE), review
    events = re.findall(r"^  #\d+ (\w+)\s+(\w+)\s+by \S+\s+hash [0-9a-f]{16}", review, re.M)
    assert [status for _, status in events] == ["NEW", "IN_REVIEW", "ESCALATED"], review
    assert events[0][0] == "CREATED", review
