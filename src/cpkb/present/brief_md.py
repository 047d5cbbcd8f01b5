"""A brief as GitHub-flavoured Markdown: footnotes as `[^n]`, entities in the brief linked to
their headings by the anchors GitHub gives headings, the bibliography in a CSL style.

Data is text: every string from the data file is escaped (cpkb.present.markup), and only
pandoc's own italics and links in the references become markup.
"""

from __future__ import annotations

import re

from cpkb.present.brief import Brief, Section, kind_line, said
from cpkb.present.csl_marked import Cited, cited
from cpkb.present.markup import MARKDOWN, line_start
from cpkb.present.wording import Marks, Named, Phrase
from cpkb.query.text import visible

M = MARKDOWN
# What GitHub drops from a heading's text to make its anchor (github-slugger): all but letters,
# digits, marks, `_`, `-` and spaces.
NOT_IN_SLUG = re.compile(r"[^\w\- ]")


class Slugs:
    """The anchors GitHub gives headings, in document order: a repeated one gets `-1`, `-2`."""

    def __init__(self) -> None:
        self.taken: dict[str, int] = {}

    def __call__(self, heading: str) -> str:
        base = NOT_IN_SLUG.sub("", heading.lower()).replace(" ", "-")
        slug = base
        while slug in self.taken:
            self.taken[base] += 1
            slug = f"{base}-{self.taken[base]}"
        self.taken[slug] = 0
        return slug


def markdown(brief: Brief, style: str) -> str:
    """The brief as a Markdown document, its references in `style` (APA, Chicago, MLA)."""
    references = cited(brief.sources, style, M)
    slugs = Slugs()
    slugs(visible(brief.title))
    anchors = {s.entity.id: slugs(visible(s.entity.name)) for s in brief.sections}
    lines = [f"# {M.text(brief.title)}", "", M.text(f"{brief.when}. {INTRO}"), ""]
    for section in brief.sections:
        lines += section_lines(section, anchors)
    lines += ["## Sources", ""]
    lines += [f"- {line_start(text)}" for _, text in references.references] or ["None."]
    lines += ["", f"*{M.text(f'Made with {brief.made}.')}*", ""]
    lines += footnote_lines(brief, references)
    return "\n".join(lines).rstrip("\n") + "\n"


INTRO = ("Each statement is footnoted with what its source says: its words in quotation marks, "
         "or our paraphrase of them.")  # fmt: skip


def section_lines(section: Section, anchors: dict[str, str]) -> list[str]:
    lines = [f"## {M.text(section.entity.name)}", "", f"*{M.text(kind_line(section))}*", ""]
    if section.paragraph:  # it starts with the summary: data, which must not make a list
        lines += [line_start(" ".join(written(s, anchors) for s in section.paragraph)), ""]
    if section.referenced:
        said_of = " ".join(written(s, anchors) for s in section.referenced)
        lines += [f"**Referenced by others:** {said_of}", ""]
    if section.statements:
        lines += ["**Recorded as saying:**", ""]
        lines += [f"- {line_start(written(item, anchors))}" for item in section.statements]
        lines.append("")
    lines += [f"*{M.text(note)}*" for note in section.left_out] + [""] * bool(section.left_out)
    return lines


def written(phrase: Phrase, anchors: dict[str, str]) -> str:
    """A phrase as Markdown: text escaped, entities in the brief linked, marks as footnotes."""
    out = []
    for piece in phrase:
        if isinstance(piece, str):
            out.append(M.text(piece))
        elif isinstance(piece, Named):
            name = M.text(piece.name)
            out.append(f"[{name}](#{anchors[piece.id]})" if piece.id in anchors else name)
        elif isinstance(piece, Marks):
            out.append("".join(f"[^{n}]" for n in piece.numbers))
    return "".join(out)


def footnote_lines(brief: Brief, references: Cited) -> list[str]:
    """`[^n]: what the source says (its in-text citation), where in it.`"""
    lines = []
    for note in brief.footnotes:
        source = note.citation["source"]
        citation = references.citations.get(source, M.text(source))
        locator = f", {M.text(note.citation['locator'])}" if "locator" in note.citation else ""
        lines.append(f"[^{note.number}]: {M.text(said(note))} {citation}{locator}.")
    return lines
