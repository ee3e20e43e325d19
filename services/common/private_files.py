"""Files only the service's own user may read: stores, tokens, keys (mode 0600 from creation).

Creating a file and then chmodding it leaves a window in which another user can open it; these
helpers pass the mode to ``open(2)`` so the file never exists with wider permissions.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def ensure_private_file(path: Path) -> None:
    """Create ``path`` (and its folder) empty with mode 0600 unless it exists already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)


def write_private_text(path: Path, text: str) -> None:
    """Replace ``path``'s content with ``text``; a new file is created with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
