"""MS-OVBA compression, encryption and project streams, checked against oletools and xlwings."""

from __future__ import annotations

import random
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from oletools.olevba import VBA_Parser, decompress_stream

from xlkpi.addin import ovba
from xlkpi.errors import AddinBuildError

XLWINGS_DIR = Path(xlwings.__file__).parent
QUICKSTART = XLWINGS_DIR / "quickstart_addin_ribbon.xlam"


def _oletools(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


def _chunk_count(container: bytes) -> int:
    pos, count = 1, 0
    while pos < len(container):
        (header,) = struct.unpack_from("<H", container, pos)
        pos += (header & 0x0FFF) + 3
        count += 1
    return count


def _random_text(size: int, seed: int) -> bytes:
    rng = random.Random(seed)
    words = ["Dim", "As", "Variant", "If", "Then", "End", "Sub", "x", "y1", "=", "+", "'", "\r\n"]
    out = []
    while sum(map(len, out)) < size:
        out.append(rng.choice(words) if rng.random() < 0.5 else rng.choice("abcdefgh0123 "))
    return "".join(out).encode("cp1252")[:size]


SAMPLES = {
    "random text 12 KB": _random_text(12_345, 1),
    "random letters 16 KB": bytes(random.Random(2).choices(b"abcdefghijklmnop \r\n", k=16_000)),
    "one byte repeated 50 KB": b"a" * 50_000,
    "repeated line 40 KB": b'Attribute VB_Name = "x"\r\n' * 1_700,
    "xlwings runtime": (XLWINGS_DIR / "xlwings_custom_addin.bas").read_bytes(),
    "empty": b"",
    "one byte": b"x",
    "4095 bytes": _random_text(4095, 3),
    "exactly one chunk": _random_text(4096, 4),
    "one chunk and a byte": _random_text(4097, 5),
    "two chunks": _random_text(8192, 6),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_compression_round_trips_through_oletools(name: str) -> None:
    data = SAMPLES[name]
    packed = ovba.compress(data)
    assert _oletools(packed) == data
    assert ovba.decompress(packed) == data


def test_big_inputs_use_several_chunks_and_compress() -> None:
    for name in ("random text 12 KB", "one byte repeated 50 KB", "xlwings runtime"):
        data = SAMPLES[name]
        packed = ovba.compress(data)
        assert _chunk_count(packed) == -(-len(data) // 4096) > 1
        assert len(packed) < len(data)
    assert len(ovba.compress(SAMPLES["one byte repeated 50 KB"])) < 200


def test_incompressible_chunk_is_stored_raw() -> None:
    data = random.Random(7).randbytes(8192)
    packed = ovba.compress(data)
    assert len(packed) == 1 + 2 * (2 + 4096)
    assert _oletools(packed) == data == ovba.decompress(packed)


def test_decompressor_reads_excel_written_streams_like_oletools() -> None:
    """xlwings' quickstart add-in was saved by Excel: our reader agrees with oletools on it."""
    ole = olefile.OleFileIO(_vba_bin(QUICKSTART))
    for stream in ("VBA/dir", "VBA/xlwings"):
        raw = ole.openstream(stream).read()
        assert ovba.decompress(raw) == _oletools(raw)


def _vba_bin(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/vbaProject.bin")


def test_decompress_rejects_garbage() -> None:
    with pytest.raises(AddinBuildError):
        ovba.decompress(b"\x02abc")
    with pytest.raises(AddinBuildError):
        ovba.decompress(b"\x01\xff\x0f")


def test_encryption_round_trip_and_excel_values() -> None:
    guid = ovba.project_guid("t")
    for seed in range(0, 256, 37):
        blob = ovba.encrypt_data(guid, b"\x01\x02\x03", seed)
        assert ovba.decrypt_data(blob) == (sum(guid.encode()) % 256, b"\x01\x02\x03")
    text = olefile.OleFileIO(_vba_bin(QUICKSTART)).openstream("PROJECT").read().decode()
    excel_id = re.search(r'ID="(\{.*?\})"', text)
    assert excel_id
    expected = {"CMG": bytes(4), "DPB": b"\x00", "GC": b"\xff"}
    for key, data in expected.items():
        match = re.search(rf'{key}="([0-9A-F]+)"', text)
        assert match
        assert ovba.decrypt_data(bytes.fromhex(match.group(1))) == (
            sum(excel_id.group(1).encode()) % 256,
            data,
        )


MODULES = [
    ovba.VbaModule("ThisWorkbook", "document", 'Attribute VB_Name = "ThisWorkbook"\n'),
    ovba.VbaModule("Module1", "standard", 'Attribute VB_Name = "Module1"\nSub A()\nEnd Sub\n'),
    ovba.VbaModule("Klasse", "class", 'Attribute VB_Name = "Klasse"\nPublic X As Long\n'),
]


def test_storage_streams() -> None:
    streams = ovba.build_vba_storage(MODULES, "Proj", seed="s")
    assert set(streams) == {
        "PROJECT",
        "PROJECTwm",
        "VBA/_VBA_PROJECT",
        "VBA/dir",
        "VBA/ThisWorkbook",
        "VBA/Module1",
        "VBA/Klasse",
    }
    assert streams["VBA/_VBA_PROJECT"] == bytes.fromhex("cc61ffff000100")
    assert (
        _oletools(streams["VBA/Module1"])
        == b'Attribute VB_Name = "Module1"\r\nSub A()\r\nEnd Sub\r\n'
    )
    assert streams == ovba.build_vba_storage(MODULES, "Proj", seed="s")
    other = ovba.build_vba_storage(MODULES, "Proj", seed="t")
    assert other["PROJECT"] != streams["PROJECT"]

    project = streams["PROJECT"].decode("cp1252").split("\r\n")
    assert project[0] == f'ID="{ovba.project_guid("s")}"'
    assert project[1:4] == ["Document=ThisWorkbook/&H00000000", "Module=Module1", "Class=Klasse"]
    assert 'Name="Proj"' in project
    assert streams["PROJECTwm"] == (
        b"ThisWorkbook\x00" + "ThisWorkbook".encode("utf-16-le") + b"\x00\x00"
        b"Module1\x00" + "Module1".encode("utf-16-le") + b"\x00\x00"
        b"Klasse\x00" + "Klasse".encode("utf-16-le") + b"\x00\x00\x00\x00"
    )


def test_dir_stream_fields() -> None:
    streams = ovba.build_vba_storage(MODULES, "Proj")
    records = ovba.parse_dir_stream(_oletools(streams["VBA/dir"]))
    by_id: dict[int, list[bytes]] = {}
    for record_id, data in records:
        by_id.setdefault(record_id, []).append(data)
    assert by_id[0x03] == [struct.pack("<H", 1252)]
    assert by_id[0x04] == [b"Proj"]
    assert by_id[0x09] == [struct.pack("<IH", 0x61EEF783, 3)]
    assert by_id[0x0F] == [struct.pack("<H", 3)]
    assert by_id[0x19] == [b"ThisWorkbook", b"Module1", b"Klasse"]
    assert by_id[0x47] == [n.encode("utf-16-le") for n in ("ThisWorkbook", "Module1", "Klasse")]
    assert by_id[0x1A] == by_id[0x19]
    assert by_id[0x32] == by_id[0x47]
    assert by_id[0x31] == [bytes(4)] * 3  # MODULEOFFSET 0: source only
    assert by_id[0x2C] == [b"\xff\xff"] * 3
    assert len(by_id[0x21]) == 1 and len(by_id[0x22]) == 2
    assert len(by_id[0x2B]) == 3
    assert records[-1] == (0x10, b"")
    module_types = [rid for rid, _ in records if rid in (0x21, 0x22)]
    assert module_types == [0x22, 0x21, 0x22]
    assert [rid for rid, _ in records if rid == 0x0D] == [0x0D, 0x0D]  # stdole, Office


def test_oletools_reads_a_project_built_from_streams(tmp_path: Path) -> None:
    from xlkpi.addin.cfb import write_cfb

    path = tmp_path / "vbaProject.bin"
    path.write_bytes(write_cfb(ovba.build_vba_storage(MODULES, "Proj")))
    parser = VBA_Parser(str(path))
    got = {name: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    assert set(got) == {"ThisWorkbook.cls", "Module1.bas", "Klasse.cls"}
    assert got["Module1.bas"].replace("\r\n", "\n").strip() == MODULES[1].source.strip()


def test_bad_modules_are_refused() -> None:
    with pytest.raises(AddinBuildError, match="VB_Name"):
        ovba.build_vba_storage([ovba.VbaModule("A", "standard", "Sub X()\nEnd Sub")])
    with pytest.raises(AddinBuildError, match="code page 1252"):
        ovba.build_vba_storage([ovba.VbaModule("A", "standard", 'Attribute VB_Name = "A"\n\'工资')])
    with pytest.raises(AddinBuildError, match="twice"):
        ovba.build_vba_storage([MODULES[1], MODULES[1]])
    with pytest.raises(AddinBuildError, match="identifier"):
        ovba.build_vba_storage([ovba.VbaModule("1A", "standard", 'Attribute VB_Name = "1A"')])


def test_stored_class_source_matches_what_excel_stored() -> None:
    """Converting xlwings' Dictionary.cls gives the source Excel stored in xlwings' add-in."""
    converted = ovba.stored_class_source((XLWINGS_DIR / "addin" / "Dictionary.cls").read_text())
    parser = VBA_Parser(str(QUICKSTART))
    stored = {name: code for _, _, name, code in parser.extract_macros()}["Dictionary.cls"]
    parser.close()
    # The VBA editor re-cases identifiers (Err -> err); compare case-insensitively.
    assert _lf(converted).strip().lower() == _lf(stored).strip().lower()


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")
