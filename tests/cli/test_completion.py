"""Shell completion: the callbacks, and real round trips through Typer's completion protocol."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from cpkb.cli import app
from cpkb.cli.completion import (
    MAX_ITEMS,
    complete_property,
    complete_ref,
    complete_type,
    inert,
    inert_help,
    ref_completions,
    typed,
)
from cpkb.kb import store
from cpkb.model.entities import Entity, KnowledgeBase
from cpkb.model.fields import ENTITY_TYPES
from tests.conftest import V1_BUNDLED

pytestmark = pytest.mark.v1_bundled


SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return store.load(V1_BUNDLED)


def values(items: list[tuple[str, str]]) -> list[str]:
    return [value for value, _ in items]


def context(*args: str):  # type: ignore[no-untyped-def]
    """The root context Typer builds while completing (the callback has not run)."""
    return get_command(app).make_context("cpkb", list(args), resilient_parsing=True)


@pytest.mark.parametrize(
    ("incomplete", "label", "expected"),
    [
        ("qaz", "qazaqstan-balalary", "qazaqstan-balalary"),
        ("Qaz", "Qazaqstan Balalary", "Qazaqstan Balalary"),
        ("qazaqstan b", "Qazaqstan Balalary", "qazaqstan balalary"),
        ("", "UNICEF", "UNICEF"),
        ("uni", "UNICEF", "uniCEF"),
        ("қаз", "Qazaqstan Balalary", None),
        ("kaz", "Qazaqstan Balalary", None),
    ],
)
def test_typed_keeps_what_was_typed(incomplete: str, label: str, expected: str | None) -> None:
    assert typed(incomplete, label) == expected
    if expected is not None:
        assert expected.startswith(incomplete)  # Typer drops anything else


def test_ref_completions_offer_ids_names_and_aliases(kb: KnowledgeBase) -> None:
    assert values(ref_completions(kb, "qaz")) == ["qazaqstan Balalary", "qazaqstan-balalary"]
    assert values(ref_completions(kb, "Qaz")) == ["Qazaqstan Balalary"]
    assert values(ref_completions(kb, "Hon")) == ["Honest Citizen"]
    assert values(ref_completions(kb, "regina d")) == ["regina de Dominicis"]
    help_text = dict(ref_completions(kb, "adal"))
    assert help_text["adal-azamat"] == "Adal Azamat"
    assert help_text["adal Azamat"] == "programme · adal-azamat"


def test_ref_completions_without_spaces_for_bash(kb: KnowledgeBase) -> None:
    assert values(ref_completions(kb, "Reg", spaces=False)) == ["Regina-de-dominicis"]
    everything = values(ref_completions(kb, "", spaces=False))
    assert everything and not any(" " in v for v in everything)
    assert set(kb.entities) <= set(everything)


def test_ref_completions_are_capped(kb: KnowledgeBase) -> None:
    assert len(ref_completions(kb, "")) <= MAX_ITEMS + 3


def test_complete_type() -> None:
    assert values(complete_type("")) == list(ENTITY_TYPES)
    assert values(complete_type("pro")) == ["programme"]
    assert values(complete_type("Off")) == ["Official"]
    assert complete_type("x") == []


def test_callbacks_read_the_data_option(tmp_path: Path) -> None:
    mini = Path(__file__).resolve().parents[1] / "data" / "mini.json"
    ctx = context("--data", str(mini))
    assert values(complete_ref(ctx, "beta")) == ["beta", "beta-law", "beta-org"]
    assert values(complete_property(ctx, "")) == ["attributed_to", "member_of"]
    assert values(complete_ref(context(), "akor")) == ["akorda"]


@pytest.mark.parametrize("content", [None, "", "{not json", '{"schema_version": 99}'])
def test_callbacks_never_raise_on_bad_data(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "kb.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    ctx = context("--data", str(path))
    assert complete_ref(ctx, "") == []
    assert complete_property(ctx, "") == []


def complete(shell: str, words: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m cpkb` the way the installed completion script runs `cpkb`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPKB_", "_TYPER", "COMP_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["_CPKB_COMPLETE"] = f"complete_{shell}"
    env["CPKB_DATA"] = str(V1_BUNDLED)
    if shell == "bash":
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(words.split()) - (not words.endswith(" "))))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-m", "cpkb"], env=env, capture_output=True, text=True, timeout=60
    )


def test_bash_round_trip() -> None:
    done = complete("bash", "cpkb xref qaz")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["qazaqstan-balalary"]
    assert complete("bash", "cpkb path Reg").stdout.splitlines() == ["Regina-de-dominicis"]
    assert complete("bash", "cpkb search x --type st").stdout.splitlines() == ["statistic"]


@pytest.mark.parametrize("command", ["timeline", "conflicts", "timeline --known-by 2026"])
def test_the_optional_ref_of_timeline_and_conflicts_completes(command: str) -> None:
    done = complete("bash", f"cpkb {command} qaz")
    assert done.stdout.splitlines() == ["qazaqstan-balalary"], done.stderr


@pytest.mark.parametrize(
    ("words", "expected"),
    [("cpkb add pro", ["programme"]),
     ("cpkb claim add unicef member_of --target qaz", ["qazaqstan-balalary"]),
     ("cpkb claim add unicef said --stated-by qaz", ["qazaqstan-balalary"])],
)  # fmt: skip
def test_the_type_and_references_of_a_write_complete(words: str, expected: list[str]) -> None:
    done = complete("bash", words)
    assert done.stdout.splitlines() == expected, done.stderr


def test_zsh_round_trip_offers_names_with_help() -> None:
    done = complete("zsh", "cpkb xref Reg")
    assert done.returncode == 0, done.stderr
    assert '"Regina De Dominicis":"official · regina-de-dominicis"' in done.stdout


def test_fish_round_trip_completes_properties() -> None:
    done = complete("fish", "cpkb xref unicef -p mem", _TYPER_COMPLETE_FISH_ACTION="get-args")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["member_of\trelation"]


def test_round_trip_with_a_missing_data_file_completes_nothing(tmp_path: Path) -> None:
    done = complete("bash", f"cpkb --data {tmp_path / 'missing.json'} xref a")
    assert done.returncode == 0
    assert done.stdout.strip() == "" and done.stderr == ""


@pytest.mark.parametrize("metacharacter", [*list("`$;|&<>'\"\\(){}*?[]~#!=:\t\n"), " "])
def test_a_label_a_shell_would_act_on_is_offered_as_its_id(metacharacter: str) -> None:
    entity = Entity("xv-1", "official", f"Xv{metacharacter}x", (f"Xvv{metacharacter}",), "", (), ())
    offered = ref_completions([entity], "Xv", spaces=metacharacter != " ")
    assert values(offered) == ["Xv-1"]
    assert all(inert(value, spaces=True) for value in values(offered))


def test_help_text_keeps_nothing_a_shell_would_act_on() -> None:
    assert inert_help("A `b` $(c); ‘d’ · e (f)") == "A  b   (c)  ‘d’ · e (f)"


def test_no_two_candidates_differ_only_in_case(kb: KnowledgeBase) -> None:
    for incomplete in ("", "a", "A", "uni", "Reg", "qaz"):
        for spaces in (True, False):
            offered = values(ref_completions(kb, incomplete, spaces=spaces))
            assert len({v.casefold() for v in offered}) == len(offered), (incomplete, offered)


def test_words_of_one_reference_complete_the_rest_of_a_label() -> None:
    mini = Path(__file__).resolve().parents[1] / "data" / "mini.json"
    assert complete("bash", f"cpkb --data {mini} show Alpha Pe").stdout.splitlines() == ["Person"]
    after = complete("bash", f"cpkb --data {mini} show alpha-person ", _CPKB_SCRIPT="2")
    assert after.stdout.strip() == ""  # nothing, and no cue for file names


def test_cpkbs_bash_script_asks_for_files_only_where_files_go(tmp_path: Path) -> None:
    ref = complete("bash", "cpkb show zzz", _CPKB_SCRIPT="2")
    assert (ref.returncode, ref.stdout.strip()) == (0, "")
    data = complete("bash", "cpkb validate ", _CPKB_SCRIPT="2")
    assert data.stdout.strip() == ":files"
    typers = complete("bash", "cpkb validate ")  # a script Typer installed: no cue it can't read
    assert typers.stdout.strip() == ""


def test_zsh_falls_back_to_files_only_where_files_go() -> None:
    assert complete("zsh", "cpkb show zzz").stdout.strip() == "_message 'no match'"
    assert complete("zsh", "cpkb validate ").stdout.strip() == "_files"


@pytest.mark.parametrize("how", ["--show-completion", ""])
def test_the_bash_script_is_cpkbs(how: str) -> None:
    """As `source <(_CPKB_COMPLETE=source_bash cpkb)` and `--show-completion` (run by bash, the
    shell it detects: `; true` keeps bash from handing its process over) give it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("_CPKB")}
    if not how:
        env["_CPKB_COMPLETE"] = "source_bash"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    done = subprocess.run(["bash", "-c", f"'{sys.executable}' -m cpkb {how}; true"], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert "_CPKB_SCRIPT=2" in done.stdout and "compopt -o filenames" in done.stdout
    assert "-o default -F" not in done.stdout
