"""`python -m crm_xl` runs the CLI."""

from .shells.entry import main

main()
