Attribute VB_Name = "CRM"
' crm-xl: the workbook's buttons. Each Sub runs one crm-xl job on this workbook through xlwings
' (RunPython, in the xlwings module beside this one). The Python side (crm_xl.xl) shows the result in
' the status bar and a message box, and any problem as a message box.
' Set up once per computer: pip install "crm-xl[excel]", then: crm-xl excel-setup <this workbook>
' Source: crm_xl/authoring/vba_modules/CRM.bas (a copy is in workbook/vba/). Keep this file ASCII.
Option Explicit

' Check every row of every data sheet; write the check column and the Issues sheet.
Public Sub ValidateRows()
    RunPython "import crm_xl.xl as x; x.validate_rows()"
End Sub

' Recompute the A/B/C tiers and log every change.
Public Sub RecomputeTiers()
    RunPython "import crm_xl.xl as x; x.recompute_tiers()"
End Sub

' Next due dates, overdue days and statuses; rebuild the Today worklist.
Public Sub FlagStale()
    RunPython "import crm_xl.xl as x; x.flag_stale()"
End Sub

' Health score and churn risk; rebuild the churn watch list.
Public Sub AssessHealth()
    RunPython "import crm_xl.xl as x; x.assess_health()"
End Sub

' Build the monthly review sheet (the last full month before today).
Public Sub BuildReview()
    RunPython "import crm_xl.xl as x; x.build_review()"
End Sub

' Everything above, in order, with one read of the workbook.
Public Sub RunAll()
    RunPython "import crm_xl.xl as x; x.run_all()"
End Sub
