"""``python -m worker.simulation [path]``: rebuild the sample file."""

from __future__ import annotations

import sys
from pathlib import Path

from worker.simulation.samples import SAMPLE_PATH, sample_bodies, write_sample

if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"wrote {write_sample(target, sample_bodies())} lines to {target}")
