"""Number formats for cells a patch writes: find or add the cell style (``cellXfs``) for a code.

:func:`xlkpi.workbook.xlsx_patch.patch_workbook` writes a sheet's XML directly, so a new cell
has only the style index it copies from another row. Where that row has no cell (an empty sheet, a
column an older workbook did not have) the number format would be lost; an edit then names
the format (``SheetEdit.formats``: cell → code such as ``#,##0.00``) and :func:`ensure_formats`
turns each code into a ``cellXfs`` index: an existing style that is the default style (index 0)
with just that number format, or a new one appended to ``styles.xml``.

>>> xml = (b'<styleSheet><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
...        b'borderId="0" xfId="0"/></cellXfs></styleSheet>')
>>> new, index = ensure_formats(xml, ["#,##0.00", "0%"])
>>> index
{'#,##0.00': 1, '0%': 2}
>>> ensure_formats(new, ["#,##0.00"])[1]
{'#,##0.00': 1}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xlkpi.workbook.xlsx_patch import quote_attr

# Excel's built-in number formats that the workbook writers use (ECMA-376 §18.8.30).
BUILTIN_FORMATS: dict[str, int] = {
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
}
_FIRST_CUSTOM = 164

_ATTR_RE = re.compile(rb'([\w:]+)="([^"]*)"')
_NUMFMT_RE = re.compile(rb"<numFmt\b[^>]*?/>")
_NUMFMTS_RE = re.compile(rb"<numFmts\b[^>]*?(?:/>|>.*?</numFmts>)", re.S)
_CELLXFS_RE = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.S)
_XF_RE = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_COUNT_RE = re.compile(rb'\scount="\d+"')


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    head = tag.split(b">", 1)[0]
    return dict(_ATTR_RE.findall(head))


def _unescape(text: bytes) -> str:
    return (
        text.decode("utf-8")
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def _format_ids(styles: bytes) -> dict[str, int]:
    ids = dict(BUILTIN_FORMATS)
    for tag in _NUMFMT_RE.findall(styles):
        a = _attrs(tag)
        if b"numFmtId" in a and b"formatCode" in a:
            ids[_unescape(a[b"formatCode"])] = int(a[b"numFmtId"])
    return ids


def _with_count(open_tag: bytes, count: int) -> bytes:
    if _COUNT_RE.search(open_tag):
        return _COUNT_RE.sub(f' count="{count}"'.encode(), open_tag, count=1)
    return open_tag[:-1] + f' count="{count}">'.encode()


def _add_numfmt(styles: bytes, number: int, code: str) -> bytes:
    tag = f'<numFmt numFmtId="{number}" formatCode={quote_attr(code)}/>'.encode()
    m = _NUMFMTS_RE.search(styles)
    if m is None:
        at = styles.index(b">", styles.index(b"<styleSheet")) + 1
        return styles[:at] + b'<numFmts count="1">' + tag + b"</numFmts>" + styles[at:]
    block = m.group(0)
    count = len(_NUMFMT_RE.findall(block)) + 1
    if block.endswith(b"/>"):
        new = _with_count(block[:-2] + b">", count) + tag + b"</numFmts>"
    else:
        open_end = block.index(b">") + 1
        new = (
            _with_count(block[:open_end], count)
            + block[open_end : -len(b"</numFmts>")]
            + tag
            + b"</numFmts>"
        )
    return styles[: m.start()] + new + styles[m.end() :]


def ensure_formats(styles: bytes, codes: Iterable[str]) -> tuple[bytes, dict[str, int]]:
    """``styles.xml`` with a plain cell style for every code, and code → ``cellXfs`` index.

    A plain style is the default cell style (index 0: its font, fill and border) with the
    number format applied; an existing one is reused, so patching twice adds nothing.
    """
    ids = _format_ids(styles)
    index: dict[str, int] = {}
    for code in dict.fromkeys(codes):
        if code not in ids:
            ids[code] = max([_FIRST_CUSTOM - 1, *ids.values()]) + 1
            styles = _add_numfmt(styles, ids[code], code)
        m = _CELLXFS_RE.search(styles)
        if m is None:
            raise ValueError("styles.xml has no <cellXfs>")
        xfs = _XF_RE.findall(m.group(1))
        base = _attrs(xfs[0]) if xfs else {}
        want = str(ids[code]).encode()
        keys = (b"fontId", b"fillId", b"borderId")
        for i, xf in enumerate(xfs):
            a = _attrs(xf)
            plain = xf.endswith(b"/>")
            same = all(a.get(k, b"0") == base.get(k, b"0") for k in keys)
            if plain and same and a.get(b"numFmtId") == want:
                index[code] = i
                break
        else:
            font, fill, border = (base.get(k, b"0").decode() for k in keys)
            tag = (
                f'<xf numFmtId="{ids[code]}" fontId="{font}" fillId="{fill}" '
                f'borderId="{border}" applyNumberFormat="1" xfId="0"/>'
            ).encode()
            open_tag = styles[m.start() : m.start(1)]
            styles = (
                styles[: m.start()]
                + _with_count(open_tag, len(xfs) + 1)
                + m.group(1)
                + tag
                + styles[m.end(1) :]
            )
            index[code] = len(xfs)
    return styles, index
