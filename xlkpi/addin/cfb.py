"""A minimal deterministic Compound File Binary (MS-CFB version 3) writer.

512-byte sectors, a FAT, a miniFAT with its mini stream for streams under 4096 bytes, and one
red-black directory tree per storage (balanced, siblings sorted as MS-CFB 2.6.4 compares names:
shorter first, then by upper case). CLSIDs, state bits and timestamps are all zero, so the same
streams always give the same bytes. Up to 109 FAT sectors (about 6.8 MB), which is no DIFAT.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

from xlkpi.errors import AddinBuildError

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
HEADER_DIFAT_SLOTS = 109
RED, BLACK = 0, 1
TYPE_STORAGE, TYPE_STREAM, TYPE_ROOT = 1, 2, 5


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN


def name_key(name: str) -> tuple[int, str]:
    """Sort key of a directory entry name among its siblings (MS-CFB 2.6.4)."""
    return (len(name.encode("utf-16-le")), name.upper())


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) > 62 or any(c in name for c in "/\\:!"):
        raise AddinBuildError(f"{name!r} cannot name a compound file entry (1-31 chars, no /\\:!)")


def _build_tree(streams: Mapping[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", TYPE_ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            _check_name(part)
            child = node.children.setdefault(part.upper(), _Entry(part, TYPE_STORAGE))
            if child.kind != TYPE_STORAGE:
                raise AddinBuildError(f"{path!r}: {part!r} is a stream, not a storage")
            node = child
        _check_name(parts[-1])
        if parts[-1].upper() in node.children:
            raise AddinBuildError(f"{path!r} is given twice or is also a storage")
        node.children[parts[-1].upper()] = _Entry(parts[-1], TYPE_STREAM, bytes(data))
    return root


def _number(root: _Entry) -> list[_Entry]:
    """Give every entry its directory index (root first, then depth first) and link the trees."""
    order: list[_Entry] = [root]

    def visit(node: _Entry) -> None:
        siblings = sorted(node.children.values(), key=lambda e: name_key(e.name))
        for entry in siblings:
            entry.sid = len(order)
            order.append(entry)
        node.child = _link(siblings, depth=0, red_depth=(len(siblings) + 1).bit_length() - 1)
        for entry in siblings:
            visit(entry)

    visit(root)
    return order


def _link(siblings: list[_Entry], depth: int, red_depth: int) -> int:
    """Link sorted siblings as a balanced binary tree; return the root's index.

    Splitting at the middle fills every level but the last, so colouring the last (incomplete)
    level red and everything else black satisfies the red-black rules.
    """
    if not siblings:
        return NOSTREAM
    mid = len(siblings) // 2
    node = siblings[mid]
    node.color = RED if depth >= red_depth else BLACK
    node.left = _link(siblings[:mid], depth + 1, red_depth)
    node.right = _link(siblings[mid + 1 :], depth + 1, red_depth)
    return node.sid


def _dir_entry(entry: _Entry, size: int) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.kind,
        entry.color,
        entry.left,
        entry.right,
        entry.child,
        bytes(16),
        0,
        0,
        0,
        entry.start,
        size,
    )


_EMPTY_DIR_ENTRY = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM,
                               bytes(16), 0, 0, 0, 0, 0)  # fmt: skip


def _sectors(n_bytes: int, size: int) -> int:
    return -(-n_bytes // size)


def write_cfb(streams: Mapping[str, bytes]) -> bytes:
    """Return a compound file holding ``streams``, keyed by ``/``-separated path.

    Storages are created from the paths (``"VBA/dir"`` makes storage ``VBA``).
    """
    root = _build_tree(streams)
    entries = _number(root)
    stream_entries = [e for e in entries if e.kind == TYPE_STREAM]
    small = [e for e in stream_entries if 0 < len(e.data) < MINI_CUTOFF]
    big = [e for e in stream_entries if len(e.data) >= MINI_CUTOFF]

    # Mini stream: the small streams, each padded to 64-byte mini sectors.
    mini_fat: list[int] = []
    mini_stream = bytearray()
    for entry in small:
        count = _sectors(len(entry.data), MINI_SECTOR)
        entry.start = len(mini_fat)
        mini_fat += [len(mini_fat) + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
        mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\x00")

    # Sector counts, then the FAT size, which must also cover its own sectors.
    n_dir = _sectors(len(entries) * 128, SECTOR)
    n_minifat = _sectors(len(mini_fat) * 4, SECTOR)
    n_ministream = _sectors(len(mini_stream), SECTOR)
    n_big = sum(_sectors(len(e.data), SECTOR) for e in big)
    n_data = n_dir + n_minifat + n_ministream + n_big
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + n_data:
        n_fat += 1
    if n_fat > HEADER_DIFAT_SLOTS:
        raise AddinBuildError("compound file too large for this writer (needs DIFAT sectors)")

    fat: list[int] = [FATSECT] * n_fat

    def chain(count: int) -> int:
        if count == 0:
            return ENDOFCHAIN
        first = len(fat)
        fat.extend(first + i + 1 for i in range(count - 1))
        fat.append(ENDOFCHAIN)
        return first

    dir_start = chain(n_dir)
    minifat_start = chain(n_minifat)
    root.start = chain(n_ministream)
    for entry in big:
        entry.start = chain(_sectors(len(entry.data), SECTOR))
    fat += [FREESECT] * (n_fat * (SECTOR // 4) - len(fat))

    directory = bytearray()
    for entry in entries:
        size = len(mini_stream) if entry.kind == TYPE_ROOT else len(entry.data)
        directory += _dir_entry(entry, size if entry.kind != TYPE_STORAGE else 0)
    while len(directory) % SECTOR:
        directory += _EMPTY_DIR_ENTRY

    difat = list(range(n_fat)) + [FREESECT] * (HEADER_DIFAT_SLOTS - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        SIGNATURE,
        bytes(16),
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # byte order mark
        9,  # sector shift
        6,  # mini sector shift
        bytes(6),
        0,  # number of directory sectors (0 in version 3)
        n_fat,
        dir_start,
        0,  # transaction signature
        MINI_CUTOFF,
        minifat_start if n_minifat else ENDOFCHAIN,
        n_minifat,
        ENDOFCHAIN,  # first DIFAT sector
        0,  # number of DIFAT sectors
        *difat,
    )

    def padded(data: bytes | bytearray) -> bytes:
        return bytes(data) + b"\x00" * (-len(data) % SECTOR)

    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    mini_fat_bytes += struct.pack("<I", FREESECT) * (-len(mini_fat) % (SECTOR // 4))
    parts = [
        header,
        struct.pack(f"<{len(fat)}I", *fat),
        bytes(directory),
        mini_fat_bytes,
        padded(mini_stream),
        *(padded(e.data) for e in big),
    ]
    return b"".join(parts)
