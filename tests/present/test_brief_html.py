"""`cpkb brief --format html`: parsed as HTML5 by html5lib (no parse error), standalone (nothing
to fetch, nothing to run), saying what the Markdown says, data as text; and drawn by headless
Chromium (Debian's `chromium`, which .ci/run installs) into a screenshot that is not blank and
shows the title.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import html5lib  # type: ignore[import-untyped]
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from PIL import Image, ImageChops
from typer.testing import CliRunner

from cpkb.cli import app
from tests.present.test_brief import HOSTILE_TEXTS

DATA = Path(__file__).resolve().parents[1] / "data"
HOSTILE = DATA / "brief-hostile.json"
REFS = ["qazaqstan-balalary", "erlan-karin", "law-on-ensuring-womens-rights-and-childrens-safety"]
TITLE = (
    "Brief: Qazaqstan Balalary, Erlan Karin and "
    + "Law on Ensuring Women’s Rights and Children’s Safety"
)
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
EMBEDDING = ("script", "link", "img", "iframe", "object", "embed", "source", "video", "audio",
             "base", "form", "svg", "math")  # fmt: skip


def brief(runner: CliRunner, *args: str, data: Path | None = None) -> str:
    command = [*(["--data", str(data)] if data else []), "brief", *args]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    return result.stdout


def parsed(page: str) -> Any:
    """The page as html5lib parses it, which must report no parse error."""
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    tree = parser.parse(page)
    assert parser.errors == [], parser.errors[:5]
    return tree


def text(element: Any) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


@pytest.fixture(scope="module")
def page() -> str:
    return brief(CliRunner(), *REFS, "--format", "html")


def test_the_page_parses_as_html5(page: str, runner: CliRunner) -> None:
    tree = parsed(page)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert tree.find("head/meta").get("charset") == "utf-8"
    assert text(tree.find("head/title")) == TITLE == text(tree.find(".//h1"))
    assert [text(h) for h in tree.iterfind(".//section[@class='entity']/h2")] == [
        "Qazaqstan Balalary", "Erlan Karin", "Law on Ensuring Women’s Rights and Children’s Safety"
    ]  # fmt: skip
    for style in ("chicago", "mla"):
        parsed(brief(runner, REFS[0], "--format", "html", "--style", style))
    parsed(brief(runner, "children-programme", "-f", "html", data=DATA / "good" / "v2-time.json"))


def test_the_page_is_standalone(page: str) -> None:
    """Nothing to fetch and nothing to run: no embedded resource, no script, no handler, a
    style that loads nothing, and a policy that tells the browser so."""
    tree = parsed(page)
    assert not [e.tag for e in tree.iter() if e.tag in EMBEDDING]
    attributes = {name for e in tree.iter() for name in e.attrib}
    assert not [a for a in attributes if a.startswith("on") or a in ("src", "srcset", "style")]
    style = text(tree.find("head/style"))
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert "@media print" in style
    policy = tree.find("head/meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'none'" in policy and "script-src" not in policy


def test_links_resolve_and_footnotes_link_both_ways(page: str) -> None:
    tree = parsed(page)
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    hrefs = [a.get("href") for a in tree.iter("a")]
    internal = [h for h in hrefs if h.startswith("#")]
    assert {h[1:] for h in internal} <= set(ids)
    sources = tree.find(".//section[@class='sources']")
    external = {a.get("href") for a in sources.iter("a")}
    assert set(hrefs) - set(internal) == external and all(h.startswith("http") for h in external)
    notes = tree.findall(".//ol[@class='notes']/li")
    assert [n.get("id") for n in notes] == [f"fn-{n}" for n in range(1, len(notes) + 1)]
    marked = {h for h in internal if h.startswith("#fn-")}
    assert marked == {f"#{n.get('id')}" for n in notes}
    assert all(n.find("a[@class='back']").get("href") == f"#ref-{n.get('id')[3:]}" for n in notes)


GFM = MarkdownIt("commonmark").use(footnote_plugin)


def prose(element: Any) -> str:
    """The element's text without its footnote marks (`sup`), spaces collapsed."""
    parts = [element.text or ""]
    for child in element:
        parts += [prose(child) if child.tag != "sup" else "", child.tail or ""]
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def test_the_page_says_what_the_markdown_says(page: str, runner: CliRunner) -> None:
    """Paragraph by paragraph, footnote by footnote, as text."""
    markdown = html5lib.parse(GFM.render(brief(runner, *REFS)), namespaceHTMLElements=False)
    tree = parsed(page)
    said_md = [prose(p) for p in markdown.iterfind("body/p")][1:-1]
    said_html = [prose(p) for p in tree.iterfind(".//section[@class='entity']/p")]
    assert said_md == said_html and len(said_md) > 8
    back = re.compile(r"( ↩\ufe0e?)+$")  # the links back to the text
    notes_md = [back.sub("", text(li)) for li in markdown.iterfind(".//section/ol/li")]
    notes_html = [back.sub("", text(li)) for li in tree.iterfind(".//ol[@class='notes']/li")]
    assert notes_md == notes_html and len(notes_md) > 50


def test_hostile_data_shows_as_text(runner: CliRunner) -> None:
    page = brief(runner, "script-entity", "star-entity", "-f", "html", data=HOSTILE)
    tree = parsed(page)
    assert text(tree.find("head/title")) == "Brief: <script>alert(1)</script> and *x* [^1]"
    assert [text(h) for h in tree.iterfind(".//section[@class='entity']/h2")] == [
        "<script>alert(1)</script>", "*x* [^1]"
    ]  # fmt: skip
    assert not [e.tag for e in tree.iter() if e.tag in EMBEDDING or (e.tag == "p" and e.find("p"))]
    assert not [a for e in tree.iter() for a in e.attrib if a.startswith("on")]
    body = text(tree.find("body"))
    for said in ('<p onclick="alert(4)">approved</p>', *HOSTILE_TEXTS):
        assert said in body, said
    assert all(a.get("href").startswith(("#", "https://")) for a in tree.iter("a"))


# --- drawn by a browser -----------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def screenshot(page: Path, tmp_path: Path) -> Image.Image:
    """What headless Chromium draws of `page` in a 1000×1400 window."""
    png = page.with_suffix(".png")
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}",
               "--window-size=1000,1400", page.as_uri()]  # fmt: skip
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    with Image.open(png) as image:
        return image.convert("L")


@needs_chromium
def test_chromium_draws_the_page_with_its_title(page: str, tmp_path: Path) -> None:
    shown = tmp_path / "brief.html"
    shown.write_text(page, encoding="utf-8")
    untitled = tmp_path / "untitled.html"  # the same page, its title drawn in no ink
    untitled.write_text(page.replace("</style>", "h1 { visibility: hidden; }</style>", 1),
                        encoding="utf-8")  # fmt: skip
    drawn, without = screenshot(shown, tmp_path), screenshot(untitled, tmp_path)
    assert drawn.size == (1000, 1400)
    ink = sum(drawn.histogram()[:160])  # dark pixels: text
    assert 0.01 < ink / (1000 * 1400) < 0.5, ink  # neither blank nor a block of one colour
    changed = ImageChops.difference(drawn, without).getbbox()
    assert changed is not None  # the title is drawn
    left, top, right, bottom = changed
    assert top < 120 and bottom < 300 and right - left > 300, changed  # at the top, a line wide
    title_ink = sum(drawn.crop(changed).histogram()[:160])
    assert title_ink > 2000, title_ink
