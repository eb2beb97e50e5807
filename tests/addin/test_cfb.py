"""The compound file writer, read back by olefile (an independent reader)."""

from __future__ import annotations

import io
import random
import struct

import olefile
import pytest

from xlkpi.addin import cfb
from xlkpi.errors import AddinBuildError


def _open(data: bytes) -> olefile.OleFileIO:
    return olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)


def _streams(seed: int, count: int) -> dict[str, bytes]:
    rng = random.Random(seed)
    streams = {
        "PROJECT": rng.randbytes(569),
        "PROJECTwm": rng.randbytes(161),
        "VBA/_VBA_PROJECT": bytes.fromhex("cc61ffff000100"),
        "VBA/dir": rng.randbytes(1278),
        "VBA/big": rng.randbytes(50_000),
        "VBA/cutoff": rng.randbytes(4096),
        "VBA/below cutoff": rng.randbytes(4095),
        "VBA/one mini sector": rng.randbytes(64),
        "VBA/empty": b"",
        "Deep/Er/Stream": b"hello",
    }
    for i in range(count):
        streams[f"Many/s{i:03d}"] = rng.randbytes(rng.choice([1, 63, 65, 700, 5000, 13_000]))
    return streams


@pytest.mark.parametrize(("seed", "count"), [(1, 0), (2, 5), (3, 150)])
def test_olefile_reads_every_stream_back(seed: int, count: int) -> None:
    streams = _streams(seed, count)
    ole = _open(cfb.write_cfb(streams))
    listed = {"/".join(path) for path in ole.listdir(streams=True, storages=False)}
    assert listed == set(streams)
    for path, data in streams.items():
        assert ole.get_size(path) == len(data)
        assert ole.openstream(path).read() == data, path
    assert ole.get_type("VBA") == olefile.STGTY_STORAGE
    assert ole.get_type("Deep/Er") == olefile.STGTY_STORAGE


def test_small_streams_live_in_the_mini_stream() -> None:
    ole = _open(cfb.write_cfb(_streams(4, 3)))
    assert ole.minisectorcutoff == 4096 and ole.sectorsize == 512 and ole.dll_version == 3
    sizes = {"/".join(p): ole.get_size("/".join(p)) for p in ole.listdir()}
    for path, size in sizes.items():
        entry = ole.direntries[ole._find(path)]
        assert entry.is_minifat == (0 < size < 4096), path


def test_same_streams_give_same_bytes() -> None:
    assert cfb.write_cfb(_streams(5, 20)) == cfb.write_cfb(_streams(5, 20))
    # Insertion order does not matter either.
    streams = _streams(5, 20)
    assert cfb.write_cfb(dict(reversed(streams.items()))) == cfb.write_cfb(streams)


def _check_tree(ole: olefile.OleFileIO, root_sid: int) -> list[str]:
    """In-order names of a sibling tree; asserts the red-black rules on the way."""
    names: list[str] = []

    def walk(sid: int, parent_red: bool) -> int:
        if sid == cfb.NOSTREAM:
            return 1
        entry = ole.direntries[sid]
        red = entry.color == cfb.RED
        assert not (red and parent_red), "red node with red parent"
        left = walk(entry.sid_left, red)
        names.append(entry.name)
        right = walk(entry.sid_right, red)
        assert left == right, "unequal black height"
        return left + (0 if red else 1)

    assert root_sid == cfb.NOSTREAM or ole.direntries[root_sid].color == cfb.BLACK
    walk(root_sid, False)
    return names


@pytest.mark.parametrize("count", [1, 2, 3, 7, 8, 50, 150])
def test_directory_trees_are_sorted_red_black_trees(count: int) -> None:
    ole = _open(cfb.write_cfb(_streams(6, count)))
    for entry in ole.direntries:
        if entry is not None and entry.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            names = _check_tree(ole, entry.sid_child)
            assert names == sorted(names, key=cfb.name_key)
            assert len(names) == len(entry.kids)


def test_name_order_is_length_then_upper_case() -> None:
    names = ["dir", "PROJECTwm", "_VBA_PROJECT", "b", "A", "ab", "Zz", "PROJECT"]
    ordered = sorted(names, key=cfb.name_key)
    assert ordered == ["A", "b", "ab", "Zz", "dir", "PROJECT", "PROJECTwm", "_VBA_PROJECT"]


def test_header_fields() -> None:
    data = cfb.write_cfb({"a": b"x"})
    assert data[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    minor, major, bom, sector_shift, mini_shift = struct.unpack_from("<HHHHH", data, 24)
    assert (minor, major, bom, sector_shift, mini_shift) == (0x3E, 3, 0xFFFE, 9, 6)
    assert len(data) % 512 == 0


def test_bad_input_is_refused() -> None:
    with pytest.raises(AddinBuildError):
        cfb.write_cfb({"a/b": b"1", "a": b"2"})
    with pytest.raises(AddinBuildError):
        cfb.write_cfb({"x" * 32: b""})
    with pytest.raises(AddinBuildError, match="DIFAT"):
        cfb.write_cfb({"huge": bytes(109 * 128 * 512)})
