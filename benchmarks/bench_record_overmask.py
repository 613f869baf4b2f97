"""Over-masking on generated records: PERSON and ORGANIZATION placeholders the sanitiser writes, in all
and inside system prompts (whose bot, plan and company names are the application's, not a person's).

    python benchmarks/bench_record_overmask.py [--records 200] [--seed 23] [--no-day-terms]

The records are one generated day: as `sanitise_shard` does, the day's common terms (`day_terms`, words
that k distinct users write; k from LOGMINE_COMMON_TERM_USERS) are counted first and handed to the
sanitiser; `--no-day-terms` leaves them out, for the figure without that rule.

Prints one JSON line: records, person_placeholders, org_placeholders, masks_in_system_prompts,
common_terms (how many words the day rule keeps; never the words). The
generator's records carry no PERSON or ORGANIZATION in their system prompts, so every mask there is an
over-mask; pii-bench's texts have no system prompt, so its overmask figure cannot show this.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_MASK = re.compile(r"<(PERSON|ORGANIZATION)_[0-9a-f]{4}>")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--no-day-terms", action="store_true", help="leave out the day-level common-term rule")
    args = parser.parse_args()

    from logmine_dagster.generator import generate
    from logmine_dagster.ingest.records import parse_record
    from logmine_dagster.core.config import Settings
    from logmine_dagster.sanitise.day_terms import day_common_terms
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder) / "logs", dt.date(2026, 11, 17), days=1, per_day=args.records, seed=args.seed, write_manifest=False)
        records = [parse_record(json.loads(line)) for path in sorted(Path(folder).rglob("*.jsonl"))
                   for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sanitiser = get_sanitiser(())
    terms = frozenset() if args.no_day_terms else day_common_terms(records, Settings.from_env().common_term_users)
    found = {"PERSON": 0, "ORGANIZATION": 0}
    in_prompts = 0
    for record in records:
        out = sanitiser.sanitise_record(record, pseudonym_key=b"bench-overmask", common_terms=terms).record
        for match in _MASK.finditer(json.dumps(out, ensure_ascii=False)):
            found[match.group(1)] += 1
        prompts = [m["content"] for m in out["input"] if m.get("role") == "system" and isinstance(m.get("content"), str)]
        in_prompts += sum(len(_MASK.findall(prompt)) for prompt in prompts)
    print(json.dumps({"records": len(records), "person_placeholders": found["PERSON"], "org_placeholders": found["ORGANIZATION"],
                      "masks_in_system_prompts": in_prompts, "common_terms": len(terms)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
