"""A new feature table's model inputs, built in a child process at the lowest priority.

Reading, checking and encoding a large table, its PSI bins and its id index take seconds of
CPU, much of it in library calls that keep the interpreter lock for milliseconds at a time:
built on a thread of the serving process they hold up the calls meanwhile. A child process
builds them instead (a processor the calls need goes to them first: the child runs in the idle
scheduling class, so a waking call thread preempts it at once, where a nice-19 task may still
finish its slice of a few milliseconds first),
writes the arrays as .npy files (in shared memory where there is room: written to a disk, a
few hundred megabytes of dirty pages make the kernel's writeback threads compete with the calls
for the processor), and the server maps them (copy-on-write, so they are ordinary
writable arrays to the compiled kernels) and unlinks the files; the pages stay as long as the
snapshot does.

    python -m services.risk.table_build BUNDLE_DIR TABLE_FILE VOLUME_FEATURE OUT_DIR
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from services.risk.enterprise_index import EnterpriseIndex
from services.risk.feature_table import ENTERPRISE_ID, FeatureTableError, read_feature_table
from services.risk.model import METADATA_FILE, BundleMetadata
from services.risk.policy import DecisionPolicy
from services.risk.scoring import ModelInputs, model_inputs

_ARRAYS = ("x", "volume_usd", "bins", "as_of_codes", "ids", "offsets", "slots")
_LOWEST_PRIORITY = 19
#: Where the arrays are handed over when it has room (see `_handover_root`).
SHARED_MEMORY = Path("/dev/shm")
HANDOVER_BYTES_PER_TABLE_BYTE = 8


class PreparedTable:
    """A table's model inputs and id index, with the as-of and source the snapshot reports."""

    def __init__(
        self, inputs: ModelInputs, index: EnterpriseIndex, as_of: str, source: str
    ) -> None:
        self.inputs = inputs
        self.index = index
        self.as_of = as_of
        self.source = source


def build_in_child(bundle_dir: Path, table_file: Path, policy: DecisionPolicy) -> PreparedTable:
    """The table's inputs for the bundle's model, built by a child process; FeatureTableError
    (with the child's reason) when the table cannot be served."""
    with tempfile.TemporaryDirectory(prefix="risk-table-", dir=_handover_root(table_file)) as out:
        command = [
            sys.executable,
            "-m",
            "services.risk.table_build",
            str(bundle_dir),
            str(table_file),
            policy.volume_feature,
            out,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, env=_child_environment()
        )
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            raise FeatureTableError(lines[-1] if lines else f"table build exited {done.returncode}")
        return _load(Path(out))


def _handover_root(table_file: Path) -> str | None:
    """Shared memory when it has room for the arrays (a generous multiple of the compressed
    table: the arrays come to about five times its size), else the default temporary folder."""
    try:
        free = shutil.disk_usage(SHARED_MEMORY).free
        needed = HANDOVER_BYTES_PER_TABLE_BYTE * table_file.stat().st_size
    except OSError:  # no shared memory file system here
        return None
    return str(SHARED_MEMORY) if free >= needed else None


def _child_environment() -> dict[str, str]:
    """This process's environment, with the folder `services` is imported from first on the
    child's path (a server started from a script elsewhere finds it through its own path)."""
    root = str(Path(__file__).resolve().parents[2])
    inherited = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": root if not inherited else root + os.pathsep + inherited}


def _load(out: Path) -> PreparedTable:
    """Maps the child's arrays (the files may go once mapped)."""
    arrays = {name: _mapped(out / f"{name}.npy") for name in _ARRAYS}
    meta = json.loads((out / "meta.json").read_text())
    inputs = ModelInputs(
        x=arrays["x"],
        volume_usd=arrays["volume_usd"],
        bins=arrays["bins"],
        as_of_codes=arrays["as_of_codes"],
        as_of_names=tuple(meta["as_of_names"]),
    )
    index = EnterpriseIndex.from_arrays(arrays["ids"], arrays["offsets"], arrays["slots"])
    return PreparedTable(inputs, index, str(meta["as_of"]), str(meta["source"]))


def _mapped(file: Path) -> np.ndarray:
    """The saved array, its pages mapped from the file (a plain ndarray: the kernels take it as
    they take one built in process); an empty one is read, there being nothing to map."""
    try:
        mapped = np.load(file, mmap_mode="c")
    except ValueError:  # an empty array: no bytes to map
        return np.asarray(np.load(file))
    plain: np.ndarray = mapped.view(np.ndarray)
    return plain


def build(bundle_dir: Path, table_file: Path, volume_feature: str, out: Path) -> None:
    """The child's work: read and check the table, encode it, index its ids, save it all."""
    meta = BundleMetadata.from_json(json.loads((bundle_dir / METADATA_FILE).read_text()))
    table = read_feature_table(table_file)
    inputs = model_inputs(table, meta, DecisionPolicy(volume_feature=volume_feature))
    index = EnterpriseIndex(table.frame.get_column(ENTERPRISE_ID))
    ids, offsets, slots = index.arrays
    arrays = (inputs.x, inputs.volume_usd, inputs.bins, inputs.as_of_codes, ids, offsets, slots)
    for name, array in zip(_ARRAYS, arrays, strict=True):
        np.save(out / f"{name}.npy", np.ascontiguousarray(array))
    document = {"as_of": table.as_of, "source": table.source, "as_of_names": inputs.as_of_names}
    (out / "meta.json").write_text(json.dumps(document))


def _lowest_priority() -> None:
    """The idle scheduling class where the platform has it (its threads, made later, inherit
    it), else nice 19."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or a sandbox forbids it
        os.nice(_LOWEST_PRIORITY - os.nice(0))


def main(argv: Sequence[str] | None = None) -> int:
    bundle_dir, table_file, volume_feature, out = argv or sys.argv[1:]
    _lowest_priority()
    try:
        build(Path(bundle_dir), Path(table_file), volume_feature, Path(out))
    except (FeatureTableError, OSError, ValueError) as error:
        print(f"{error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
