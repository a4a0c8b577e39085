"""Print the digest of pyproject's runtime dependencies that requirements.lock records.

The lock's header carries ``# inboxgap-dependencies-sha256: <digest>``; .ci/lock.sh writes
it, .ci/check_lock.sh compares it with this script's output. Offline and cheap: CI needs no
resolver to notice that the dependency list changed without a new lock. The digest covers
``requires-python`` and the sorted ``[project] dependencies`` (order does not change what
gets resolved).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dependencies_digest(pyproject: Path) -> str:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    payload = {
        "requires-python": project.get("requires-python", ""),
        "dependencies": sorted(" ".join(dep.split()) for dep in project["dependencies"]),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "pyproject.toml"
    print(dependencies_digest(path))
