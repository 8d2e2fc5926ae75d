"""Hostile strings and a check for painted output, for the untrusted-input tests.

What a namespace tenant can write into any string field the app shows: terminal control
sequences (title, OSC 52 clipboard, clear screen, an unterminated OSC, OSC 8 links), Rich/
Textual markup (``[/]`` raises ``MarkupError``, ``[link=…]`` makes a hyperlink), C1 controls,
bidi overrides, Hangul (two cells per character), very long strings. ``hypothesis``
strategies build on :data:`NASTY`.
"""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import strategies as st

ESC = "\x1b"
OSC_TITLE = f"{ESC}]0;pwned{ESC}\\"
OSC52 = f"{ESC}]52;c;ZWNobyBwd25lZA=={chr(7)}"
CLEAR = f"{ESC}[2J{ESC}[H"
UNTERMINATED_OSC = f"{ESC}]0;"
OSC8 = f"{ESC}]8;;http://evil.example/{ESC}\\click{ESC}]8;;{ESC}\\"
MARKUP_CLOSE = "[/]x"
MARKUP_LINK = "[link=file:///etc/passwd]open[/link]"
MARKUP_STYLE = "[reverse]inverted[/reverse]"
C1_CSI = "\x9b2J"
BIDI = "abc\u202edcba"
HANGUL = "결제-서비스-로그-한글"

#: one of each: every hostile input the tests feed into string fields
NASTY: tuple[str, ...] = (OSC_TITLE, OSC52, CLEAR, UNTERMINATED_OSC, OSC8, MARKUP_CLOSE,
                          MARKUP_LINK, MARKUP_STYLE, C1_CSI, BIDI, HANGUL, "a\tb\nc\rd\x00e",
                          "[", "]", "\\", "[bold", "x" * 300)

#: a single hostile string that combines the worst (for seeds that have one field to spare)
WORST = f"{MARKUP_CLOSE}{OSC_TITLE}{CLEAR}{HANGUL}{OSC52}{C1_CSI}{UNTERMINATED_OSC}"


def nasty_text(max_size: int = 80) -> st.SearchStrategy[str]:
    """Strings mixing the hostile pieces with arbitrary text (controls included)."""
    piece = st.one_of(st.sampled_from(NASTY), st.text(max_size=20),
                      st.characters(max_codepoint=0x9F).map(str))
    return st.lists(piece, max_size=6).map("".join).map(lambda s: s[: max_size * 4])


def json_values(max_leaves: int = 12) -> st.SearchStrategy[object]:
    """Any JSON value, with hostile strings: what a schema-less or broken object holds."""
    scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                       nasty_text(40))
    return st.recursive(scalar, lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(NASTY), st.text(max_size=12)), children,
                        max_size=4)), max_leaves=max_leaves)


def control_chars(text: str) -> list[str]:
    """The control characters (C0 but newline, DEL, C1) in ``text``: must be empty for
    anything shown on a terminal."""
    return [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0]


def assert_clean(texts: Iterable[str], where: str = "") -> None:
    """Fail when any of ``texts`` carries a control character (from data)."""
    for t in texts:
        bad = control_chars(t)
        assert not bad, f"control characters {bad!r} reached the output{where}: {t!r}"


def painted_text(app: object) -> list[str]:
    """Every segment's text on the app's current screen as the terminal would get it
    (Pilot tests): the compositor's full render of the screen, line by line."""
    screen = app.screen  # type: ignore[attr-defined]
    strips = screen._compositor.render_strips()
    return ["".join(seg.text for seg in strip) for strip in strips]


def assert_screen_clean(app: object) -> None:
    """No painted line of the current screen carries a control character."""
    assert_clean(painted_text(app), " (painted screen)")


def painted_links(app: object) -> list[str]:
    """The hyperlinks (OSC 8) the current screen would emit: a segment whose style has a
    ``link``. Data must never make one (``[link=file:///…]`` in a name)."""
    screen = app.screen  # type: ignore[attr-defined]
    return [seg.style.link for strip in screen._compositor.render_strips() for seg in strip
            if seg.style is not None and seg.style.link]
