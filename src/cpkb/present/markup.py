"""Data written into Markdown or HTML as text, never as markup, and pandoc's inlines (what
citeproc gives back) written in either.

Data is first made `visible` (control characters, newlines and tabs as escapes), so it never
starts a line of its own; then every character the format would read as markup is escaped.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from cpkb.present.views import View
from cpkb.query.text import visible

# Every character CommonMark or GitHub would read as markup inside a line: emphasis, code,
# links and footnote references, raw HTML and entities, tables, strikethrough, headings' closing
# hashes, and GitHub's $math$. CommonMark lets a backslash escape any ASCII punctuation.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~#$])")
ORDERED = re.compile(r"\d+[.)]")  # an ordered list item, when it starts a line
QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}


def safe_url(url: str | None) -> str | None:
    """`url` if it is a web address a link may point to (never `javascript:` or `data:`)."""
    if url is None or visible(url) != url or any(c.isspace() for c in url):
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


class Markup:
    """How a format writes text, emphasis and links; pandoc inlines written with them."""

    def text(self, value: str) -> str:
        raise NotImplementedError

    def emph(self, inner: str) -> str:
        raise NotImplementedError

    def strong(self, inner: str) -> str:
        raise NotImplementedError

    def link(self, inner: str, url: str) -> str:
        raise NotImplementedError

    def inlines(self, nodes: list[View]) -> str:
        """Pandoc inlines in this format: their text escaped, their styles kept."""
        return "".join(self._inline(node) for node in nodes)

    def _inline(self, node: View) -> str:
        kind, content = node["t"], node.get("c", [])
        if kind == "Str":
            return self.text(str(content))
        if kind in ("Space", "SoftBreak", "LineBreak"):
            return " "
        if kind == "Quoted":
            left, right = QUOTES.get(content[0]["t"], ("“", "”"))
            return self.text(left) + self.inlines(content[1]) + self.text(right)
        if kind in ("Emph", "Underline", "Strong"):
            return self._styled(kind, self.inlines(content))
        if kind == "Link":
            url = safe_url(content[2][0])
            inner = self.inlines(content[1])
            return inner if url is None else self.link(inner, url)
        if kind in ("Span", "Cite", "Image"):
            return self.inlines(content[1])
        if kind in ("SmallCaps", "Superscript", "Subscript", "Strikeout"):
            return self.inlines(content)
        if kind in ("Code", "Math"):
            return self.text(str(content[1]))
        return ""  # raw output for another format, a note

    def _styled(self, kind: str, inner: str) -> str:
        """Emphasis around the words only: spaces at either end stay outside the marks."""
        words = inner.strip(" ")
        if not words:
            return inner
        styled = self.strong(words) if kind == "Strong" else self.emph(words)
        return inner[: len(inner) - len(inner.lstrip(" "))] + styled + " " * inner.endswith(" ")


class Markdown(Markup):
    """GitHub-flavoured Markdown."""

    def text(self, value: str) -> str:
        return MARKDOWN_SPECIAL.sub(r"\\\1", visible(value))

    def emph(self, inner: str) -> str:
        return f"*{inner}*"

    def strong(self, inner: str) -> str:
        return f"**{inner}**"

    def link(self, inner: str, url: str) -> str:
        if inner == self.text(url) and not re.search(r"[<>\\]", url):
            return f"<{url}>"  # an autolink: the address, shown as it is
        return f"[{inner}]({destination(url)})"


def destination(url: str) -> str:
    """A link destination in angle brackets, where only `<`, `>` and `\\` need escapes."""
    return "<" + re.sub(r"([<>\\])", r"\\\1", url) + ">"


def line_start(text: str) -> str:
    """Markdown `text` that stays a paragraph when it starts a line or a list item (`text` is
    escaped already: `*`, `#` and `>` are)."""
    text = text.lstrip()  # white space that starts a line means nothing, or indents it
    if text[:1] in ("-", "+", "="):
        return "\\" + text
    ordered = ORDERED.match(text)
    if ordered is not None:
        return text[: ordered.end() - 1] + "\\" + text[ordered.end() - 1 :]
    return text


class Html(Markup):
    """HTML5: text escaped, quotes too, so it is safe in an attribute as well."""

    def text(self, value: str) -> str:
        return html.escape(visible(value), quote=True)

    def emph(self, inner: str) -> str:
        return f"<i>{inner}</i>"

    def strong(self, inner: str) -> str:
        return f"<b>{inner}</b>"

    def link(self, inner: str, url: str) -> str:
        return f'<a href="{html.escape(url, quote=True)}">{inner}</a>'


MARKDOWN = Markdown()
HTML = Html()
