"""ftfy's ``fix_text``, computed faster where that can be shown exact: the fast path of cleaning.

ftfy's slow steps (its mojibake heuristic, a regular expression tried at every position, and its
table lookups) are run only where they can change something. The shortcuts are derived from the
installed ftfy's own patterns and tables, and are used only with an ftfy release they were checked
against (:data:`_FTFY_CHECKED`); any other release goes to ftfy itself.

>>> fix_text("caf\u00c3\u00a9 \u201cgood\u201d")
'café "good"'
"""

from __future__ import annotations

import functools
import re
from typing import Callable, NamedTuple



def fix_text(text: str) -> str:
    """``ftfy.fix_text(text, normalization=None)``, computed faster where that can be shown exact.

    With the ftfy release this was checked against (6.3), a text of one line (no ``\\n``) of at
    most ``max_decode_length`` characters is one ftfy segment, fixed here by the steps of
    ``ftfy.fix_and_explain`` in its order (the encoding steps as :func:`_fix_encoding` follows
    them), with two exact shortcuts: a step runs only when the text holds a character it can
    change (found for all steps in one pass), and the mojibake test ``ftfy.badness.is_bad``
    searches only short windows around the characters that every one of its patterns needs
    (:func:`_badness_windows` says when that is exact). Any other text, and any other ftfy
    release, goes to ftfy itself.

    Examples
    --------
    >>> fix_text("don\u2019t")
    "don't"
    """
    import ftfy  # imported on first use: 0.1 s that ASCII text never needs
    from ftfy import fixes

    steps = _ftfy_steps()
    if steps is None or "\n" in text or len(text) > steps.max_length:
        return ftfy.fix_text(text, normalization=None)
    if "&" not in text:  # the most common case in English: only curly apostrophes outside ASCII
        plain = text
        for quote, straight in steps.safe_quotes:
            if quote in plain:
                plain = plain.replace(quote, straight)
        if plain.isascii() and not steps.triggers.search(plain):
            return plain
    unescape = "<" not in text
    while True:
        before = text
        if unescape and "&" in text:
            text = fixes.unescape_html(text)
        if not text.isascii() and steps.is_bad(text):
            text = _fix_encoding(text, steps.is_bad)
        text = _fix_characters(text, steps)
        if text == before:
            return text


def _fix_characters(text: str, steps: "_FtfySteps") -> str:
    """ftfy's character steps in its order, each run only where the text holds a character it changes."""
    present = steps.triggers.findall(text)
    if not present:
        return text
    present = set(present)
    for changes, fixer in steps.fixers:
        if not changes.isdisjoint(present):
            fixed = fixer(text)
            if fixed != text:
                text = fixed
                present = set(steps.triggers.findall(text))
    return text


def _fix_encoding(text: str, is_bad: Callable[[str], bool]) -> str:
    """``ftfy.fix_encoding(text)`` (ftfy 6.3, default settings), its mojibake test given as ``is_bad``."""
    while True:
        fixed = _fix_encoding_step(text, is_bad)
        if fixed == text:
            return text
        text = fixed


def _fix_encoding_step(text: str, is_bad: Callable[[str], bool]) -> str:
    """One step of ``ftfy.fix_encoding``: ftfy 6.3's ``_fix_encoding_one_step_and_explain`` step for step."""
    from ftfy import chardata, fixes

    if not text or text.isascii() or not is_bad(text):
        return text
    possible = []
    for encoding in chardata.CHARMAP_ENCODINGS:
        if chardata.possible_encoding(text, encoding):
            possible.append(encoding)
            encoded = text.encode(encoding)
            if encoding != "macroman" and chardata.ALTERED_UTF8_RE.search(encoded):
                encoded = fixes.restore_byte_a0(encoded)
            if encoding.startswith("sloppy"):
                encoded = fixes.replace_lossy_sequences(encoded)
            try:
                return encoded.decode("utf-8-variants" if 0xED in encoded or 0xC0 in encoded else "utf-8")
            except UnicodeDecodeError:
                pass
    if chardata.UTF8_DETECTOR_RE.search(text):
        fixed = fixes.decode_inconsistent_utf8(text)
        if fixed != text:
            return fixed
    if "latin-1" in possible and "windows-1252" not in possible:
        try:
            fixed = text.encode("latin-1").decode("windows-1252")
            if fixed != text:
                return fixed
        except UnicodeDecodeError:
            pass
    if chardata.C1_CONTROL_RE.search(text):
        return fixes.fix_c1_controls(text)
    return text


class _FtfySteps(NamedTuple):
    """What :func:`fix_text` needs to skip ftfy's slow steps exactly.

    ``fixers`` are ftfy's character steps in ftfy's order, each with the characters it can change;
    ``triggers`` matches any of those characters. ``safe_quotes`` pairs the curly quotes that only
    ``uncurl_quotes`` changes and that no mojibake pattern needs with what it makes of them: a text
    whose only characters outside ASCII are these, with no ``&`` and nothing else to fix, is fixed
    by straightening them (the steps of :func:`fix_text` do exactly that to it, in two rounds).
    """

    is_bad: Callable[[str], bool]
    fixers: tuple
    triggers: re.Pattern
    max_length: int
    safe_quotes: tuple


#: ftfy releases whose ``fix_text`` steps :func:`fix_text` follows (checked by the tests).
_FTFY_CHECKED = ((6, 3),)


@functools.cache
def _ftfy_steps() -> _FtfySteps | None:
    """The shortcuts of :func:`fix_text` for the installed ftfy, or None where they are not shown exact."""
    import ftfy
    from ftfy import chardata, fixes
    from ftfy.badness import BADNESS_RE

    try:
        release = tuple(int(part) for part in ftfy.__version__.split(".")[:2])
    except ValueError:
        return None
    defaults = ftfy.TextFixerConfig()
    settings = (defaults.unescape_html, defaults.fix_encoding, defaults.restore_byte_a0,
                defaults.replace_lossy_sequences, defaults.decode_inconsistent_utf8, defaults.fix_c1_controls)
    if release not in _FTFY_CHECKED or settings != ("auto", True, True, True, True, True):
        return None
    single = [_class_codes(p) for p in (chardata.C1_CONTROL_RE, chardata.SINGLE_QUOTE_RE,
                                        chardata.DOUBLE_QUOTE_RE, fixes.SURROGATE_RE)]
    if None in single:
        return None
    c1, single_quotes, double_quotes, surrogates = single
    fixers = ((c1, fixes.fix_c1_controls),
              (_changed_by(chardata.LIGATURES), fixes.fix_latin_ligatures),
              (_changed_by(chardata.WIDTH_MAP), fixes.fix_character_width),
              (single_quotes | double_quotes, fixes.uncurl_quotes),
              (frozenset("\r\u2028\u2029\x85"), fixes.fix_line_breaks),
              (surrogates, fixes.fix_surrogates),
              (frozenset("\x1b"), fixes.remove_terminal_escapes),
              (_changed_by(chardata.CONTROL_CHARS), fixes.remove_control_chars))
    every = sorted({ord(c) for changes, _ in fixers for c in changes})
    windows = _badness_windows(BADNESS_RE)
    is_bad = ftfy.badness.is_bad if windows is None else functools.partial(_is_bad_in_windows, BADNESS_RE, *windows)
    changed_by_others = frozenset().union(*(changes for changes, fixer in fixers if fixer is not fixes.uncurl_quotes))
    safe_quotes = tuple((quote, fixes.uncurl_quotes(quote)) for quote in sorted(single_quotes | double_quotes)
                        if windows is not None and not windows[0].match(quote) and quote not in changed_by_others)
    return _FtfySteps(is_bad, fixers, re.compile(_char_class(_ranges(every))), defaults.max_decode_length,
                      safe_quotes)


def _changed_by(table: dict) -> frozenset:
    """The characters that ``str.translate(table)`` changes."""
    return frozenset(chr(code) for code, value in table.items() if value != chr(code))


def _class_codes(pattern: re.Pattern) -> frozenset | None:
    """The characters a pattern of one character class (or one character) matches, or None."""
    sre, parser = _sre_modules()
    try:
        items = parser.parse(pattern.pattern, pattern.flags).data
    except Exception:
        return None
    if pattern.flags & re.IGNORECASE or len(items) != 1:
        return None
    codes = _literal_codes(items[0], sre, ascii_too=True)
    return None if codes is None else frozenset(map(chr, codes))


def _ranges(codes: list[int]) -> list[tuple[int, int]]:
    """Sorted code points as ``(first, last)`` runs."""
    runs: list[tuple[int, int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return runs


def _char_class(runs: list[tuple[int, int]]) -> str:
    return "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in runs) + "]"


def _is_bad_in_windows(pattern: re.Pattern, needed: re.Pattern, width: int, text: str) -> bool:
    """``pattern.search(text)`` is not None, searched only around the characters in ``needed``.

    Every match holds one of those characters and is at most ``width`` long, so each lies in the
    window ``[p - width + 1, p + width)`` around one of them; windows that overlap are searched as one.
    """
    start = end = -1
    for found in needed.finditer(text):
        position = found.start()
        if position - width + 1 > end:
            if end > start and pattern.search(text, start, end):
                return True
            start = max(0, position - width + 1)
        end = position + width
    return end > start and pattern.search(text, start, end) is not None


def _badness_windows(pattern: re.Pattern) -> tuple[re.Pattern, int] | None:
    """``(needed, width)`` when ``pattern`` can be searched in windows (:func:`_is_bad_in_windows`), else None.

    That is exact when: the pattern has no flags that change what a class matches
    (``IGNORECASE``, ``MULTILINE``, ``DOTALL``, ``LOCALE``), its only anchor is ``^`` (which
    ``search(text, pos, endpos)`` matches at the real start of the text only), its matches are at
    most ``width`` characters long, and every alternative needs one character from a class (or
    literal) of characters outside ASCII; ``needed`` matches the union of those classes.
    """
    sre, parser = _sre_modules()
    if pattern.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.LOCALE):
        return None
    try:
        parsed = parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # a parser of another Python release
        return None
    width = parsed.getwidth()[1]
    if width >= sre.MAXREPEAT or not _window_safe(parsed.data, sre):
        return None
    needed = _needed_chars(parsed.data, sre)
    if needed is None:
        return None
    return re.compile(_char_class(_ranges(sorted(needed)))), int(width)


def _window_safe(items, sre) -> bool:
    """Whether a parsed pattern uses only the operations a windowed search keeps exact."""
    simple = {sre.LITERAL, sre.NOT_LITERAL, sre.ANY}
    for op, arg in items:
        if op in simple:
            continue
        if op is sre.IN:
            if any(member not in (sre.LITERAL, sre.RANGE, sre.NEGATE, sre.CATEGORY) for member, _ in arg):
                return False
        elif op is sre.AT:
            if arg is not sre.AT_BEGINNING:
                return False
        elif op is sre.BRANCH:
            if not all(_window_safe(alt, sre) for alt in arg[1]):
                return False
        elif op is sre.SUBPATTERN:
            if not _window_safe(arg[-1], sre):
                return False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            if arg[1] >= sre.MAXREPEAT or not _window_safe(arg[2], sre):
                return False
        else:
            return False
    return True


def _needed_chars(items, sre) -> set[int] | None:
    """Code points of which every match of the sequence ``items`` holds one (all outside ASCII), or None.

    Of the items every match must pass through, the one with the fewest characters is taken; a
    branch needs one set from each of its alternatives.
    """
    choices = []
    for op, arg in items:
        if op in (sre.LITERAL, sre.IN):
            choices.append(_literal_codes((op, arg), sre, ascii_too=False))
        elif op is sre.SUBPATTERN:
            choices.append(_needed_chars(arg[-1], sre))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1:
            choices.append(_needed_chars(arg[2], sre))
        elif op is sre.BRANCH:
            alternatives = [_needed_chars(alt, sre) for alt in arg[1]]
            choices.append(None if None in alternatives else set().union(*alternatives))
    choices = [choice for choice in choices if choice is not None]
    return min(choices, key=len) if choices else None


def _literal_codes(item, sre, ascii_too: bool) -> set[int] | None:
    """Code points matched by one parsed literal or positive class of literals and ranges, else None.

    Without ``ascii_too``, None also where it may match an ASCII character.
    """
    op, arg = item
    members = [(sre.LITERAL, arg)] if op is sre.LITERAL else list(arg) if op is sre.IN else []
    codes: set[int] = set()
    for kind, value in members:
        if kind is sre.LITERAL:
            codes.add(value)
        elif kind is sre.RANGE:
            codes.update(range(value[0], value[1] + 1))
        else:
            return None
    if not codes or (not ascii_too and min(codes) < 0x80):
        return None
    return codes


def _sre_modules():
    """Python's regular-expression parser and its constants."""
    try:
        from re import _constants as sre, _parser as parser
    except ImportError:  # Python 3.10
        import sre_constants as sre
        import sre_parse as parser
    return sre, parser
