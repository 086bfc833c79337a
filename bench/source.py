"""Which code a bench measures: ``--src <other checkout>/src`` (read from the command line
before Django is set up, so that it is the code imported), else this checkout's ``src``. The
bench's folders (``var/bench``: its audit key, roots, logs) stay this checkout's, so that
before/after runs seal what they write with one key."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def source_folder() -> Path:
    if "--src" in sys.argv:
        return Path(sys.argv[sys.argv.index("--src") + 1]).resolve()
    return ROOT / "src"
