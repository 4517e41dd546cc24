"""The text of a file or a web page, from its bytes: UTF-8, or what it declares or clearly is.

    decode(raw, markup=False) -> str | None     None: no encoding can be told without guessing

In this order:

1. a byte order mark (UTF-8, UTF-16 or UTF-32) says the encoding;
2. text with a NUL byte in every other place (Latin letters) is UTF-16 without a mark (before
   UTF-8: plain English in UTF-16 is valid UTF-8 too, NULs and all);
3. valid UTF-8 is UTF-8, whatever a page declares (pages declaring ISO-8859-1 and written in
   UTF-8 are common; text in a legacy encoding is almost never valid UTF-8 by chance);
4. markup (`markup=True`): the encoding its start declares, `<meta charset="...">`, `<meta
   http-equiv="Content-Type" content="...; charset=...">` or `<?xml ... encoding="..."?>`, read
   as browsers read it (ISO-8859-1 and ASCII mean windows-1252, a superset of both).

Anything else is not guessed here: latin-1, windows-1252 and a dozen other 8-bit encodings cannot
be told apart reliably, so a local file says to re-save it as UTF-8 (a fetched page, which
nobody can re-save, is left to trafilatura's guess).
"""

from __future__ import annotations

import codecs
import re

_BOMS = (  # UTF-32 first: its little-endian mark starts like UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
PRESCAN_BYTES = 4096  # how far into a page a declaration is looked for
_DECLARED = re.compile(
    rb"""<\?xml[^>]*?\bencoding\s*=\s*["']?\s*([\w.:-]+)|<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:-]+)""",
    re.I,
)
# What browsers read for these labels (WHATWG Encoding Standard): windows-1252.
_AS_WINDOWS_1252 = {"iso8859-1", "ascii"}


def decode(raw: bytes, markup: bool = False) -> str | None:
    """`raw` as text (see the module's rules), or None when it cannot be told without a guess."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _strict(raw, codec)
    wide = utf16_without_bom(raw)  # before UTF-8: ASCII letters in UTF-16 are valid UTF-8 too, NULs and all
    if wide is not None:
        return _strict(raw, wide)
    text = _strict(raw, "utf-8")
    if text is not None:
        return text
    declared = declared_encoding(raw) if markup else None
    return _strict(raw, declared) if declared else None


def unicode_kind(raw: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when `raw` starts as text in one of them (a mark, or NULs between
    Latin letters), else None: for the formats read as UTF-8 only to say what a file is."""
    for bom, codec in _BOMS:
        if raw.startswith(bom) and codec != "utf-8-sig":
            return codec.upper()
    return "UTF-16" if utf16_without_bom(raw) else None


def utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for text whose every other byte (of the first 4 kB) is mostly
    NUL and the others almost never: Latin text in UTF-16 without a byte order mark."""
    head = raw[:PRESCAN_BYTES]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    for zeros, others, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.6 * len(zeros) and others.count(0) <= 0.02 * len(others):
            return codec
    return None


def declared_encoding(raw: bytes) -> str | None:
    """The Python codec a page's start declares, or None (none, unknown, or a UTF-16/32 label,
    which without a byte order mark browsers read as UTF-8)."""
    match = _DECLARED.search(raw[:PRESCAN_BYTES])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", errors="replace")
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-8", "utf-16", "utf-32")):
        return None  # UTF-8 was tried already
    return "cp1252" if name in _AS_WINDOWS_1252 else name


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None
