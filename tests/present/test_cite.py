"""`cpkb cite`: what a reference resolves to, CSL-JSON, BibTeX (read back by a BibTeX parser),
and the CSL styles as pandoc renders them, on a small version-2 file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pybtex.database import parse_string
from pylatexenc import latex2text
from typer.testing import CliRunner, Result

from cpkb.cli import app
from cpkb.present import csl
from cpkb.present.cite import bibtex_keys
from cpkb.query.text import visible

DATA = Path(__file__).resolve().parents[1] / "data" / "good" / "v2-sources.json"
ESC = "\x1b"
PROGRAMME_SOURCES = ["observer-2025", "unicef-report-2024", "inform-ru-2026", "stat-bureau-mics"]
RUSSIAN_TITLE = "Правительство приняло концепцию «Дети Казахстана»"


def cite(runner: CliRunner, *args: str, data: Path = DATA, **env: str) -> Result:
    return runner.invoke(app, ["--data", str(data), "cite", *args], env=env or None)


def cite_json(runner: CliRunner, *args: str, data: Path = DATA, **env: str) -> Any:
    result = cite(runner, *args, "--json", data=data, **env)
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout
    return json.loads(result.stdout)


def cited_ids(runner: CliRunner, ref: str, data: Path = DATA, **env: str) -> list[str]:
    return [item["id"] for item in cite_json(runner, ref, "--style", "csl-json", data=data, **env)]


def document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return doc


def written(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# --- what REF means ------------------------------------------------------------------------


@pytest.mark.parametrize("index", ["never", "always"])
@pytest.mark.parametrize(
    ("ref", "sources"),
    [
        ("cp-status-approved", ["inform-ru-2026", "observer-2025"]),  # a stored claim id
        ("children-programme-c2", ["stat-bureau-mics"]),  # a claim id made from its place
        ("unicef-report-2024", ["unicef-report-2024"]),  # a source
        ("children-programme", PROGRAMME_SOURCES),  # an entity: its own, then its claims'
        ("Дети Казахстана", PROGRAMME_SOURCES),  # by alias
        ("children of kazakstan", PROGRAMME_SOURCES),  # forgiving, as every command is
        ("Bureau of National Statistics", ["stat-bureau-mics"]),
    ],
)
def test_a_ref_is_a_claim_a_source_or_an_entity(
    runner: CliRunner, ref: str, sources: list[str], index: str
) -> None:
    assert cited_ids(runner, ref, CPKB_INDEX=index) == sources


def test_a_claim_id_comes_before_a_source_id(runner: CliRunner, tmp_path: Path) -> None:
    doc = document()
    doc["entities"][0]["claims"][0]["id"] = "unicef-report-2024"
    data = written(tmp_path, doc)
    for index in ("never", "always"):
        assert cited_ids(runner, "unicef-report-2024", data, CPKB_INDEX=index) == [
            "inform-ru-2026",
            "observer-2025",
        ]


def test_a_source_id_comes_before_an_entity(runner: CliRunner, tmp_path: Path) -> None:
    doc = document()
    doc["sources"].append({**doc["sources"][0], "id": "children-programme", "title": "Same id"})
    data = written(tmp_path, doc)
    for index in ("never", "always"):
        assert cited_ids(runner, "children-programme", data, CPKB_INDEX=index) == [
            "children-programme"
        ]


@pytest.mark.parametrize("style", ["apa", "bibtex", "csl-json"])
def test_an_unknown_ref_is_the_usual_one_line_error(runner: CliRunner, style: str) -> None:
    result = cite(runner, "Childrn of Kazakstn programme nowhere", "--style", style)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("cpkb: error: no entity matches 'Childrn of Kazakstn")
    assert "did you mean" in result.stderr and result.stderr.count("\n") == 1


# --- CSL-JSON ------------------------------------------------------------------------------


def test_csl_json_items_carry_type_date_precision_url_access_and_language(
    runner: CliRunner,
) -> None:
    items = {item["id"]: item for item in cite_json(runner, "children-programme", "-s", "csl-json")}
    assert items["observer-2025"] == {
        "id": "observer-2025",
        "type": "article-newspaper",
        "title": "Child Protection Measures Praised by UNICEF",
        "container-title": "The Daily Observer",
        "issued": {"date-parts": [[2025, 11, 29]]},
        "URL": "https://observer.example/news/134853",
        "accessed": {"date-parts": [[2025, 12, 1]]},
        "language": "en",
    }
    assert items["inform-ru-2026"]["issued"] == {"date-parts": [[2026, 1]]}
    assert items["inform-ru-2026"]["title"] == RUSSIAN_TITLE
    assert items["inform-ru-2026"]["language"] == "ru"
    undated = items["stat-bureau-mics"]
    assert undated["type"] == "webpage" and "issued" not in undated
    assert undated["accessed"] == {"date-parts": [[2026, 2]]}
    report = items["unicef-report-2024"]
    assert report["type"] == "report" and report["publisher"] == "UNICEF Kazakhstan"
    assert report["issued"] == {"date-parts": [[2024]]} and "URL" not in report


def test_csl_json_is_the_same_with_or_without_json(runner: CliRunner) -> None:
    plain = cite(runner, "children-programme", "--style", "csl-json")
    assert plain.exit_code == 0, plain.output
    assert json.loads(plain.stdout) == cite_json(runner, "children-programme", "-s", "csl-json")


def test_a_version_1_source_is_a_web_page(runner: CliRunner, mini: Path) -> None:
    [item] = cite_json(runner, "alpha", "--style", "csl-json", data=mini)
    assert item["type"] == "webpage" and "language" not in item and "accessed" not in item


# --- BibTeX --------------------------------------------------------------------------------

HOSTILE_TITLE = 'Braces { and } \\ 100% & $5 #1 a_b ~x^2 @home "q" [bold]x[/] \x1b[31m Қазақ'


def latex_decoder() -> latex2text.LatexNodes2Text:
    """pylatexenc's LaTeX-to-text, taught three LaTeX text commands it does not know."""
    context = latex2text.get_default_latex_context_db()
    context.add_context_category(
        "text-commands",
        prepend=True,
        macros=[
            latex2text.MacroTextSpec("textbraceleft", simplify_repl="{"),
            latex2text.MacroTextSpec("textbraceright", simplify_repl="}"),
            latex2text.MacroTextSpec("textasciicircum", simplify_repl="^"),
        ],
    )
    return latex2text.LatexNodes2Text(latex_context=context, strict_latex_spaces=True)


def bibtex_of(runner: CliRunner, ref: str, data: Path = DATA) -> Any:
    result = cite(runner, ref, "--style", "bibtex", data=data)
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout
    return parse_string(result.stdout, "bibtex")  # strict: any syntax error raises


def test_bibtex_parses_with_the_source_ids_as_keys(runner: CliRunner) -> None:
    entries = bibtex_of(runner, "children-programme").entries
    assert list(entries) == PROGRAMME_SOURCES
    news = entries["observer-2025"]
    assert news.type == "article"
    assert news.fields["journal"] == "The Daily Observer"
    assert (news.fields["year"], news.fields["month"]) == ("2025", "November")
    assert news.fields["date"] == "2025-11-29" and news.fields["urldate"] == "2025-12-01"
    assert entries["unicef-report-2024"].type == "techreport"
    assert entries["unicef-report-2024"].fields["institution"] == "UNICEF Kazakhstan"
    undated = entries["stat-bureau-mics"]
    assert undated.type == "misc" and "year" not in undated.fields
    decode = latex_decoder().latex_to_text
    assert decode(entries["inform-ru-2026"].fields["title"]) == RUSSIAN_TITLE
    assert entries["inform-ru-2026"].fields["month"] == "January"


def test_bibtex_escapes_what_latex_and_bibtex_would_read(runner: CliRunner, tmp_path: Path) -> None:
    doc = document()
    doc["sources"][0].update(
        title=HOSTILE_TITLE,
        publisher="A & B {Press",
        url="https://x.example/a%20b?c=1&d={e}#f",
    )
    entries = bibtex_of(runner, "observer-2025", written(tmp_path, doc)).entries
    fields = entries["observer-2025"].fields
    decode = latex_decoder().latex_to_text
    assert decode(fields["title"]) == visible(HOSTILE_TITLE)
    assert decode(fields["journal"]) == "A & B {Press"
    assert fields["url"] == "https://x.example/a%20b?c=1&d=%7Be%7D#f"


def test_bibtex_keys_are_ids_or_made_safe_and_unique() -> None:
    ids = ["observer-2025", "Bad Id,{x}", "Bad-Id--x-", "", "Bad Id,{x}"]
    assert bibtex_keys(ids) == [
        "observer-2025",
        "Bad-Id--x-",
        "Bad-Id--x--2",
        "source",
        "Bad-Id--x--3",
    ]


def test_bibtex_json_holds_each_entry_by_source(runner: CliRunner) -> None:
    view = cite_json(runner, "cp-status-approved", "--style", "bibtex")
    assert view["style"] == "bibtex"
    assert [r["source"] for r in view["references"]] == ["inform-ru-2026", "observer-2025"]
    assert view["references"][0]["text"].startswith("@article{inform-ru-2026,\n")


# --- CSL styles ----------------------------------------------------------------------------

EXPECTED = {  # source: (title, publisher, year)
    "observer-2025": ("Child Protection Measures Praised by UNICEF", "The Daily Observer", "2025"),
    "unicef-report-2024": ("Situation Analysis of Children in Kazakhstan", "UNICEF", "2024"),
    "inform-ru-2026": (RUSSIAN_TITLE, "Казинформ", "2026"),
    "stat-bureau-mics": (
        "Monitoring the situation of children and women",
        "Bureau of National Statistics",
        None,
    ),
}
UNDATED = {"apa": "(n.d.)", "chicago": "n.d."}  # MLA leaves an unknown date out


@pytest.mark.parametrize("style", ["apa", "chicago", "mla"])
def test_a_style_renders_title_publisher_and_year(runner: CliRunner, style: str) -> None:
    view = cite_json(runner, "children-programme", "--style", style)
    assert view["style"] == style
    texts = {r["source"]: r["text"] for r in view["references"]}
    assert sorted(texts) == sorted(PROGRAMME_SOURCES)
    for source, (title, publisher, year) in EXPECTED.items():
        text = texts[source]
        assert title.casefold() in text.casefold(), (source, text)  # styles may title-case
        assert publisher.casefold() in text.casefold(), (source, text)
        if year is not None:
            assert year in text, (source, text)
    assert RUSSIAN_TITLE in texts["inform-ru-2026"]  # not title-cased: it is not English
    assert UNDATED.get(style, "") in texts["stat-bureau-mics"]


def test_styles_differ_and_order_as_the_style_sorts(runner: CliRunner) -> None:
    texts = {
        style: [
            r["text"] for r in cite_json(runner, "children-programme", "-s", style)["references"]
        ]
        for style in ("apa", "chicago", "mla")
    }
    assert len({tuple(t) for t in texts.values()}) == 3
    assert "(2025, November 29)" in " ".join(texts["apa"])
    assert "29 Nov. 2025" in " ".join(texts["mla"])


def test_human_output_is_a_paragraph_per_reference(runner: CliRunner) -> None:
    result = cite(runner, "children-programme")
    assert result.exit_code == 0, result.output
    paragraphs = result.stdout.rstrip("\n").split("\n\n")
    assert len(paragraphs) == 4 and all("\n" not in p for p in paragraphs)
    assert paragraphs == [r["text"] for r in cite_json(runner, "children-programme")["references"]]


@pytest.mark.parametrize("force_color", ["", "1"])
def test_data_is_shown_never_obeyed(runner: CliRunner, tmp_path: Path, force_color: str) -> None:
    doc = document()
    doc["sources"][0]["title"] = HOSTILE_TITLE
    data = written(tmp_path, doc)
    result = cite(runner, "observer-2025", data=data, FORCE_COLOR=force_color)
    assert result.exit_code == 0, result.output
    assert "[bold]x[/]" in result.stdout and "\\x1b[31m" in result.stdout
    assert "Braces { and } \\ 100% & $5 #1 a_b ~x^2" in result.stdout
    assert ESC not in result.stdout
    [reference] = cite_json(runner, "observer-2025", data=data)["references"]
    assert f"{HOSTILE_TITLE[:20]}" in reference["text"]


# --- the installation ----------------------------------------------------------------------


@pytest.mark.parametrize("style", list(csl.STYLE_FILES))
def test_each_style_is_installed_and_independent(style: str) -> None:
    """An independent style needs no parent style, which pandoc would fetch from the web."""
    text = Path(csl.style_file(style)).read_text(encoding="utf-8")
    assert 'rel="independent-parent"' not in text and "<bibliography" in text


def test_without_pandoc_the_error_is_one_line(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csl, "find_spec", lambda name: None)
    monkeypatch.setenv("PATH", os.devnull)
    result = cite(runner, "observer-2025")
    assert result.exit_code == 4
    assert result.stderr.startswith("cpkb: error: cannot format references: pandoc is not")
    assert result.stderr.count("\n") == 1
    assert cite(runner, "observer-2025", "--style", "bibtex").exit_code == 0  # needs no pandoc


def test_a_failing_pandoc_is_reported(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csl, "PANDOC_API", [0, 1])
    result = cite(runner, "observer-2025")
    assert result.exit_code == 4
    assert result.stderr.startswith("cpkb: error: pandoc failed (status ")
    assert "Incompatible API versions" in result.stderr


def test_the_installed_command_cites_into_a_pipe_that_closes_early() -> None:
    command = shutil.which("cpkb") or f'"{sys.executable}" -m cpkb'
    script = f'{command} --data "{DATA}" cite children-programme --style mla | head -1'
    done = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("“Child Protection Measures Praised by UNICEF.”")
