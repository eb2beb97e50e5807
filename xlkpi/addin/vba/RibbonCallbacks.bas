Attribute VB_Name = "RibbonCallbacks"
' Ribbon callbacks of the xlkpi add-in: each button of customUI14.xml runs one function
' of the Python module xlkpi.addin.macros through xlwings' RunPython (module xlwings).
Option Explicit

Sub OnRecalc(control As IRibbonControl)
    RunPython "import xlkpi.addin.macros as m; m.recalc()"
End Sub

Sub OnCheck(control As IRibbonControl)
    RunPython "import xlkpi.addin.macros as m; m.check()"
End Sub

Sub OnNewMonth(control As IRibbonControl)
    RunPython "import xlkpi.addin.macros as m; m.new_month()"
End Sub

Sub OnPayslips(control As IRibbonControl)
    RunPython "import xlkpi.addin.macros as m; m.payslips()"
End Sub

Sub OnCloseMonth(control As IRibbonControl)
    RunPython "import xlkpi.addin.macros as m; m.close_month()"
End Sub

Sub OnExplain(control As IRibbonControl)
    RunPython "import xlkpi.addin.macros as m; m.explain()"
End Sub
