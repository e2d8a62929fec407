"""Decide how a spreadsheet export is encoded, and refuse to guess when the bytes disagree.

"UTF-8 if it decodes, else Windows-1252" looks harmless, but a UTF-8 file with a single stray
Windows-1252 byte (one cell pasted from an old export) then fails as UTF-8 and is read as
Windows-1252 *as a whole*: every umlaut becomes "fÃ¼r", with no message at all. The rules are
therefore:

1. valid UTF-8, with or without BOM → UTF-8;
2. bytes neither encoding can read (0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in Windows-1252)
   → error at the first of them;
3. invalid UTF-8, but the file also holds valid multi-byte UTF-8 sequences (or starts with the
   UTF-8 BOM) → mixed encodings: error naming the lines with the invalid bytes. A real
   Windows-1252 export has no valid multi-byte UTF-8 sequences, so nothing real is refused here
   that could have been read correctly;
4. otherwise → Windows-1252.

Whatever was chosen, text that holds the typical traces of UTF-8 read as Windows-1252 and saved
again ("Ã¼", "Ã„", "â€ž" …) is a double-encoded file: an error, because every name in it is wrong.
"""

from __future__ import annotations

import bisect
import contextlib
import re

from ozgwiki.catalogue.problems import Problems, line_list

UTF8_BOM = b"\xef\xbb\xbf"
FIELD = "Kodierung"
_ADVICE = "bitte als „CSV UTF-8“ speichern"

# One valid multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that surrogateescape could not decode


def _continuation_chars() -> str:
    """What a UTF-8 continuation byte (0x80–0xBF) looks like when read as Windows-1252 or Latin-1."""
    chars = {chr(b) for b in range(0x80, 0xC0)}
    for b in range(0x80, 0xC0):
        with contextlib.suppress(UnicodeDecodeError):  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined
            chars.add(bytes([b]).decode("cp1252"))
    return "".join(sorted(chars))


_CONT = re.escape(_continuation_chars())
# "Ã" + x: ä ö ü Ä Ö Ü ß é …; "Â" + x: § ° NBSP …; "â" + x + y: „ “ – … € (E2 8x xx)
_MOJIBAKE = re.compile(f"[ÂÃ][{_CONT}]|â[{_CONT}][{_CONT}]")


def decode(data: bytes, file: str, problems: Problems) -> tuple[str, str] | None:
    """Decode a CSV export (see the module docstring); return (text, encoding name) or None."""
    has_bom = data.startswith(UTF8_BOM)
    body = data[3:] if has_bom else data
    try:
        text = body.decode("utf-8")
        name = "UTF-8 mit BOM" if has_bom else "UTF-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError:
            _undecodable(data, utf8_error.start + len(data) - len(body), file, problems)
            return None
        if has_bom or _UTF8_MULTIBYTE.search(body):
            _mixed(body, has_bom, file, problems)
            return None
        name = "Windows-1252"
    if not _mojibake_free(text, file, problems):
        return None
    return text, name


def line_numbers(text: str, offsets: list[int]) -> list[int]:
    """Physical line numbers (CR, LF and CRLF each end a line, as in the CSV reader) of sorted offsets."""
    starts = [m.end() for m in _LINE_BREAK.finditer(text)]
    return [bisect.bisect_right(starts, offset) + 1 for offset in offsets]


def _undecodable(data: bytes, offset: int, file: str, problems: Problems) -> None:
    line = len(_BYTE_LINE_BREAK.findall(data, 0, offset)) + 1
    problems.error(
        file,
        line,
        FIELD,
        f"weder als UTF-8 noch als Windows-1252 lesbar (Byte 0x{data[offset]:02X}); {_ADVICE}",
    )


def _mixed(body: bytes, has_bom: bool, file: str, problems: Problems) -> None:
    """UTF-8 with a few foreign bytes: name every line holding one, so they can be retyped."""
    text = body.decode("utf-8", errors="surrogateescape")
    hits = list(_UNDECODED.finditer(text))
    lines = sorted(set(line_numbers(text, [m.start() for m in hits])))
    first = ord(hits[0].group()) - 0xDC00
    what = "UTF-8 mit BOM" if has_bom else "UTF-8"
    count = "1 ungültiges Byte" if len(hits) == 1 else f"{len(hits)} ungültige Bytes"
    problems.error(
        file,
        lines[0],
        FIELD,
        f"gemischte Kodierung: die Datei ist {what}, enthält aber {count} (zuerst 0x{first:02X}, "
        f"wohl Windows-1252) in {line_list(lines)}; diese Zeichen neu eingeben "
        f"und die Datei einheitlich als „CSV UTF-8“ speichern",
    )


def _mojibake_free(text: str, file: str, problems: Problems) -> bool:
    """False (and one error) when the text shows UTF-8 that was read as Windows-1252 and saved again."""
    hits = list(_MOJIBAKE.finditer(text))
    if not hits:
        return True
    lines = sorted(set(line_numbers(text, [m.start() for m in hits])))
    sample = hits[0].group()
    problems.error(
        file,
        lines[0],
        FIELD,
        f"doppelt kodiert: „{sample}“{_repaired(sample)} in {line_list(lines)} – die Datei wurde "
        f"falsch gelesen und wieder gespeichert; bitte aus der Quelle neu als „CSV UTF-8“ exportieren",
    )
    return False


def _repaired(sample: str) -> str:
    """`` statt „ü“`` when the sample is recognisably mis-decoded UTF-8, else nothing."""
    for codec in ("cp1252", "latin-1"):
        try:
            return f" statt „{sample.encode(codec).decode('utf-8')}“"
        except UnicodeError:
            continue
    return ""
