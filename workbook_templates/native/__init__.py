"""The native build: the pay rules as plain spreadsheet formulas, no add-in (xlkpi.builds).

``pieces`` holds the formula of every rule (the proven formula twins, promoted), ``payroll``
the 工资表 row formulas, ``inputs`` the input sheets' computed cells, ``workbook`` what makes a
built or carried-forward workbook native.
"""
