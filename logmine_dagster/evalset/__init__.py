"""The eval set beyond the table: exports every eval tool reads, a data-quality suite, growth stats.

Everything here is plain functions over eval cases (the dicts of `eval_set.jsonl` lines) or over the
database; the Dagster wiring in `defs/` and the `logmine evalset` command call them.
"""

from logmine_dagster.evalset.cases import eval_case_dicts, load_jsonl_cases
from logmine_dagster.evalset.exports import FORMATS, export, export_all

__all__ = ["FORMATS", "eval_case_dicts", "export", "export_all", "load_jsonl_cases"]
