"""The name the workbook's buttons and UDFs import (`RunPython "import crm_xl.xl as x; x.run_all()"`, and
the xlwings `UDF Modules` setting): a stable entry point for the code in shells/xl.py, so workbooks made by
any version of crm-xl keep working."""

from .shells.xl import *  # noqa: F403 - the buttons' entry points, as they are
from .shells.xl import __all__  # noqa: F401
