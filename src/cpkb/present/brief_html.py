"""A brief as one standalone HTML5 page: its style inline, no script, no font or image to fetch
(a Content-Security-Policy says so to the browser), a print stylesheet; footnotes linked both
ways to the citations they number, and each citation to its reference.

Data is text: every string from the data file is escaped with html.escape, quotes included.
"""

from __future__ import annotations

import re

from cpkb.present.brief import Brief, Section, kind_line, said
from cpkb.present.csl_marked import Cited, cited
from cpkb.present.markup import HTML
from cpkb.present.wording import Marks, Named, Phrase

H = HTML
# Nothing may be fetched and nothing run: only the inline style applies.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
STYLE = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #5b5b5b; --rule: #d0d0d0; --link: #1a4f8b; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 2.5rem 1.25rem 4rem; color: var(--ink);
  background: #fff; font: 1.05rem/1.6 Georgia, "DejaVu Serif", "Liberation Serif", serif; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 .25rem; border-bottom: 1px solid var(--rule); }
p.when, p.kind, p.left-out, footer { color: var(--muted); font-size: .92rem; }
p.kind { font-style: italic; margin-top: 0; }
a { color: var(--link); }
span.other { border-bottom: 1px dotted var(--muted); }
sup.fn { font-size: .7em; line-height: 0; }
sup.fn a { text-decoration: none; }
ol.notes, ul.references { font-size: .92rem; padding-left: 2.2rem; }
ol.notes li:target { background: #fff6d5; }
ul.references { list-style: none; padding-left: 0; }
ul.references li { padding-left: 2rem; text-indent: -2rem; margin-bottom: .4rem;
  overflow-wrap: anywhere; }
a.back { text-decoration: none; }
@media print {
  @page { margin: 2cm 2.2cm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  a.back { display: none; }
  h2 { break-after: avoid; }
  li, p.kind { break-inside: avoid; }
  section.notes, section.sources { break-before: page; }
}
"""


def anchor(prefix: str, value: str) -> str:
    """An element id made from a data id: safe in any attribute and in a URL fragment."""
    return prefix + re.sub(r"[^A-Za-z0-9_-]", lambda m: f".{ord(m.group()):x}.", value)


def page(brief: Brief, style: str) -> str:
    """The brief as a standalone HTML page, its references in `style`."""
    references = cited(brief.sources, style, H)
    writer = Writer({s.entity.id for s in brief.sections})
    when = f'<p class="when">{H.text(brief.when)}. {H.text(INTRO)}</p>'
    parts = [head(brief.title), "<body>", "<header>", f"<h1>{H.text(brief.title)}</h1>", when,
             "</header>", "<main>"]  # fmt: skip
    parts += [writer.section(s) for s in brief.sections]
    parts += ["</main>", notes_html(brief, references), sources_html(references)]
    parts += [f"<footer>{H.text(f'Made with {brief.made}.')}</footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


INTRO = ("Each statement is footnoted with what its source says: its words in quotation marks, "
         "or our paraphrase of them.")  # fmt: skip


def head(title: str) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{H.text(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
    ])  # fmt: skip


class Writer:
    """Writes sections: entities in the brief linked, the first mark of each note given the
    id its note links back to."""

    def __init__(self, covered: set[str]) -> None:
        self.covered = covered
        self.marked: set[int] = set()

    def section(self, section: Section) -> str:
        parts = [f'<section class="entity" id="{anchor("e-", section.entity.id)}">',
                 f"<h2>{H.text(section.entity.name)}</h2>",
                 f'<p class="kind">{H.text(kind_line(section))}</p>']  # fmt: skip
        if section.paragraph:
            parts.append(f"<p>{' '.join(map(self.written, section.paragraph))}</p>")
        if section.referenced:
            said_of = " ".join(map(self.written, section.referenced))
            parts.append(f"<p><b>Referenced by others:</b> {said_of}</p>")
        if section.statements:
            items = "".join(f"<li>{self.written(item)}</li>" for item in section.statements)
            parts += ["<p><b>Recorded as saying:</b></p>", f'<ul class="said">{items}</ul>']
        parts += [f'<p class="left-out">{H.text(note)}</p>' for note in section.left_out]
        return "\n".join([*parts, "</section>"])

    def written(self, phrase: Phrase) -> str:
        """A phrase as HTML: text escaped, entities linked, marks as footnote links."""
        out = []
        for piece in phrase:
            if isinstance(piece, str):
                out.append(H.text(piece))
            elif isinstance(piece, Named):
                out.append(self.entity(piece))
            elif isinstance(piece, Marks):
                out.append(self.marks(piece))
        return "".join(out)

    def entity(self, entity: Named) -> str:
        name = H.text(entity.name)
        if entity.id in self.covered:
            return f'<a href="#{anchor("e-", entity.id)}">{name}</a>'
        about = H.text(f"{entity.type} · {entity.id} (not in this brief)")
        return f'<span class="other" title="{about}">{name}</span>'

    def marks(self, marks: Marks) -> str:
        links = []
        for n in marks.numbers:
            first = f' id="ref-{n}"' * (n not in self.marked)
            self.marked.add(n)
            links.append(f'<a href="#fn-{n}"{first} aria-label="note {n}">{n}</a>')
        return f'<sup class="fn">{",".join(links)}</sup>'


def notes_html(brief: Brief, references: Cited) -> str:
    """The numbered footnotes: what the source says, then its citation, linked to its
    reference."""
    items = []
    for note in brief.footnotes:
        source = note.citation["source"]
        citation = references.citations.get(source, H.text(source))
        locator = f", {H.text(note.citation['locator'])}" if "locator" in note.citation else ""
        if "<a " not in citation:  # a link in a link is not HTML
            citation = f'<a href="#{anchor("src-", source)}">{citation}</a>'
        back = f' <a class="back" href="#ref-{note.number}" aria-label="back">↩</a>'
        items.append(
            f'<li id="fn-{note.number}">{H.text(said(note))} {citation}{locator}.{back}</li>'
        )
    body = "\n".join(items)
    return "\n".join(['<section class="notes">', "<h2>Notes</h2>",
                      f'<ol class="notes">\n{body}\n</ol>', "</section>"])  # fmt: skip


def sources_html(references: Cited) -> str:
    items = [f'<li id="{anchor("src-", i)}">{text}</li>' for i, text in references.references]
    body = "\n".join(items) or "<li>None.</li>"
    return "\n".join(['<section class="sources">', "<h2>Sources</h2>",
                      f'<ul class="references">\n{body}\n</ul>', "</section>"])  # fmt: skip
