"""Data written into Markdown and HTML reads back as the same text, never as markup (checked by
parsing it with markdown-it-py and html5lib, not by looking at the escapes)."""

from __future__ import annotations

import html5lib  # type: ignore[import-untyped]
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from cpkb.present.markup import HTML, MARKDOWN, line_start, safe_url
from cpkb.query.text import visible

GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)
TRICKY = [
    "<script>alert(1)</script>", "*x* [^1]", "[a](javascript:alert(1))", "**b** _i_ `c`",
    "&amp; &lt;", "# h", "- item", "1. item", "2) item", "+ item", "> quote", "| a | b |",
    "~~s~~", "$x$", "\\", "![i](x.png)", "<http://x.example>", "a\nb", "=", "---", "***",
    "\x1b[31m", "[^1]: def",
]  # fmt: skip


def markdown_text(document: str) -> tuple[str, set[str]]:
    """The text of a one-paragraph Markdown document, and the kinds of inline token in it."""
    tokens = GFM.parse(document)
    inline = [t for t in tokens if t.type == "inline"]
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], document
    children = inline[0].children or []
    return "".join(c.content for c in children), {c.type for c in children}


@given(st.sampled_from(TRICKY) | st.text())
@example("[a](javascript:alert(1)) [^1]\n\n[^1]: a footnote")
def test_markdown_text_is_text(value: str) -> None:
    shown, kinds = markdown_text("a" + MARKDOWN.text(value) + "a")
    assert kinds <= {"text"}
    assert shown == "a" + visible(value) + "a"


@given(st.sampled_from(TRICKY) | st.text())
def test_markdown_text_starting_a_line_stays_a_paragraph(value: str) -> None:
    written = line_start(MARKDOWN.text(value + "a"))
    shown, kinds = markdown_text(written)
    assert kinds <= {"text"}
    assert shown == visible(value + "a").lstrip()


@given(st.sampled_from(TRICKY) | st.text())
def test_html_text_is_text_in_an_element_and_in_an_attribute(value: str) -> None:
    page = f'<!DOCTYPE html><title>t</title><p title="{HTML.text(value)}">{HTML.text(value)}</p>'
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    tree = parser.parse(page)
    paragraph = tree.find(".//p")
    assert list(paragraph) == []  # no element inside
    assert (paragraph.text or "") == visible(value)
    assert paragraph.get("title") == visible(value)
    assert not parser.errors


def test_pandoc_inlines_keep_their_styles_and_escape_their_text() -> None:
    nodes = [
        {"t": "Emph", "c": [{"t": "Str", "c": "<b>Title"}, {"t": "Space"}]},
        {"t": "Str", "c": "*"},
        {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "here"}], ["https://x.example/", ""]]},
        {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "js"}], ["javascript:alert(1)", ""]]},
    ]
    assert MARKDOWN.inlines(nodes) == r"*\<b\>Title* \*[here](<https://x.example/>)js"
    assert HTML.inlines(nodes) == '<i>&lt;b&gt;Title</i> *<a href="https://x.example/">here</a>js'


def test_only_web_addresses_are_links() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("HTTP://example.org") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//example.org", "file:///etc",
                "https://a.example/\x1b", "https://a.example/ b", None):  # fmt: skip
        assert safe_url(bad) is None
