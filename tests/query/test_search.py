"""Search and REF resolution: the ranking table on the bundled KB, properties, and the CLI."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cpkb.cli import app
from cpkb.errors import Ambiguous, NotFound
from cpkb.kb import store
from cpkb.model.entities import Citation, Entity, KnowledgeBase
from cpkb.query.names import NameIndex
from cpkb.query.search import SearchIndex
from cpkb.query.snippets import snippet
from cpkb.query.text import fold, skeleton
from tests.conftest import V1_BUNDLED

pytestmark = pytest.mark.v1_bundled


MINI = Path(__file__).resolve().parents[1] / "data" / "mini.json"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return store.load(V1_BUNDLED)


@pytest.fixture(scope="module")
def index(kb: KnowledgeBase) -> SearchIndex:
    return SearchIndex.build(kb)


@pytest.fixture(scope="module")
def names(kb: KnowledgeBase) -> NameIndex:
    return NameIndex.build(kb)


def cli(*args: str, data: Path | None = None) -> Result:
    prefix = ["--data", str(data)] if data else []
    return CliRunner().invoke(app, [*prefix, *args], env={"COLUMNS": "200"})


TOP_HITS = [
    # case
    ("ADAL AZAMAT", "adal-azamat"),
    ("unicef", "unicef"),
    ("akorda", "akorda"),
    # accents
    ("Ádál Azámat", "adal-azamat"),
    ("Régina De Dominicis", "regina-de-dominicis"),
    # hyphens, punctuation, slugs
    ("Adal-Azamat", "adal-azamat"),
    ("MICS-2024", "mics-2024"),
    ("mics 2024", "mics-2024"),
    ("qazaqstan-balalary", "qazaqstan-balalary"),
    (
        "law-on-ensuring-womens-rights-and-childrens-safety",
        "law-on-ensuring-womens-rights-and-childrens-safety",
    ),
    ("the president's reforms", "presidents-reforms"),
    ("Women's Rights", "law-on-ensuring-womens-rights-and-childrens-safety"),
    # Cyrillic: Kazakh letters and Russian spellings
    ("Қазақстан балалары", "qazaqstan-balalary"),
    ("ҚАЗАҚСТАН БАЛАЛАРЫ", "qazaqstan-balalary"),
    ("Адал азамат", "adal-azamat"),
    ("Ерлан Карин", "erlan-karin"),
    ("Казахстан", "kazakhstan"),
    ("Юнисеф", "unicef"),
    ("Регина", "regina-de-dominicis"),
    # loose transliteration between Kazakh and Russian romanisations
    ("Kazakhstan Balalary", "qazaqstan-balalary"),
    ("Qazaqstan Balalari", "qazaqstan-balalary"),
    # English translations stored as aliases
    ("Children of Kazakhstan", "qazaqstan-balalary"),
    ("Honest Citizen", "adal-azamat"),
    ("Head of State", "president-of-kazakhstan"),
    # typos: one or two per word
    ("Adal Azammat", "adal-azamat"),
    ("Adal Azamta", "adal-azamat"),
    ("Qazakstan Balalry", "qazaqstan-balalary"),
    ("Erlan Karim", "erlan-karin"),
    ("Reginna", "regina-de-dominicis"),
    ("UNISEF", "unicef"),
    # multi-word, in any field
    ("grave crimes children", "particularly-grave-crimes-against-children"),
    ("sexual offenses minors", "sexual-offences-involving-minors"),
    ("multiple indicator survey", "mics-2024"),
    ("women rights law", "law-on-ensuring-womens-rights-and-childrens-safety"),
    ("state counselor", "erlan-karin"),
    ("housing assistance", "amendments-to-seven-laws"),
    ("bullying", "law-on-ensuring-womens-rights-and-childrens-safety"),
]


@pytest.mark.parametrize(("query", "expected"), TOP_HITS)
def test_top_hit(index: SearchIndex, query: str, expected: str) -> None:
    hits = index.search(query)
    assert hits, f"no hits for {query!r}"
    assert hits[0].entity.id == expected, [(h.entity.id, h.score) for h in hits[:3]]


@pytest.mark.parametrize(
    "query", ["Kazakhstan", "UNICEF", "adal-azamat", "Children of Kazakhstan", "MICS"]
)
def test_an_exact_id_name_or_alias_scores_100(index: SearchIndex, query: str) -> None:
    top = index.search(query)[0]
    assert top.score == 100
    assert all(h.score < 100 for h in index.search(query)[1:])


def test_kazakh_and_latin_forms_fold_to_one_key() -> None:
    assert fold("Қазақстан балалары") == "qazaqstan balalary"
    assert skeleton("qazaqstan") == skeleton("kazakhstan")
    assert fold("Ә Ғ Қ Ң Ө Ұ Ү Һ І").split() == ["a", "gh", "q", "ng", "o", "u", "u", "h", "i"]


def entity(entity_id: str, name: str, *, summary: str = "x", quote: str = "x") -> Entity:
    return Entity(entity_id, "programme", name, (), summary, (Citation("s", quote),), ())


def test_all_words_outrank_some_words_and_names_outrank_quotes() -> None:
    index = SearchIndex.build(
        [
            entity("name-some", "Alpha"),
            entity("quote-all", "Unrelated", quote="an alpha and a beta"),
            entity("name-all", "Alpha Beta"),
            entity("summary-all", "Other", summary="alpha beta"),
        ]
    )
    ranked = [h.entity.id for h in index.search("beta alpha")]
    assert ranked == ["name-all", "summary-all", "quote-all", "name-some"]
    assert [h.entity.id for h in index.search("alpha")][:1] == ["name-some"]


def test_a_typo_in_a_name_still_outranks_an_exact_quote() -> None:
    index = SearchIndex.build(
        [entity("quoted", "Nothing", quote="the keyword"), entity("named", "Keywrod")]
    )
    assert [h.entity.id for h in index.search("keyword")] == ["named", "quoted"]


def test_hit_shows_field_and_highlighted_snippet(index: SearchIndex) -> None:
    hit = index.search("bullying")[0]
    assert hit.field == "summary"
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["bullying"]
    alias = index.search("Honest Citizen")[0]
    assert alias.field == "alias" and alias.snippet == "Honest Citizen"
    claim = index.search("being established")[0]
    assert claim.entity.id == "child-rights-departments" and claim.field == "claim.status"


def test_snippet_is_a_window_around_the_matches() -> None:
    text = "word " * 40 + "needle in the haystack " + "word " * 40
    shown, spans = snippet(text, {"needle", "haystack"}, width=60)
    assert len(shown) <= 62 and shown.startswith("…") and shown.endswith("…")
    assert [shown[a:b] for a, b in spans] == ["needle", "haystack"]


def test_type_filter_and_limit(index: SearchIndex) -> None:
    hits = index.search("kazakhstan", entity_type="programme", limit=2)
    assert len(hits) == 2 and {h.entity.type for h in hits} == {"programme"}
    assert index.search("kazakhstan", entity_type="statistic") == []


@pytest.mark.parametrize("query", ["", "   ", "!!!", "…", "zzzzqqqq"])
def test_no_hits(index: SearchIndex, query: str) -> None:
    assert index.search(query) == []


SPECIAL = st.sampled_from(
    [
        "",
        " \t\n",
        ".*+?[](){}|^$\\",
        "(?i)a|b",
        "a\u0301dal",
        "\u0301\u0308\u20dd",
        "مرحبا بالعالم",
        "שלום עולם",
        "\u202eAdal\u202c",
        "\x00\x1b[31m",
        "Қ" * 500,
        "a " * 300,
    ]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.one_of(st.text(), SPECIAL, st.text(st.characters(categories=["Mn", "Me", "Cf"]))))
def test_search_never_raises_and_hits_name_real_entities(
    index: SearchIndex, kb: KnowledgeBase, query: str
) -> None:
    hits = index.search(query, limit=None)
    assert len({h.entity.id for h in hits}) == len(hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert kb.entities[hit.entity.id] is hit.entity
        assert all(0 <= a < b <= len(hit.snippet) for a, b in hit.highlights)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ref=st.one_of(st.text(), SPECIAL))
def test_resolve_returns_an_entity_or_raises_not_found_or_ambiguous(
    names: NameIndex, ref: str
) -> None:
    with contextlib.suppress(NotFound, Ambiguous):
        assert names.resolve(ref).id in names.entities


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("Kazakhstan Balalary", "qazaqstan-balalary"),
        ("Қазақстан балалары", "qazaqstan-balalary"),
        ("regina", "regina-de-dominicis"),
        ("Adal Azammat", "adal-azamat"),
        ("erlan", "erlan-karin"),
        ("gulf", "the-gulf-observer"),
        ("women rights law", "law-on-ensuring-womens-rights-and-childrens-safety"),
    ],
)
def test_resolve_a_unique_strong_match(names: NameIndex, ref: str, expected: str) -> None:
    assert names.resolve(ref).id == expected


@pytest.mark.parametrize(
    ("ref", "candidates"),
    [
        ("law", {"law-on-ensuring-womens-rights-and-childrens-safety", "amendments-to-seven-laws"}),
        ("president", {"president-of-kazakhstan", "presidents-reforms"}),
    ],
)
def test_resolve_several_strong_matches_is_ambiguous(
    names: NameIndex, ref: str, candidates: set[str]
) -> None:
    with pytest.raises(Ambiguous) as caught:
        names.resolve(ref)
    assert {c.split()[0] for c in caught.value.candidates} == candidates


def test_resolve_suggests_close_names(names: NameIndex) -> None:
    with pytest.raises(NotFound) as caught:
        names.resolve("Adal Azamatt Programme Nonexistent")
    assert caught.value.suggestions == ["Adal Azamat"]
    with pytest.raises(NotFound) as nothing:
        names.resolve("frobnicate")
    assert nothing.value.suggestions == []


def test_resolve_with_a_type_names_the_entity_of_another_type(names: NameIndex) -> None:
    with pytest.raises(NotFound) as caught:
        names.resolve("Adal Azammat", entity_type="law")
    assert "not a law" in str(caught.value.hint) and "adal-azamat" in str(caught.value.hint)
    assert names.resolve("Adal Azammat", entity_type="programme").id == "adal-azamat"


def test_resolving_an_id_does_not_import_rapidfuzz() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cpkb.cli import app\n"
        "assert CliRunner().invoke(app, ['show', 'adal-azamat', '--json']).exit_code == 0\n"
        "assert CliRunner().invoke(app, ['show', 'Honest Citizen', '--json']).exit_code == 0\n"
        "print('rapidfuzz' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPKB_")}
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "False"


# The command line.


def test_cli_search_json_contract() -> None:
    result = cli("search", "Қазақстан балалары", "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert list(hits[0]) == ["id", "type", "name", "score", "matched"]
    assert hits[0]["id"] == "qazaqstan-balalary" and hits[0]["score"] == 100
    assert set(hits[0]["matched"]) == {"field", "snippet", "highlights"}
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert result.stderr == ""


def test_cli_search_human_output_shows_field_and_snippet() -> None:
    result = cli("search", "bullying", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert "Law on Ensuring Women’s Rights" in result.stdout
    assert "summary:" in result.stdout and "bullying" in result.stdout
    assert "\x1b" not in result.stdout
    assert result.stderr == ""


def test_cli_search_type_and_limit() -> None:
    hits = json.loads(
        cli("search", "kazakhstan", "--type", "programmes", "-n", "2", "--json").stdout
    )
    assert len(hits) == 2 and {h["type"] for h in hits} == {"programme"}


def test_cli_search_no_hits() -> None:
    as_json = cli("search", "zzzzqqqq", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == []
    assert "no entity matches 'zzzzqqqq'" in as_json.stderr
    human = cli("search", "?!")
    assert human.exit_code == 1 and human.stdout == ""
    assert "no letters or digits" in human.stderr


def test_cli_search_rejects_an_unknown_type() -> None:
    result = cli("search", "x", "--type", "people")
    assert result.exit_code == 2
    assert "unknown type 'people'" in result.stderr and result.stdout == ""


def test_cli_search_prints_markup_in_data_literally() -> None:
    result = cli("search", "beta org", data=MINI)
    assert result.exit_code == 0, result.output
    assert "[bold red]Beta[/] Org" in result.stdout
    hits = json.loads(cli("search", "beta org", "--json", data=MINI).stdout)
    assert hits[0]["name"] == "[bold red]Beta[/] Org"


def test_cli_show_resolves_loose_forms() -> None:
    for ref in ("Kazakhstan Balalary", "Қазақстан балалары", "Qazakstan Balalry"):
        result = cli("show", ref, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["id"] == "qazaqstan-balalary"


def test_cli_show_ambiguous_and_not_found_messages() -> None:
    ambiguous = cli("show", "law")
    assert ambiguous.exit_code == 1 and ambiguous.stdout == ""
    assert "ambiguous" in ambiguous.stderr and "amendments-to-seven-laws" in ambiguous.stderr
    missing = cli("show", "Adal Azamatt Programme Nonexistent")
    assert missing.exit_code == 1
    assert "did you mean: Adal Azamat?" in missing.stderr


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_search_json_pipes_into_jq() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPKB_")}
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    found = subprocess.run(
        [sys.executable, "-m", "cpkb", "search", "Honest Citizen", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    top: Any = subprocess.run(
        ["jq", "-r", ".[0] | [.id, .matched.field] | @tsv"],
        input=found.stdout,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert top.strip() == "adal-azamat\talias"
