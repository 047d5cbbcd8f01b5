"""A synthetic knowledge base as a canonical version-2 file, for timing and testing writes.

Usage: python bench/version2.py N --seed S -o PATH

bench/generate.py writes version 1, which writes refuse. This turns its output into what
`cpkb migrate` and then `cpkb fmt` make of it, by calling the code they call (cpkb.kb.migrate,
cpkb.kb.layout).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import generate
import orjson

from cpkb.kb.layout import document_bytes
from cpkb.kb.migrate import migrate

Doc = dict[str, Any]


def version_2(document: Doc) -> Doc:
    """What `cpkb migrate` makes of a version-1 document (the same code, not a copy)."""
    return migrate(document).document


def write(n: int, seed: int, path: Path) -> dict[str, str]:
    """Write the version-2 KB of `n` entities to `path`; its probes (see generate.generate)."""
    out = io.StringIO()
    probes = generate.generate(n, seed, out)
    document = version_2(orjson.loads(out.getvalue()))
    data = document_bytes(document)
    partial = path.with_name(path.name + ".tmp")
    partial.write_bytes(data)
    partial.replace(path)
    return probes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("n", type=int, help="number of entities")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    args = parser.parse_args(argv)
    write(args.n, args.seed, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
