"""MS-OVBA: compress VBA source and build the streams of a source-only VBA project storage.

The project is written in the version-independent form Excel recompiles from source:
``VBA/_VBA_PROJECT`` is the 7-byte header ``cc 61 ff ff 00 01 00`` and every module stream holds
only its compressed source (MODULEOFFSET 0, no p-code). Code page 1252, CRLF line endings.
Everything is derived from the input, so building twice gives identical bytes.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from xlkpi.errors import AddinBuildError

CODE_PAGE = 1252
ENCODING = "cp1252"
VBA_PROJECT_HEADER = bytes.fromhex("cc61ffff000100")
CHUNK_SIZE = 4096

ModuleKind = Literal["standard", "document", "class"]

# References every new Excel VBA project carries (besides the implicit VBA and Excel ones):
# OLE Automation (stdole) and the Office object library, which defines IRibbonControl.
REFERENCES: tuple[tuple[str, str], ...] = (
    (
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
        r"C:\Windows\System32\stdole2.tlb#OLE Automation",
    ),
    (
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
        r"C:\Program Files (x86)\Common Files\Microsoft Shared\OFFICE16\MSO.DLL"
        "#Microsoft Office 16.0 Object Library",
    ),
)


@dataclass(frozen=True)
class VbaModule:
    """One VBA module: its name, kind and full source (starting with ``Attribute VB_Name``)."""

    name: str
    kind: ModuleKind
    source: str


# --------------------------------------------------------------------------- compression


def _copy_token_layout(distance_from_chunk_start: int) -> tuple[int, int]:
    """Return (bit_count, maximum_length) of a CopyToken at this position (MS-OVBA 2.4.1.3.19.1)."""
    bit_count = max((distance_from_chunk_start - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(data: bytes) -> bytes:
    """Compress one decompressed chunk (at most 4096 bytes) into CompressedChunk bytes."""
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    pos = 0
    end = len(data)
    while pos < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_len, best_off = 0, 0
            if pos > 0 and pos + 3 <= end:
                bit_count, max_len = _copy_token_layout(pos)
                limit = min(max_len, end - pos)
                for cand in reversed(heads.get(data[pos : pos + 3], [])[-256:]):
                    length = 3
                    while length < limit and data[cand + length] == data[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == limit:
                            break
            if best_len >= 3:
                bit_count, _ = _copy_token_layout(pos)
                token = ((best_off - 1) << (16 - bit_count)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                step = best_len
            else:
                out.append(data[pos])
                step = 1
            for p in range(pos, pos + step):
                if p + 3 <= end:
                    heads.setdefault(data[p : p + 3], []).append(p)
            pos += step
        out[flag_index] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (signature byte + chunks)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK_SIZE):
        chunk = data[start : start + CHUNK_SIZE]
        body = _compress_chunk(chunk)
        if len(body) <= CHUNK_SIZE:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
        else:
            # RawChunk: exactly 4096 bytes, the last chunk padded with NULs (MS-OVBA 2.4.1.3.10).
            out += struct.pack("<H", 0x3000 | (CHUNK_SIZE + 2 - 3))
            out += chunk.ljust(CHUNK_SIZE, b"\x00")
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer; raise AddinBuildError if it is malformed."""
    if not data or data[0] != 1:
        raise AddinBuildError("not an MS-OVBA compressed container (signature byte is not 0x01)")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise AddinBuildError(f"truncated chunk header at byte {pos}")
        (header,) = struct.unpack_from("<H", data, pos)
        if (header >> 12) & 0b111 != 0b011:
            raise AddinBuildError(f"bad chunk signature at byte {pos}")
        chunk_end = min(pos + (header & 0x0FFF) + 3, len(data))
        pos += 2
        if not header & 0x8000:
            out += data[pos : pos + CHUNK_SIZE]
            pos += CHUNK_SIZE
            continue
        chunk_start = len(out)
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(data[pos])
                    pos += 1
                    continue
                (token,) = struct.unpack_from("<H", data, pos)
                pos += 2
                bit_count, _ = _copy_token_layout(len(out) - chunk_start)
                offset = (token >> (16 - bit_count)) + 1
                length = (token & (0xFFFF >> bit_count)) + 3
                if offset > len(out) - chunk_start:
                    raise AddinBuildError(f"copy token points before its chunk at byte {pos}")
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


# --------------------------------------------------------------------------- encryption


def _proj_key(project_id: str) -> int:
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt_data(project_id: str, data: bytes, seed: int) -> bytes:
    """Obfuscate ``data`` as MS-OVBA 2.4.3.2 does (CMG/DPB/GC); ``seed`` fixes the output."""
    seed &= 0xFF
    version_enc = seed ^ 2
    proj_key = _proj_key(project_id)
    out = bytearray([seed, version_enc, seed ^ proj_key])
    unencrypted1, encrypted1, encrypted2 = proj_key, seed ^ proj_key, version_enc
    ignored = bytes((seed & 6) // 2)
    for byte in ignored + struct.pack("<I", len(data)) + data:
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return bytes(out)


def decrypt_data(blob: bytes) -> tuple[int, bytes]:
    """Undo :func:`encrypt_data`; return (ProjKey, data)."""
    seed, version_enc, proj_key_enc = blob[0], blob[1], blob[2]
    if seed ^ version_enc != 2:
        raise AddinBuildError("encrypted data has a version other than 2")
    proj_key = seed ^ proj_key_enc
    unencrypted1, encrypted1, encrypted2 = proj_key, proj_key_enc, version_enc
    plain = bytearray()
    for enc in blob[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    data = bytes(plain[ignored + 4 : ignored + 4 + length])
    return proj_key, data


# --------------------------------------------------------------------------- project streams


def project_guid(seed: str) -> str:
    """A project GUID in ``{XXXXXXXX-...}`` form, derived from ``seed`` (same seed, same GUID)."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"xlkpi:vba-project:{seed}")).upper() + "}"


def encode_source(source: str) -> bytes:
    """Source text as stored: CRLF line endings, code page 1252, ending with a line break."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    try:
        return text.replace("\n", "\r\n").encode(ENCODING)
    except UnicodeEncodeError as exc:
        raise AddinBuildError(
            f"VBA source contains {exc.object[exc.start : exc.end]!r}, which code page 1252 "
            "cannot hold; use ChrW() in VBA for non-Latin text"
        ) from exc


def _check_modules(modules: Sequence[VbaModule]) -> None:
    seen: set[str] = set()
    for module in modules:
        if not module.name.isidentifier() or not module.name.isascii() or len(module.name) > 31:
            raise AddinBuildError(f"VBA module name {module.name!r} is not a valid VBA identifier")
        if module.name.upper() in seen:
            raise AddinBuildError(f"VBA module {module.name!r} appears twice")
        seen.add(module.name.upper())
        first = module.source.lstrip("\ufeff").splitlines()[:1]
        if first != [f'Attribute VB_Name = "{module.name}"']:
            raise AddinBuildError(
                f'VBA module {module.name!r} must start with Attribute VB_Name = "{module.name}"'
            )


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _text_records(id_mbcs: int, id_unicode: int, text: str) -> bytes:
    return _record(id_mbcs, text.encode(ENCODING)) + _record(id_unicode, text.encode("utf-16-le"))


def build_dir_stream(project_name: str, modules: Sequence[VbaModule]) -> bytes:
    """The decompressed ``VBA/dir`` stream: PROJECTINFORMATION, references, PROJECTMODULES."""
    out = bytearray()
    out += _record(0x01, struct.pack("<I", 1))  # PROJECTSYSKIND: Win32
    out += _record(0x02, struct.pack("<I", 0x409))  # PROJECTLCID
    out += _record(0x14, struct.pack("<I", 0x409))  # PROJECTLCIDINVOKE
    out += _record(0x03, struct.pack("<H", CODE_PAGE))  # PROJECTCODEPAGE
    out += _record(0x04, project_name.encode(ENCODING))  # PROJECTNAME
    out += _text_records(0x05, 0x40, "")  # PROJECTDOCSTRING
    out += _text_records(0x06, 0x3D, "")  # PROJECTHELPFILEPATH
    out += _record(0x07, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _record(0x08, struct.pack("<I", 0))  # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x09, 4, 0x61EEF783, 3)  # PROJECTVERSION (size field is 4)
    out += _text_records(0x0C, 0x3C, "")  # PROJECTCONSTANTS
    for name, libid in REFERENCES:
        out += _text_records(0x16, 0x3E, name)  # REFERENCENAME
        raw = libid.encode(ENCODING)
        out += _record(0x0D, struct.pack("<I", len(raw)) + raw + struct.pack("<IH", 0, 0))
    out += _record(0x0F, struct.pack("<H", len(modules)))  # PROJECTMODULES
    out += _record(0x13, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        out += _text_records(0x19, 0x47, module.name)  # MODULENAME + MODULENAMEUNICODE
        out += _text_records(0x1A, 0x32, module.name)  # MODULESTREAMNAME
        out += _text_records(0x1C, 0x48, "")  # MODULEDOCSTRING
        out += _record(0x31, struct.pack("<I", 0))  # MODULEOFFSET: source only
        out += _record(0x1E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x2C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x21 if module.kind == "standard" else 0x22, b"")  # MODULETYPE
        out += _record(0x2B, b"")  # module terminator
    out += _record(0x10, b"")  # dir terminator
    return bytes(out)


def parse_dir_stream(data: bytes) -> list[tuple[int, bytes]]:
    """Split a decompressed ``dir`` stream into (record id, data) pairs, PROJECTVERSION included."""
    records: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        record_id, size = struct.unpack_from("<HI", data, pos)
        if record_id == 0x09:
            size = 6
        records.append((record_id, data[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    return records


UNPROTECTED = bytes(4)  # ProjectProtectionState: nothing locked
NO_PASSWORD = bytes(1)  # ProjectPassword: none
VISIBLE = b"\xff"  # ProjectVisibilityState: the project is visible


def _hex(data: bytes) -> str:
    return data.hex().upper()


def build_project_stream(project_name: str, guid: str, modules: Sequence[VbaModule]) -> bytes:
    """The ``PROJECT`` stream: the text properties of the project (MS-OVBA 2.3.1)."""
    seed = sum(guid.encode("ascii"))
    lines = [f'ID="{guid}"']
    for module in modules:
        if module.kind == "document":
            lines.append(f"Document={module.name}/&H00000000")
        elif module.kind == "class":
            lines.append(f"Class={module.name}")
        else:
            lines.append(f"Module={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{_hex(encrypt_data(guid, UNPROTECTED, seed))}"',
        f'DPB="{_hex(encrypt_data(guid, NO_PASSWORD, seed + 1))}"',
        f'GC="{_hex(encrypt_data(guid, VISIBLE, seed + 2))}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
    ]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING)


def build_projectwm_stream(modules: Sequence[VbaModule]) -> bytes:
    """The ``PROJECTwm`` stream: each module name in code page 1252 and UTF-16, then 0x0000."""
    out = bytearray()
    for module in modules:
        out += module.name.encode(ENCODING) + b"\x00"
        out += module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def build_vba_storage(
    modules: Sequence[VbaModule], project_name: str = "VBAProject", seed: str | None = None
) -> dict[str, bytes]:
    """Build every stream of a vbaProject.bin, keyed by path (``VBA/dir``, ``PROJECT`` ...).

    ``seed`` (default: the project name) fixes the project GUID, so the output is reproducible.
    """
    _check_modules(modules)
    guid = project_guid(seed if seed is not None else project_name)
    streams = {
        "PROJECT": build_project_stream(project_name, guid, modules),
        "PROJECTwm": build_projectwm_stream(modules),
        "VBA/_VBA_PROJECT": VBA_PROJECT_HEADER,
        "VBA/dir": compress(build_dir_stream(project_name, modules)),
    }
    for module in modules:
        source = encode_source(module.source)
        packed = compress(source)
        if decompress(packed) != source:  # only incompressible binary could do this
            raise AddinBuildError(f"VBA module {module.name!r} does not survive compression")
        streams[f"VBA/{module.name}"] = packed
    return streams


CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"


def stored_class_source(exported: str) -> str:
    """Turn an exported ``.cls`` file into the source a class module stream stores.

    The ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` header goes; ``VB_Base``,
    ``VB_TemplateDerived`` and ``VB_Customizable`` are added as the VBA editor stores them.
    """
    lines = exported.replace("\r\n", "\n").split("\n")
    start = next((i for i, s in enumerate(lines) if s.startswith("Attribute VB_Name")), None)
    if start is None:
        raise AddinBuildError("class module export has no 'Attribute VB_Name' line")
    end = start
    while end < len(lines) and lines[end].startswith("Attribute "):
        end += 1
    attrs = lines[start + 1 : end]
    standard = ("VB_GlobalNameSpace", "VB_Creatable", "VB_PredeclaredId", "VB_Exposed")
    head = [lines[start], f'Attribute VB_Base = "{CLASS_BASE}"']
    head += [a for key in standard for a in attrs if a.startswith(f"Attribute {key} ")]
    head += ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False"]
    head += [a for a in attrs if a.split()[1] not in standard]
    return "\n".join(head + lines[end:])
