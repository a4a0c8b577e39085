#!/usr/bin/env bash
# Fails when pyproject.toml's runtime dependencies changed but requirements.lock was not
# regenerated (`make lock`). Offline: compares the digest in the lock's header with the
# digest of today's dependency list; the image's `pip install --require-hashes` does the
# rest.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
LOCK="${LOCK:-requirements.lock}"

if [ ! -f "$LOCK" ]; then
    echo "ERROR: $LOCK is missing: run \`make lock\`" >&2
    exit 1
fi
want="$("$PYTHON" .ci/lock_digest.py)"
have="$(sed -n 's/^# inboxgap-dependencies-sha256: *\([0-9a-f]*\).*/\1/p' "$LOCK" | head -n 1)"
if [ "$want" != "$have" ]; then
    echo "ERROR: $LOCK is out of date: pyproject.toml's dependencies changed; run \`make lock\`" >&2
    echo "  (digest in $LOCK: ${have:-none}; pyproject.toml: $want)" >&2
    exit 1
fi
# Every runtime dependency is pinned (a dependency removed from the lock by hand is caught).
missing="$("$PYTHON" - "$LOCK" <<'PY'
import re, sys, tomllib
from pathlib import Path

lock = Path(sys.argv[1]).read_text(encoding="utf-8")
pinned = {re.sub(r"[-_.]+", "-", m.lower()) for m in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock, re.M)}
deps = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
names = [re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", d).group(0).lower()) for d in deps]
print(" ".join(n for n in names if n not in pinned))
PY
)"
if [ -n "$missing" ]; then
    echo "ERROR: $LOCK pins no version of: $missing; run \`make lock\`" >&2
    exit 1
fi
echo "$LOCK is current ($(grep -c '^[A-Za-z0-9].*==' "$LOCK") packages pinned)"
