"""A synthetic knowledge base as a canonical version-2 file, for timing and testing writes.

Usage: python bench/version2.py N --seed S -o PATH

bench/generate.py writes version 1, which writes refuse. This turns its output into what
`cpkb migrate` and then `cpkb fmt` make of it: each claim stores the id readers gave it, a
figure's start/end becomes its period, the properties used are declared (what each takes
inferred from its claims), and the file is laid out canonically (cpkb.kb.layout).
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

Doc = dict[str, Any]
# Whether the file declares its properties. Until validate's item-by-item path reads a top-level
# `properties` array (branch v2-check), a vocabulary sends every check of a version-2 file down
# the whole-document path (27 s at 100,000 entities instead of about 1 s); once it does, and
# undeclared properties are errors (E208), this must be True.
VOCABULARY = False


def claim_v2(entity_id: str, n: int, claim: Doc) -> Doc:
    found: Doc = {"id": f"{entity_id}-c{n + 1}"}
    for key, value in claim.items():
        if key not in ("start", "end"):
            found[key] = value
        elif "period" not in found:
            found["period"] = f"{claim.get('start', '..')}/{claim.get('end', '..')}"
    return found


def declare(entities: list[Doc]) -> list[Doc]:
    """A declaration of each property the claims use, in order of first use."""
    types = {e["id"]: e["type"] for e in entities}
    uses: dict[str, list[Doc]] = {}
    for entity in entities:
        for claim in entity["claims"]:
            uses.setdefault(claim["property"], []).append(claim)
    declared = []
    for name, claims in uses.items():
        record: Doc = {"name": name, "label": name.replace("_", " "), "takes": _takes(claims)}
        targets = {types[c["target"]] for c in claims if "target" in c}
        if targets:
            record["types"] = sorted(targets)
        declared.append(record)
    return declared


def _takes(claims: list[Doc]) -> str:
    values = [c["value"] for c in claims if "value" in c]
    if not values:
        return "entity"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "quantity" if all("unit" in c for c in claims if "value" in c) else "number"
    return "boolean" if all(isinstance(v, bool) for v in values) else "text"


def version_2(document: Doc, *, vocabulary: bool = VOCABULARY) -> Doc:
    entities = [
        {**e, "claims": [claim_v2(e["id"], n, c) for n, c in enumerate(e["claims"])]}
        for e in document["entities"]
    ]
    declared = {"properties": declare(entities)} if vocabulary else {}
    return {"schema_version": 2, **declared, "sources": document["sources"], "entities": entities}


def write(n: int, seed: int, path: Path, *, vocabulary: bool = VOCABULARY) -> dict[str, str]:
    """Write the version-2 KB of `n` entities to `path`; its probes (see generate.generate)."""
    out = io.StringIO()
    probes = generate.generate(n, seed, out)
    document = version_2(orjson.loads(out.getvalue()), vocabulary=vocabulary)
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
