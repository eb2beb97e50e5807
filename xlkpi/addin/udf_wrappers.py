"""Generate the VBA module that exposes Python UDFs to Excel, as xlwings' own import would.

The output has the shape of ``generate_vba_wrapper`` in ``xlwings/udfs.py`` (xlwings 0.37.8) for
an add-in: each function calls ``XLPy.CallUDF("<module>", "<name>", Array(args...),
ActiveWorkbook, Application.Caller)`` and returns ``Err.Description`` on failure. The functions
come from xlwings' ``__xlfunc__`` metadata when ``xw.func`` is real (Windows with pywin32); on
other systems ``xw.func`` is a no-op, so the functions named in the module's ``__all__`` are read
with ``inspect.signature`` by the same rules xlwings applies.
"""

from __future__ import annotations

import inspect
import io
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from xlwings.utils import VBAWriter

from xlkpi.errors import AddinBuildError

UDF_VBA_MODULE = "xlwings_udfs"

VBA_RESERVED = frozenset(
    """and as boolean byref byte byval call case const currency dim do double each else elseif
    end enum erase error exit false for function get global gosub goto if implements in integer
    is let like long loop me mod new next not nothing null on option optional or paramarray
    private property public redim rem resume return select set single static step stop string
    sub then to true type until variant wend while with xor""".split()
)


@dataclass(frozen=True)
class UdfArg:
    """One argument of a UDF. ``vba`` replaces it by a VBA expression (e.g. caller: Nothing)."""

    name: str
    vba: str | None = None
    optional: bool = False
    vararg: bool = False


@dataclass(frozen=True)
class UdfSpec:
    """What the VBA wrapper of one Python UDF needs to know."""

    name: str
    args: tuple[UdfArg, ...]
    sub: bool = False
    call_in_wizard: bool = True
    volatile: bool = False

    @property
    def excel_args(self) -> tuple[UdfArg, ...]:
        """The arguments a spreadsheet formula passes (those without a ``vba`` expression)."""
        return tuple(arg for arg in self.args if not arg.vba)


def _check_identifier(name: str, what: str) -> None:
    if not (name.isascii() and name.isidentifier()) or name.lower() in VBA_RESERVED:
        raise AddinBuildError(f"{what} {name!r} cannot be a VBA identifier (ASCII, not reserved)")


def _spec_from_xlfunc(xlfunc: dict[str, Any]) -> UdfSpec:
    args = tuple(
        UdfArg(
            name=arg["name"],
            vba="Nothing" if arg["name"] == "caller" else arg.get("vba"),
            optional="optional" in arg,
            vararg=bool(arg.get("vararg")),
        )
        for arg in xlfunc["args"]
    )
    return UdfSpec(
        name=xlfunc["name"],
        args=args,
        sub=bool(xlfunc.get("sub", False)),
        call_in_wizard=bool(xlfunc.get("call_in_wizard", True)),
        volatile=bool(xlfunc.get("volatile", False)),
    )


def spec_from_signature(func: Any) -> UdfSpec:
    """Read a plain function the way xlwings' ``xlfunc`` does (``func_sig`` in xlwings/udfs.py)."""
    args: list[UdfArg] = []
    has_default = has_vararg = False
    for param in inspect.signature(func).parameters.values():
        if param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            optional = param.default is not inspect.Parameter.empty
            has_default |= optional
            args.append(UdfArg(param.name, "Nothing" if param.name == "caller" else None, optional))
        elif param.kind is inspect.Parameter.VAR_POSITIONAL:
            has_vararg = True
            args.append(UdfArg(param.name, vararg=True))
        else:
            raise AddinBuildError(
                f"UDF {func.__name__}: parameter {param.name!r} is keyword-only or **kwargs, "
                "which xlwings does not support"
            )
    if has_default and has_vararg:
        raise AddinBuildError(
            f"UDF {func.__name__}: xlwings does not support optional and *args together"
        )
    return UdfSpec(name=func.__name__, args=tuple(args))


def udf_specs(module: ModuleType) -> list[UdfSpec]:
    """The UDFs of ``module`` in xlwings' order (``dir(module)``, i.e. sorted by name)."""
    specs = [
        _spec_from_xlfunc(obj.__xlfunc__)
        for obj in (getattr(module, attr) for attr in dir(module))
        if isinstance(getattr(obj, "__xlfunc__", None), dict)
    ]
    if not specs:
        names = getattr(module, "__all__", None)
        if names is None:
            raise AddinBuildError(
                f"module {module.__name__} has no xlwings metadata (xw.func is a no-op here) and "
                "no __all__: list its UDFs in __all__"
            )
        for name in sorted(names):
            func = getattr(module, name, None)
            if not inspect.isfunction(func):
                raise AddinBuildError(f"{module.__name__}.__all__ names {name!r}, not a function")
            specs.append(spec_from_signature(func))
    for spec in specs:
        _check_identifier(spec.name, "UDF name")
        for arg in spec.args:
            _check_identifier(arg.name, f"UDF {spec.name}: argument")
    return specs


def _write_wrapper(vba: VBAWriter, module_name: str, spec: UdfSpec, workbook: str) -> None:
    """Write one wrapper, line for line as xlwings' ``generate_vba_wrapper``."""
    ftype = "Sub" if spec.sub else "Function"
    params = []
    vararg = ""
    for arg in spec.excel_args:
        if arg.optional:
            params.append("Optional " + arg.name)
        elif arg.vararg:
            params.append(f"ParamArray {arg.name}()")
            vararg = arg.name
        else:
            params.append(arg.name)
    fname = spec.name
    with vba.block(f"{ftype} {fname}({', '.join(params)})"):
        if ftype == "Function":
            if not spec.call_in_wizard:
                vba.writeln(
                    'If (Not Application.CommandBars("Standard").Controls(1).Enabled) '
                    "Then Exit Function"
                )
            if spec.volatile:
                vba.writeln("Application.Volatile")
        if vararg:
            non_varargs = [arg.vba or arg.name for arg in spec.args if not arg.vararg]
            n = len(non_varargs)
            vba.writeln("Dim argsArray() As Variant")
            vba.writeln(f"argsArray = Array({', '.join(non_varargs)})")
            vba.writeln(f"ReDim Preserve argsArray(0 to UBound({vararg}) - LBound({vararg}) + {n})")
            vba.writeln(f"For k = LBound({vararg}) To UBound({vararg})")
            vba.writeln(f"argsArray({n} + k - LBound({vararg})) = {vararg}(k)")
            vba.writeln("Next k")
            args_vba = "argsArray"
        else:
            args_vba = "Array(" + ", ".join(arg.vba or arg.name for arg in spec.args) + ")"
        target = f'"{module_name}", "{fname}", {args_vba}'
        call = f"XLPy.CallUDF({target}"
        if ftype == "Sub":
            with vba.block('#If App = "Microsoft Excel" Then'):
                vba.writeln(f"XLPy.CallUDF {target}, {workbook}, Application.Caller")
            with vba.block("#Else"):
                vba.writeln(f"XLPy.CallUDF {target}")
            vba.writeln("#End If")
        else:
            with vba.block('#If App = "Microsoft Excel" Then'):
                vba.writeln("If TypeOf Application.Caller Is Range Then On Error GoTo failed")
                vba.writeln(f"{fname} = {call}, {workbook}, Application.Caller)")
                vba.writeln("Exit " + ftype)
            with vba.block("#Else"):
                vba.writeln(f"{fname} = {call})")
                vba.writeln("Exit " + ftype)
            vba.writeln("#End If")
            vba.write_label("failed")
            vba.writeln(fname + " = Err.Description")
    vba.writeln("End " + ftype)
    vba.writeln("")


def generate_udf_module(
    module: ModuleType,
    module_name: str | None = None,
    vba_module_name: str = UDF_VBA_MODULE,
    addin: bool = True,
) -> str:
    """Return the full VBA source (LF line endings) of the wrapper module for ``module``.

    ``module_name`` is what Python imports at call time (default: ``module.__name__``);
    ``addin`` picks ``ActiveWorkbook`` (add-in) or ``ThisWorkbook`` (workbook) as xlwings does.
    """
    name = module_name or module.__name__
    buffer = io.StringIO()
    vba = VBAWriter(buffer)
    vba.writeln(f'Attribute VB_Name = "{vba_module_name}"')
    vba.writeln(
        f"'Generated by xlkpi (xlkpi/addin/udf_wrappers.py) from the Python module {name}: "
        "edit the Python, then rebuild the add-in."
    )
    vba.writeln("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""")
    workbook = "ActiveWorkbook" if addin else "ThisWorkbook"
    for spec in udf_specs(module):
        _write_wrapper(vba, name, spec, workbook)
    return buffer.getvalue()
