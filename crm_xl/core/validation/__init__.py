"""Validation internals: the rules table, name normalisation, the checks and the report.

The entry point is `crm_xl.core.validation.job.validate(ctx)`.
"""

from .names import dedupe_key
from .rules import RULES, Rule

__all__ = ["RULES", "Rule", "dedupe_key"]
