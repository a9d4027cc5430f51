"""`python -m crm_xl` runs the CLI."""

from .entry import main

main()
