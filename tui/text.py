"""The one boundary for untrusted display text.

Why: every string that comes from the cluster (object names, status messages, image names,
Helm release notes), from Loki, Prometheus, Jaeger, Helm or a CLI's output is written by
someone else — on a shared cluster, by any namespace tenant. Handed raw to the terminal, an
ESC starts a control sequence (window title, OSC 52 clipboard writes, clear screen, OSC 8
links); handed to a widget as a ``str`` it is parsed as Textual/Rich markup, where ``[/]``
raises and ``[link=…]`` emits a hyperlink. Rich and Textual strip only a few C0 codes, and
never ESC.

So: nothing from outside reaches a widget, a ``Segment`` or a headless text line without
passing :func:`clean` (or :func:`text`, which wraps the result in a ``rich.text.Text`` that
is never parsed as markup). It

- replaces C0 controls, DEL, C1 controls, ESC, and the Unicode line/paragraph separators and
  bidirectional overrides ("Trojan source") with visible stand-ins — ``␛`` for ESC, ``␀``…``␟``
  for the other C0 codes, ``␡`` for DEL, ``\\x9b``-style escapes for C1 and ``\\u202e``-style
  for the invisible format characters — so the operator sees that something odd was there;
- expands tabs to spaces (by terminal cells);
- keeps newlines only where the caller asks for a block (``multiline=True``); in a single-line
  cell a newline is shown as ``␤``.

Widths are terminal cells (:func:`width`, :func:`fit`): Hangul and CJK take two cells, so
``len()`` misaligns every column after them.

JSON output needs none of this (``json.dumps`` escapes control characters itself).
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text

__all__ = ["cell", "clean", "fit", "lines", "text", "width"]

#: U+2400 "SYMBOL FOR NULL" … U+241F: one visible cell per C0 control
_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
_TABLE[0x7F] = "\u2421"  # ␡
_TABLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
#: invisible characters that reorder or hide text: bidi embeddings/overrides/isolates,
#: LRM/RLM/ALM, line and paragraph separators
_INVISIBLE = (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F),
              *range(0x2066, 0x206A))
_TABLE.update({code: f"\\u{code:04x}" for code in _INVISIBLE})
_NEWLINE_MARK = "\u2424"  # ␤
_TAB = 8


def _expand_tabs(line: str, tabsize: int = _TAB) -> str:
    """Tabs to spaces up to the next stop, counting terminal cells (``str.expandtabs``
    counts code points, which puts the stops in the wrong place after Hangul)."""
    out: list[str] = []
    column = 0
    for i, part in enumerate(line.split("\t")):
        if i:
            pad = tabsize - (column % tabsize)
            out.append(" " * pad)
            column += pad
        out.append(part)
        column += cell_len(part)
    return "".join(out)


def _clean_line(line: str) -> str:
    if "\t" in line:
        line = _expand_tabs(line)
    return line.translate(_TABLE)


def clean(value: object, *, multiline: bool = False) -> str:
    """``value`` as text that is safe to put on a terminal: no control character, no ESC,
    no invisible reordering. ``None`` is the empty string; other non-strings use ``str()``.

    With ``multiline`` the result keeps its line breaks (``\\n``; ``\\r\\n`` and a lone
    ``\\r`` become ``\\n``); otherwise a line break is shown as ``␤``."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else str(value)
    if s.isprintable():
        return s
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if multiline:
        return "\n".join(_clean_line(part) for part in s.split("\n"))
    return _clean_line(s.replace("\n", _NEWLINE_MARK))


def lines(value: object) -> list[str]:
    """A block of untrusted text as cleaned lines (for a log view or a scrolled box)."""
    return clean(value, multiline=True).split("\n")


def text(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """A ``rich.text.Text`` of the cleaned value: for ``DataTable`` cells, ``Static`` and
    ``Label`` contents. A Text is never parsed as markup, unlike a ``str`` handed to them."""
    return Text(clean(value, multiline=multiline), style=style)


def cell(value: object, style: str = "") -> Text:
    """Any ``DataTable`` cell or widget content as a ``Text`` that is safe to paint.

    Why: tables mix the app's own styled ``Text`` cells (a coloured state) with data; a
    ``str`` handed to a table is parsed as markup, and a ``Text`` built from raw data still
    carries ESC. A ``Text`` whose plain text is clean passes unchanged (style and spans
    kept); one that is not is rebuilt from its cleaned text (its base style kept, spans
    dropped, as their offsets no longer match); anything else goes through :func:`text`."""
    if isinstance(value, Text):
        if value.plain.isprintable():
            return value
        return Text(clean(value.plain), style=value.style, no_wrap=value.no_wrap,
                    overflow=value.overflow, end=value.end)
    return text(value, style)


def width(value: str) -> int:
    """Terminal cells that ``value`` takes (2 per Hangul/CJK character)."""
    return cell_len(value)


def fit(value: str, cells: int, *, pad: bool = True, ellipsis: str = "…") -> str:
    """``value`` cut to ``cells`` terminal cells (ending in ``ellipsis`` when cut), padded
    with spaces to exactly ``cells`` when ``pad``. A wide character is never split: a cut
    that would fall inside one leaves a space instead."""
    if cells <= 0:
        return ""
    # printable ASCII is one cell a character: the common case (a virtual table's cells,
    # every painted line) skips measuring
    size = len(value) if value.isascii() and value.isprintable() else cell_len(value)
    if size <= cells:
        return value + " " * (cells - size) if pad else value
    return set_cell_size(value, max(0, cells - cell_len(ellipsis))) + ellipsis
