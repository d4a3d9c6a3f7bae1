"""The original file name, kept only as display text: never a path, never a storage key.

What a browser sent may hold a path (`../../etc/passwd`, `C:\\x\\y.pdf`), control characters
(NUL, CR/LF that would split a header), bidirectional overrides that disguise an extension,
or thousands of characters. What is kept is the last path segment, without those characters,
NFC-normalised, at most `MAX_CHARS` characters (the extension kept), or a plain default."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

MAX_CHARS = 120
LINE_BREAKS = str.maketrans("\r\n\t", "   ")
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def display_name(raw: str | None, media_type: str) -> str:
    default = "fichier" + EXTENSIONS.get(media_type, "")
    if not raw:
        return default
    # Browsers percent-encode `"`, CR and LF in the form's file name (and some clients all
    # but ASCII): decoded first, so that what they hid is removed below.
    name = unquote(raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name).translate(LINE_BREAKS)
    name = "".join(c for c in name if _printable(c))
    name = " ".join(name.split()).lstrip(". ")
    if not name.strip("."):
        return default
    return _shortened(name)


def _printable(char: str) -> bool:
    # Cc: controls (NUL, CR, LF…); Cf: formats (bidi overrides, zero-width); Cs/Co/Cn: lone
    # surrogates, private use, unassigned.
    return unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}


def _shortened(name: str) -> str:
    if len(name) <= MAX_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 10:
        return stem[: MAX_CHARS - len(extension) - 1].rstrip() + "." + extension
    return name[:MAX_CHARS].rstrip()
