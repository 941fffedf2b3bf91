"""Deterministic synthetic contracts and actions, from a hundred to a million, calibrated on the 2025 bilan.

`generate(actions=N, seed=S, year=Y)` fills a migrated database (SQLite or PostgreSQL) with `CLS-D` and
`CLS-M` contracts and N actions whose fields follow the distributions of chapter II of the report
(`targets.TARGETS`, with the id of each published figure). It is what `manage.py generate_data` runs.

Shape of the data
-----------------
- N is shared between the types as in the report (1064 CLS-D / 381 CLS-M actions out of 1445), and
  each type gets round(N_type / mean) contracts, the mean being the report's (1064/93 ≈ 11.4 actions per
  CLS-D, 381/22 ≈ 17.3 per CLS-M); contract sizes are drawn between 4 and 50 actions, then nudged so that
  they add up to N exactly.
- Contracts go round-robin over the authorities of the type (in a seeded order that puts last the
  authorities that did not sign in 2024: Ain, Ardèche, Haute-Loire, Moselle, Pyrénées-Orientales,
  Haute-Savoie, Deux-Sèvres, Metz Métropole), so that up to ~1,500 actions there is at most one contract
  per authority, like the real 113 contracts. Beyond that, the k-th contract of an authority (k = 0, 1, …)
  starts in `year - (k mod 4)` and lasts four years, so that every contract covers `year` and appears in
  its export; references follow `services.contract_reference`: `CLS-D-2024-059`, `CLS-D-2023-059`, …,
  then `CLS-D-2024-059-2` for k = 4, and so on (a reference already in the database is skipped the same
  way). Contracts are `signed`, with a signature date in their first year and the DDETS/DEETS of the
  seat département as signing organisation.
- Each action has every field an agent fills (see `Drafter.action`), a budget for `year` (97.5 % of them)
  and, when the contract and the action last beyond it, for `year + 1`: budget lines exist only for
  these two years, which keeps a million actions within the time budget. The State share stays under
  the type's 50 % ceiling except for ~2 % of actions, which carry a justification and
  `needs_state_review`, as the form would record them. Each contract gets one yearly State envelope for
  each year of its period, at least the State amounts of its busiest year, so no envelope is overrun.
  The `ActionYear` totals are those `services.action_year_rollup` computes from the lines.
  Indicators, execution fields (progress status, spending) and history rows are not generated: the
  first come with the `suivi` campaigns, and bulk inserts write no django-simple-history rows.

Determinism
-----------
Every random draw comes from `random.Random` instances seeded with strings (`f"{seed}:plan"`,
`f"{seed}:contract:{index}"`), which Python hashes with SHA-512 whatever `PYTHONHASHSEED` is; reference
data are read in code order, never by database id, and no draw depends on the iteration order of a set.
The same seed, year and N on the same starting database therefore give the same rows, and
`export_actions` writes byte-identical files, whichever engine, process or batch size.

Speed
-----
Contracts are drawn and written by batches of about `BATCH_ACTIONS` actions, then dropped, so memory
stays flat. Primary keys are reserved per batch (`nextval` on PostgreSQL, `MAX(id)` on SQLite) so that
every table can be written without reading anything back. PostgreSQL gets one `COPY … FROM STDIN` per
table and batch, from a second thread while the next batch is drawn, without the per-row foreign-key
triggers when the user is a superuser (see `Writer.skips_triggers`), then an `ANALYZE`; SQLite gets
`executemany`. One transaction per batch. Timings: docs/performance.md.

Modules, in the order of a run
------------------------------
- `targets`: the report's figures and the modelling choices (numbers only);
- `vocabulary`: the words agents write (`data/vocabulary.yaml`, read once);
- `sampling`: weighted choices, amounts and counts as people type them;
- `reference`: the reference data read from the database (`Reference`, `reference_data_ensure`);
- `planning`: the contracts of a run (`plan_contracts`, `contract_sizes`, `ContractPlan`);
- `drafts`: the shapes of the drawn data (`ContractDraft`, `ActionDraft`);
- `drafting`: a contract and its actions drawn from a plan (`Drafter`);
- `writer`: the rows written in bulk (`Writer`, the only raw SQL);
- `run`: `generate`, by batches, optionally from a second thread.
- `pacts`: the local pacts, their actions and survey answers, in proportion with the contract actions
  (`generate_pacts`, called at the end of `generate`; 122 pacts and 457 actions for 1,445 contract actions).
"""

from .drafting import Drafter
from .drafts import ActionDraft, ContractDraft
from .planning import ContractPlan, contract_sizes, plan_contracts, reference_code
from .reference import AuthorityInfo, Pool, Reference, reference_data_ensure
from .run import generate
from .targets import BATCH_ACTIONS, NON_SIGNATORIES, TARGETS
from .writer import Writer

__all__ = [
    "BATCH_ACTIONS",
    "NON_SIGNATORIES",
    "TARGETS",
    "ActionDraft",
    "AuthorityInfo",
    "ContractDraft",
    "ContractPlan",
    "Drafter",
    "Pool",
    "Reference",
    "Writer",
    "contract_sizes",
    "generate",
    "plan_contracts",
    "reference_code",
    "reference_data_ensure",
]
