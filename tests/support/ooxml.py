"""Format proof for the files xlkpi writes: every XML part of a package against its schema
(ISO/IEC 29500 transitional, OPC, Office custom UI) after Markup Compatibility processing, and
the whole package through ``openxml-audit`` (a port of the Open XML SDK validator).

Both fail — never skip — when their validator or schemas are missing: the format proof is only
a proof if it ran.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

SCHEMAS = Path(os.environ.get("XLKPI_SCHEMAS", "/work/shared/schemas"))
OOXML = SCHEMAS / "ooxml"
ISO = OOXML / "ISO-IEC29500-4_2016"
OPC = OOXML / "ecma" / "fouth-edition"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_CT = "application/vnd.openxmlformats-"
# content type (or its end) → schema file
_BY_TYPE: tuple[tuple[str, Path], ...] = (
    (_CT + "officedocument.theme+xml", ISO / "dml-main.xsd"),
    (_CT + "officedocument.drawing+xml", ISO / "dml-spreadsheetDrawing.xsd"),
    (_CT + "officedocument.vmlDrawing", ISO / "vml-*.xsd"),
    (_CT + "package.core-properties+xml", OPC / "opc-coreProperties.xsd"),
    (_CT + "officedocument.extended-properties+xml", ISO / "shared-documentPropertiesExtended.xsd"),
    (_CT + "officedocument.custom-properties+xml", ISO / "shared-documentPropertiesCustom.xsd"),
    (_CT + "package.relationships+xml", OPC / "opc-relationships.xsd"),
    (_CT + "officedocument.spreadsheetml.", ISO / "sml.xsd"),
    ("application/vnd.ms-excel.", ISO / "sml.xsd"),  # macro-enabled workbook / add-in parts
)
BINARY_TYPES = ("application/vnd.ms-office.vbaProject",)
# the one finding of openxml-audit known to be false (schemas README): font children order
KNOWN_AUDIT_FINDINGS = (("/xl/styles.xml", "Unexpected element 'color' found"),)
# openpyxl 3.1 writes text as inline strings; the audit warns that Excel moves them into a
# shared-strings table on its next save. Valid SpreadsheetML (§18.3.1.53 ``is``), no repair.
KNOWN_AUDIT_WARNINGS = ("Excel_InlineStrCells",)


class ValidatorMissing(AssertionError):
    """A schema file or the openxml-audit package is not there: the proof cannot run."""


@dataclass(frozen=True)
class Problem:
    part: str
    message: str

    def __str__(self) -> str:
        return f"{self.part}: {self.message}"


def _require(path: Path) -> Path:
    if not path.is_file():
        raise ValidatorMissing(f"schema {path} is missing (set XLKPI_SCHEMAS to its folder)")
    return path


_DC = "http://dublincore.org/schemas/xmls/qdc/2003/04/02"
_REMOTE = {
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dc.xsd": OOXML / "stubs" / "dc.xsd",
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dcterms.xsd": OOXML
    / "stubs"
    / "dcterms.xsd",
}


@cache
def schema(path: Path) -> Any:
    """The compiled schema: lxml (libxml2, fast) for ISO/OPC, xmlschema for the custom UI
    schemas that libxml2 refuses (schemas README). Dublin Core imports use the local stubs."""
    if path.name == "vml-*.xsd":  # a VML drawing mixes the three VML vocabularies
        return _vml_schema()
    _require(path)
    if path.parent == SCHEMAS:
        import xmlschema

        return xmlschema.XMLSchema(str(path))
    from lxml import etree

    class Local(etree.Resolver):
        def resolve(self, url: str, pubid: str, context: Any) -> Any:
            local = _REMOTE.get(url)
            return self.resolve_filename(str(_require(local)), context) if local else None

    parser = etree.XMLParser()
    parser.resolvers.add(Local())
    doc = etree.parse(str(path), parser)
    for imp in doc.getroot().iter("{http://www.w3.org/2001/XMLSchema}import"):
        if imp.get("namespace") == "http://www.w3.org/XML/1998/namespace":
            imp.set("schemaLocation", (ISO / "xml.xsd").as_uri())  # the OPC schema omits it
    return etree.XMLSchema(doc)


def _vml_schema() -> Any:
    from lxml import etree

    vocabularies = {
        "urn:schemas-microsoft-com:vml": "vml-main.xsd",
        "urn:schemas-microsoft-com:office:office": "vml-officeDrawing.xsd",
        "urn:schemas-microsoft-com:office:excel": "vml-spreadsheetDrawing.xsd",
    }
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{_require(ISO / name).as_uri()}"/>'
        for ns, name in vocabularies.items()
    )
    text = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(text, base_url=ISO.as_uri() + "/"))


def apply_markup_compatibility(root: Any) -> Any:
    """ECMA-376 Part 3 as a consumer that understands only the schemas' namespaces: drop
    elements and attributes of the namespaces ``mc:Ignorable`` lists, replace each
    ``mc:AlternateContent`` by its ``mc:Fallback``'s children, drop the mc attributes."""
    ignorable: set[str] = set()
    for el in root.iter():
        value = el.get(f"{{{MC}}}Ignorable") if isinstance(el.tag, str) else None
        if value:
            ignorable |= {el.nsmap.get(prefix, prefix) for prefix in value.split()}

    def ns_of(name: str) -> str:
        return name[1:].split("}", 1)[0] if name.startswith("{") else ""

    def walk(el: Any) -> None:
        for key in [k for k in el.attrib if ns_of(k) == MC or ns_of(k) in ignorable]:
            del el.attrib[key]
        for child in list(el):
            if not isinstance(child.tag, str):  # comments, processing instructions
                continue
            if child.tag == f"{{{MC}}}AlternateContent":
                fallback = next((c for c in child if c.tag == f"{{{MC}}}Fallback"), None)
                at = el.index(child)
                for i, kept in enumerate(list(fallback) if fallback is not None else []):
                    el.insert(at + i, kept)
                el.remove(child)
            elif ns_of(child.tag) in ignorable:
                el.remove(child)
        for child in el:
            if isinstance(child.tag, str):
                walk(child)

    walk(root)
    return root


def _errors(xsd: Path, root: Any) -> list[str]:
    checker = schema(xsd)
    if hasattr(checker, "iter_errors"):  # xmlschema
        from xml.etree import ElementTree as ET

        from lxml import etree

        tree = ET.fromstring(etree.tostring(root))
        return [f"{e.reason} at {e.path}" for e in checker.iter_errors(tree)]
    if checker.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]


def content_types(zf: zipfile.ZipFile) -> dict[str, str]:
    """Part name (no leading /) → content type, from [Content_Types].xml."""
    root = ET.fromstring(zf.read("[Content_Types].xml"))
    defaults, overrides = {}, {}
    for el in root:
        if el.tag.endswith("}Default"):
            defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
        elif el.tag.endswith("}Override"):
            overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
    out = {}
    for name in zf.namelist():
        if name.endswith("/") or name == "[Content_Types].xml":
            continue
        base = posixpath.basename(name)
        ext = base.rsplit(".", 1)[-1].lower() if "." in base else ""  # ".rels" has one
        out[name] = overrides.get(name, defaults.get(ext, ""))
    return out


def schema_for(part: str, content_type: str) -> Path | None:
    """The schema a part must satisfy; None for binary parts. Raises for an unknown part."""
    if part.lower().startswith("customui/"):
        name = "customui14.xsd" if "14" in posixpath.basename(part) else "customUI.xsd"
        return SCHEMAS / name
    if content_type.startswith(BINARY_TYPES):
        return None
    for prefix, path in _BY_TYPE:
        if content_type.startswith(prefix):
            return path
    raise AssertionError(f"no schema known for part {part} ({content_type or 'no type'})")


def validate_package(path: Path) -> list[Problem]:
    """Every schema problem of every part of an OOXML package (empty: all valid).

    A legacy VML drawing's root is the unqualified ``<xml>`` wrapper that no schema defines
    (ISO/IEC 29500-4 §14): each of its children is validated instead.
    """
    from lxml import etree

    problems: list[Problem] = []
    with zipfile.ZipFile(path) as zf:
        types = content_types(zf)
        parts = [("[Content_Types].xml", OPC / "opc-contentTypes.xsd")]
        parts += [(name, schema_for(name, t)) for name, t in sorted(types.items())]
        for name, xsd in parts:
            if xsd is None:
                continue
            root = apply_markup_compatibility(etree.fromstring(zf.read(name)))
            roots = [c for c in root if isinstance(c.tag, str)] if root.tag == "xml" else [root]
            for element in roots:
                problems += [Problem(name, message) for message in _errors(xsd, element)]
    return problems


def audit_package(path: Path) -> list[str]:
    """openxml-audit's findings beyond the known ones (empty: the package passes)."""
    try:
        from openxml_audit import FileFormat, OpenXmlValidator
    except ImportError as exc:
        raise ValidatorMissing("openxml-audit is not installed (pip install -e '.[test]')") from exc
    result = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=0).validate(
        str(path)
    )
    findings = []
    for error in result.errors:
        if (error.part_uri, error.description) in KNOWN_AUDIT_FINDINGS:
            continue
        if error.id in KNOWN_AUDIT_WARNINGS and error.severity.value == "warning":
            continue
        findings.append(f"{error.severity.value} {error.id} {error.part_uri}: {error.description}")
    return findings
