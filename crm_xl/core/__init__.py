"""Pure logic on pandas DataFrames: no openpyxl, xlwings, typer or rich here."""
