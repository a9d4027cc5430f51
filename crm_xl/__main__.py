"""`python -m crm_xl` runs the CLI."""

from .cli import main

main()
