"""The README read as a script: after `make run`, every command it prints works as printed, and
the demo output it shows is what the demo prints.

One demo runs for the module the way `make run` starts it (working directory with `var/demo`,
the demo's own defaults) on free ports, with the session's small data size; it generates the
data, features and risk model itself and takes the AML model from the session's training (the
slowest step). The README's "Command line" block then runs in order, in one shell, against it.

`TRADEGUARD_UPDATE_README=1` rewrites the README's demo-output block from this run instead of
comparing it (numbers, names and times come from the run; the layout is the demo's).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.demo.steps import DemoPaths
from services.tradedata.generator import GeneratorConfig

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
READY = "Ctrl-C stops all three services."
DEFAULT_PORTS = (50051, 50052, 50053, 9101, 9102, 9103, 8080)
OUTPUT_START = "<!-- demo output: start -->"
OUTPUT_END = "<!-- demo output: end -->"
#: Lines kept under each banner of the demo output in the README; the rest becomes "...".
SECTION_LINES = 6


@dataclass
class RunningDemo:
    cwd: Path
    process: subprocess.Popen[bytes]
    log: Path
    ports: list[int]
    dataset: GeneratorConfig

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def running_demo(
    prepared_workdir: Callable[..., DemoPaths],
    loopback_ports: Callable[[int], list[int]],
    dataset_config: GeneratorConfig,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningDemo]:
    cwd = tmp_path_factory.mktemp("readme")
    prepared = prepared_workdir("readme-demo", parts=("models/aml",))
    shutil.copytree(prepared.root, cwd / "var" / "demo")
    ports = loopback_ports(7)
    log = cwd / "demo.out"
    command = [
        sys.executable, "-m", "services.cli", "demo",
        "--enterprises", str(dataset_config.enterprises),
        "--months", str(dataset_config.months),
        "--seed", str(dataset_config.seed),
        "--grpc-ports", ",".join(map(str, ports[:3])),
        "--metrics-ports", ",".join(map(str, ports[3:6])),
        "--console-port", str(ports[6]),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    demo = RunningDemo(cwd, process, log, ports, dataset_config)
    try:
        _wait_until_ready(demo)
        yield demo
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C, as the README says
            process.wait(timeout=120)


def _wait_until_ready(demo: RunningDemo, timeout: float = 900.0) -> None:
    deadline = time.monotonic() + timeout
    while READY not in demo.output():
        if demo.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the demo did not come up:\n{demo.output()[-4000:]}")
        time.sleep(0.5)


def readme_block(after_heading: str, index: int = 0) -> str:
    """The `index`-th ```sh block under the heading."""
    section = README.read_text().split(f"\n## {after_heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return str(blocks[index])


def normalised(demo: RunningDemo, text: str) -> str:
    """The run's output as `make run` prints it: default ports and data size."""
    for port, default in zip(demo.ports, DEFAULT_PORTS, strict=True):
        text = re.sub(rf"\b{port}\b", str(default), text)
    text = re.sub(r" TRADEGUARD_(RISK|AML|FINANCE)_PORT=\d+", "", text)
    text = re.sub(r"(tgk_\S{6})\S+", r"\1…", text)  # a token is a secret, even a test one
    size = f"{demo.dataset.enterprises} exporters x {demo.dataset.months} months "
    return text.replace(f"{size}(seed {demo.dataset.seed})", "300 exporters x 36 months (seed 0)")


def masked(line: str) -> str:
    """A line with what differs from run to run blanked: every word holding a digit (numbers,
    dates, ids, hashes), tokens and the rating grade (the demo retrains its model each run)."""
    line = re.sub(r"tgk_\S+", "T", line)
    line = re.sub(r"^(\s*grade\s+)[A-D]{1,3}\b", r"\1G", line)
    line = re.sub(r"[\w-]*\d[\w-]*", "N", line)
    return re.sub(r"\s+", " ", line).strip()


def abridged(output: str) -> list[str]:
    """The demo's output up to the running services' summary, each banner section cut short."""
    text = output.split(READY, 1)[0] + READY
    body, summary = text.rsplit("\nTradeGuard is running:", 1)
    parts = re.split(r"(^-{78}\n.*\n-{78}\n)", body, flags=re.M)
    kept = parts[0].rstrip("\n").splitlines()
    for header, section in zip(parts[1::2], parts[2::2], strict=True):
        lines = section.rstrip("\n").splitlines()
        kept += ["", *header.splitlines(), *lines[:SECTION_LINES]]
        kept += ["..."] if len(lines) > SECTION_LINES else []
    return [*kept, "", "TradeGuard is running:", *summary.splitlines()[1:]]


def test_readme_shows_what_the_demo_prints(running_demo: RunningDemo) -> None:
    real = normalised(running_demo, running_demo.output())
    text = README.read_text()
    before, rest = text.split(OUTPUT_START + "\n```\n", 1)
    shown, after = rest.split("```\n" + OUTPUT_END, 1)
    if os.environ.get("TRADEGUARD_UPDATE_README"):
        block = "\n".join(abridged(real)) + "\n"
        README.write_text(f"{before}{OUTPUT_START}\n```\n{block}```\n{OUTPUT_END}{after}")
        return
    real_sections = sections(real)
    shown_sections = sections(shown)
    assert [h for h, _ in shown_sections] == [h for h, _ in real_sections][: len(shown_sections)]
    for (header, lines), (_, real_lines) in zip(shown_sections, real_sections, strict=False):
        for line in lines - real_lines:
            pytest.fail(
                f"under {header!r} the README shows a line the demo no longer prints: {line}"
            )


def sections(text: str) -> list[tuple[str, set[str]]]:
    """(banner title, its masked lines) in order; alerts raised together list in any order,
    so lines are compared as sets within a section."""
    parts = re.split(r"^-{78}\n(.*)\n-{78}\n", text, flags=re.M)
    titles = ["(start)", *parts[1::2]]
    bodies = parts[0::2]
    return [
        (masked(title), {masked(line) for line in body.splitlines()} - {"", "..."})
        for title, body in zip(titles, bodies, strict=True)
    ]


def test_readme_export_line_is_the_one_the_demo_prints(running_demo: RunningDemo) -> None:
    printed = [
        line.strip()
        for line in normalised(running_demo, running_demo.output()).splitlines()
        if line.strip().startswith("export ")
    ]
    setup = readme_block("Command line", 0)
    assert printed and printed[0] in setup.splitlines(), (printed, setup)


def test_readme_commands_work_as_printed(running_demo: RunningDemo) -> None:
    export = next(line.strip() for line in running_demo.output().splitlines() if "export " in line)
    script = "\n".join(
        [
            "set -eu",
            "trap 'echo \"README command failed: $BASH_COMMAND\" >&2' ERR",
            export,
            readme_block("Command line", 1),
        ]
    )
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("TRADEGUARD_TOKEN", None)
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=running_demo.cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    report = f"stdout:\n{result.stdout[-6000:]}\nstderr:\n{result.stderr[-4000:]}"
    assert result.returncode == 0, report
    assert "Traceback" not in result.stdout + result.stderr, report
    assert "error:" not in result.stderr, report
    assert re.search(r"^showing 5 of \d+; next page: ", result.stdout, re.M), report
    assert "ok: " in result.stdout and "IN_REVIEW v2" in result.stdout, report


def test_a_second_demo_names_the_port_the_first_one_holds(running_demo: RunningDemo) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "demo", "--workdir", "var/demo-2"],
        cwd=running_demo.cwd,
        env={
            **os.environ,
            "TRADEGUARD_RISK_PORT": str(running_demo.ports[0]),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(
        f"error: port {running_demo.ports[0]} (risk gRPC) is already in use"
    ), result.stderr
    assert not (running_demo.cwd / "var" / "demo-2" / "tokens.json").exists()


def test_ctrl_c_drains_and_stops_all_three(running_demo: RunningDemo) -> None:
    running_demo.process.send_signal(signal.SIGINT)
    assert running_demo.process.wait(timeout=120) == 0
    last = running_demo.output().strip().splitlines()[-1]
    assert last == "services stopped (exit codes): risk 0, aml 0, finance 0, console 0", last
