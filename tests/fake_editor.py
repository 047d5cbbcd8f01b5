"""An editor for tests of `cpkb edit`: each time it is opened it applies the next step of
$FAKE_STEPS (a JSON list) to the file, and appends what it was shown to $FAKE_SHOWN.

Steps: "same" (save as it is), "empty", "fail" (exit 1), or [old, new] (replace old by new).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> int:
    path = Path(sys.argv[-1])
    shown = Path(os.environ["FAKE_SHOWN"])
    text = path.read_text(encoding="utf-8")
    seen = json.loads(shown.read_text(encoding="utf-8")) if shown.exists() else []
    shown.write_text(json.dumps([*seen, text]), encoding="utf-8")
    steps = json.loads(os.environ["FAKE_STEPS"])
    step = steps[min(len(seen), len(steps) - 1)]
    if step == "fail":
        return 1
    if step == "empty":
        path.write_text("", encoding="utf-8")
    elif isinstance(step, list):
        path.write_text(text.replace(step[0], step[1]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
