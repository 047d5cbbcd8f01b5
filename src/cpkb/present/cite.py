"""Sources as references: CSL-JSON items and BibTeX entries for reference managers, and the
view of references rendered in a citation style (cpkb.present.csl renders them).

A source records no author, so none is made up: styles cite an authorless work by its title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cpkb.model.entities import Source
from cpkb.present.views import View
from cpkb.query.text import visible

CSL_STYLES = ("apa", "chicago", "mla")  # rendered by a CSL processor
STYLES = (*CSL_STYLES, "bibtex", "csl-json")

# Newspapers and news sites publish articles; UN agencies, NGOs and researchers publish reports;
# governments publish pages (a press release, a page about a survey). Blogs, other and unknown
# kinds are web pages too.
CSL_TYPES = {
    "news": "article-newspaper",
    "legislation": "legislation",
    "un": "report",
    "ngo": "report",
    "academic": "report",
}
# Where the publisher goes: a newspaper or a web site contains the work; a report or a law has
# a publisher.
PUBLISHED_BY = ("report", "legislation")


def csl_type(source: Source) -> str:
    return CSL_TYPES.get(source.kind or "", "webpage")


def date_parts(date: str) -> View:
    """A CSL date at the precision of `date` (YYYY, YYYY-MM or YYYY-MM-DD)."""
    return {"date-parts": [[int(part) for part in date.split("-")]]}


def csl_item(source: Source) -> View:
    """A source as a CSL-JSON item: no `issued` when it is undated."""
    item_type = csl_type(source)
    item: View = {"id": source.id, "type": item_type, "title": source.title}
    item["publisher" if item_type in PUBLISHED_BY else "container-title"] = source.publisher
    if source.date is not None:
        item["issued"] = date_parts(source.date)
    if source.url is not None:
        item["URL"] = source.url
    if source.retrieved is not None:
        item["accessed"] = date_parts(source.retrieved)
    if source.lang is not None:
        item["language"] = source.lang
    return item


def csl_json(sources: Iterable[Source]) -> list[View]:
    return [csl_item(source) for source in sources]


def references_view(style: str, rendered: Iterable[tuple[str, str]]) -> View:
    """`cite --json` for a style rendered as text: each reference with its source's id."""
    return {"style": style, "references": [{"source": i, "text": t} for i, t in rendered]}


# --- BibTeX ----------------------------------------------------------------------------------

# BibTeX entry types (classic BibTeX's, which biblatex also reads) and the field that names the
# publisher in each.
BIBTEX_TYPES = {
    "article-newspaper": ("article", "journal"),
    "report": ("techreport", "institution"),
    "legislation": ("misc", "howpublished"),
    "webpage": ("misc", "howpublished"),
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# LaTeX's own names for the characters it would otherwise read as commands. A brace is written
# as a command too: BibTeX counts every brace, escaped or not, so `\{` would unbalance a field.
LATEX = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "$": r"\$",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
# A URL is written as it is (biblatex and the url package read it verbatim) but for the three
# characters that would break the field, which percent-encoding writes as the same URL.
URL_ESCAPES = str.maketrans({"\\": "%5C", "{": "%7B", "}": "%7D"})


def latex_text(text: str) -> str:
    """`text` as LaTeX that prints it: control characters shown as escapes, as everywhere."""
    return visible(text).translate(LATEX)


def bibtex_fields(source: Source) -> list[tuple[str, str]]:
    """(name, value as written) of a source's BibTeX fields; values in braces unless a macro."""
    publisher_field = BIBTEX_TYPES[csl_type(source)][1]
    fields = [
        ("title", "{{" + latex_text(source.title) + "}}"),  # double braces keep its capitals
        (publisher_field, "{" + latex_text(source.publisher) + "}"),
    ]
    if source.date is not None:
        year, *rest = source.date.split("-")
        fields.append(("year", "{" + year + "}"))
        if rest:
            fields.append(("month", MONTHS[int(rest[0]) - 1]))
        fields.append(("date", "{" + source.date + "}"))  # biblatex's, at its precision
    if source.url is not None:
        fields.append(("url", "{" + visible(source.url).translate(URL_ESCAPES) + "}"))
    if source.retrieved is not None:
        fields.append(("urldate", "{" + source.retrieved + "}"))
    return fields


def bibtex_entry(source: Source, key: str) -> str:
    entry_type = BIBTEX_TYPES[csl_type(source)][0]
    lines = [f"  {name} = {value}," for name, value in bibtex_fields(source)]
    return "\n".join([f"@{entry_type}{{{key},", *lines, "}"])


_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:./+-]")


def bibtex_keys(ids: Iterable[str]) -> list[str]:
    """A key for each id: the id itself, as `validate` wants ids (lowercase words and hyphens).
    In a file that breaks that rule, what a key cannot hold becomes a hyphen, and a key taken
    already gets a number."""
    keys: list[str] = []
    for source_id in ids:
        base = _KEY_UNSAFE.sub("-", source_id) or "source"
        key, number = base, 1
        while key in keys:
            number += 1
            key = f"{base}-{number}"
        keys.append(key)
    return keys


def bibtex_entries(sources: list[Source]) -> list[tuple[str, str]]:
    """(source id, BibTeX entry) for each source."""
    keys = bibtex_keys(source.id for source in sources)
    return [(s.id, bibtex_entry(s, key)) for s, key in zip(sources, keys, strict=True)]
