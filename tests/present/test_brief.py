"""`cpkb brief` as Markdown: read back with markdown-it-py as GitHub reads it (footnotes, the
anchors of headings), on the bundled knowledge base, a small version-2 fixture and a hostile one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import html5lib  # type: ignore[import-untyped]
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.kb import store
from cpkb.model.entities import KnowledgeBase
from cpkb.present import cite, csl
from cpkb.present.wording import period_words, spoken_date, time_words
from cpkb.query.text import visible

DATA = Path(__file__).resolve().parents[1] / "data"
V2_TIME = DATA / "good" / "v2-time.json"
HOSTILE = DATA / "brief-hostile.json"
QB, KARIN = "qazaqstan-balalary", "erlan-karin"
LAW = "law-on-ensuring-womens-rights-and-childrens-safety"
GFM = (
    MarkdownIt("commonmark")
    .enable(["table", "strikethrough"])
    .use(footnote_plugin)
    .use(anchors_plugin, max_level=2)
)


def brief(runner: CliRunner, *args: str, data: Path | None = None) -> str:
    result = runner.invoke(app, [*(["--data", str(data)] if data else []), "brief", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def flat(tokens: list[Token]) -> list[Token]:
    """Every token, inline children included, in document order."""
    found = []
    for token in tokens:
        found.append(token)
        found += flat(token.children or [])
    return found


def sections(document: str) -> dict[str, str]:
    """Each `## ` section's Markdown, by heading line."""
    parts = re.split(r"^## ", document, flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0]: part for part in parts}


def rendered(document: str) -> object:
    """The Markdown as the HTML markdown-it makes of it, parsed by html5lib."""
    return html5lib.parse(GFM.render(document), namespaceHTMLElements=False)


# --- footnotes and links resolve --------------------------------------------------------------


def test_every_footnote_reference_resolves_and_every_note_is_referenced(runner: CliRunner) -> None:
    document = brief(runner, QB, KARIN, LAW)
    tokens = flat(GFM.parse(document))
    refs = [t.meta["label"] for t in tokens if t.type == "footnote_ref"]
    notes = [t.meta["label"] for t in tokens if t.type == "footnote_open"]
    written = re.findall(r"(?<!\\)\[\^(\d+)\](?!:)", document)
    assert len(refs) == len(written) > 50  # a reference without a note would stay text
    assert notes == [str(n) for n in range(1, len(notes) + 1)]
    assert set(refs) == set(notes)
    texts = [t.content for t in tokens if t.type == "text"]
    assert not any("[^" in text for text in texts)


def test_links_to_entities_in_the_brief_reach_their_headings(runner: CliRunner) -> None:
    document = brief(runner, QB, KARIN, LAW)
    tokens = flat(GFM.parse(document))
    anchors = {t.attrGet("id") for t in tokens if t.type == "heading_open"}
    targets = [str(t.attrGet("href")) for t in tokens if t.type == "link_open"]
    internal = [href for href in targets if href.startswith("#")]
    assert {"#erlan-karin", "#qazaqstan-balalary", f"#{LAW}"} <= set(internal)
    assert {href[1:] for href in internal} <= anchors
    assert all(href.startswith(("#", "https://", "http://")) for href in targets)


def test_an_entity_outside_the_brief_is_named_not_linked(runner: CliRunner) -> None:
    alone = brief(runner, QB)
    assert "according to Erlan Karin)" in alone
    assert "(#erlan-karin)" not in alone


# --- what it says -----------------------------------------------------------------------------


def test_sentences_use_the_vocabulary_and_say_who_said_it(runner: CliRunner) -> None:
    text = sections(brief(runner, QB, KARIN))["Qazaqstan Balalary"]
    assert "Status: approved (from 27 January 2026)[^" in text
    assert "Kind: comprehensive programme (according to [Erlan Karin](#erlan-karin))[^" in text
    assert "Provides for: " in text and "Name translated as: Children of Kazakhstan[^" in text
    assert "being coordinated" not in text  # superseded, so not current
    assert "1 claim not current on 7 December 2026 is left out" in text


def test_every_current_claim_is_cited_with_its_quote_or_paraphrase(runner: CliRunner) -> None:
    """Each citation of each current claim is a footnote: what the brief says, it sources."""
    document = brief(runner, QB)
    notes = "\n".join(line for line in document.splitlines() if line.startswith("[^"))
    shown = runner.invoke(app, ["show", QB, "--json", "--current"])
    view = json.loads(shown.stdout)
    citations = [c for claim in view["claims"] for c in claim["sources"]] + view["sources"]
    assert len(citations) > 30
    for citation in citations:
        said = citation.get("quote") or citation["paraphrase"]
        assert GFM.render(notes).count(said.replace("'", "&#x27;")) or said in notes, said


def test_a_conflict_is_shown_as_one(runner: CliRunner) -> None:
    law = sections(brief(runner, LAW))[
        visible("Law on Ensuring Women’s Rights and Children’s Safety")
    ]
    disagree = re.search(r"Sources disagree on approved by: (.+?\])\. ", law)
    assert disagree is not None
    assert "on 21 February 2024" in disagree[1] and "on 22 February 2024" in disagree[1]
    assert disagree[1].count("disputed") == 2
    bullying = brief(runner, "bullying-liability")
    assert re.search(r"Sources disagree on kind of liability: administrative \(better sourced.*"
                     r"criminal \(disputed; ranked below a preferred claim", bullying)  # fmt: skip


def test_as_of_and_known_by_change_what_it_says(runner: CliRunner) -> None:
    today = sections(brief(runner, QB))["Qazaqstan Balalary"]
    known = sections(brief(runner, QB, "--known-by", "2025-11-29"))["Qazaqstan Balalary"]
    as_of = sections(brief(runner, QB, "--as-of", "2025-12"))["Qazaqstan Balalary"]
    coordinated = "Status: being coordinated with relevant government bodies (according to Erlan"
    assert "Status: approved" in today and coordinated not in today
    assert coordinated in known and "Status: approved" not in known
    assert "Budget:" not in known and "cited only by sources dated after 29 November 2025" in known
    assert coordinated in as_of and "Budget:" in as_of  # current then, and known now
    head = brief(runner, QB, "--known-by", "2025-11-29").split("\n## ")[0]
    assert "Current on 29 November 2025, as known from sources dated by 29 November 2025" in head


def test_a_small_file_reads_plainly(runner: CliRunner) -> None:
    document = brief(runner, "children-programme", "law-x", "the-rate", data=V2_TIME)
    assert "Budget: 1,300,000,000,000 KZT[^3]; about 2,600,000,000 USD[^4]." in document
    assert "Implemented by: A. Person (according to A. Person)[^5]." in document
    assert "Sources disagree on liability: administrative (preferred)" in document
    assert (
        "Sources disagree on value: 8 percent (in 2024; baseline: 10, 2019)[^9]; 9 percent[^10]."
        in document
    )
    assert "Value:" not in document  # the earlier point of the series is history
    assert re.search(r"\[\^2\]: Paraphrase of a source in Russian: The Government approved .*"
                     r", art\. 1\.", document)  # fmt: skip


def test_dates_and_spans_read_as_words() -> None:
    assert [spoken_date(d) for d in ("2026-01-27", "2026-01", "2026", "D2025", "2026-13")] == [
        "27 January 2026", "January 2026", "2026", "D2025", "2026-13"
    ]  # fmt: skip
    assert period_words("2024-09/2024-11") == "covering September 2024 to November 2024"
    assert period_words("2026/..") == "covering the time from 2026"
    assert time_words({"date": "2024-02", "start": "2019", "end": "2024-06-16"}) == [
        "in February 2024", "from 2019 to 16 June 2024"
    ]  # fmt: skip


# --- references -------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["apa", "chicago", "mla"])
def test_the_bibliography_is_the_csl_style_cite_renders(runner: CliRunner, style: str) -> None:
    """Read back as text, the references are what `cpkb cite` prints for those sources."""
    document = brief(runner, QB, "--style", style)
    tree = rendered(document.split("## Sources", 1)[1])
    shown = ["".join(item.itertext()).strip() for item in tree.find(".//ul")]
    kb = store.load(store_path())
    cited = list(dict.fromkeys(re.findall(r"^\[\^\d+\]: .*$", document, flags=re.M)))
    expected = csl.render(cite.csl_json(sources_cited(kb, document)), style)
    assert len(shown) == len(expected) > 5 and len(cited) > len(shown)
    assert shown == [text for _, text in expected]
    assert any(item.find(".//em") is not None for item in tree.find(".//ul"))  # italics kept


def store_path() -> Path:
    from cpkb.kb.paths import default_data_path

    return default_data_path()


def sources_cited(kb: KnowledgeBase, document: str) -> list[object]:
    """The sources whose URLs the references print, in the knowledge base's order."""
    return [s for s in kb.sources.values() if s.url and f"<{s.url}>" in document]


# --- data is text -----------------------------------------------------------------------------


HOSTILE_TEXTS = (
    "Summary with [a link](javascript:alert(1)), <b>bold</b>, `code`, &amp; and"
    "\\x0a# a heading\\x1b[31m in red.",
    "**approved** [^2] <!-- c --> $x$",
    "- not a list item | nor a table |",
    "5 USD</p><script>alert(2)</script>",
    "Member of <i>*: *x* [^1]",
    "Has member [^3]: <script>alert(1)</script>",
)


def test_hostile_names_and_texts_show_as_text(runner: CliRunner) -> None:
    document = brief(runner, "script-entity", "star-entity", data=HOSTILE)
    tree = rendered(document)
    assert [h.text for h in tree.iter("h2")] == ["<script>alert(1)</script>", "*x* [^1]", "Sources"]
    assert not list(tree.iter("script")) and not list(tree.iter("img"))
    assert not [e for e in tree.iter() if e.tag in ("b", "p") and e.find("b") is not None]
    page = "".join(tree.itertext())
    for text in HOSTILE_TEXTS:
        assert text in page, text
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert all(h.startswith(("#", "https://")) for h in hrefs), hrefs
    tokens = flat(GFM.parse(document))
    assert len([t for t in tokens if t.type == "footnote_open"]) == 5
    assert not [
        t for t in tokens if t.type in ("html_inline", "html_block", "s_open", "table_open")
    ]


# --- the command ------------------------------------------------------------------------------


def test_output_file_is_written_atomically(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "brief.md"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    result = runner.invoke(app, ["brief", QB, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == brief(runner, QB)
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md"]


def test_an_unwritable_output_is_one_line_and_status_5(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["brief", QB, "-o", str(tmp_path / "file" / "brief.md")])
    assert result.exit_code == 5
    assert result.stderr.startswith("cpkb: error: ") and result.stderr.count("\n") == 1


def test_each_entity_once_and_unknown_references_fail(runner: CliRunner) -> None:
    twice = brief(runner, QB, "Children of Kazakhstan")
    assert twice.count("\n## ") == 2  # the entity and the sources
    assert twice.startswith("# Brief: Qazaqstan Balalary\n")
    missing = runner.invoke(app, ["brief", QB, "no such entity anywhere"])
    assert missing.exit_code == 1 and missing.stdout == ""
    assert missing.stderr.startswith("cpkb: error: no entity matches")


def test_the_index_gives_the_same_brief(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the index, a version-2 entity's neighbourhood holds its vocabulary and what it
    stated: the brief says the same as from the file, without reading the whole file."""
    expected = brief(runner, QB, KARIN)
    monkeypatch.setenv("CPKB_INDEX", "always")
    assert brief(runner, QB, KARIN) == expected


# --- speed (issue 17: one entity within a second, warm) ---------------------------------------
