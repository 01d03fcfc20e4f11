#!/usr/bin/env python3
"""The same reconciliation as `onshi reconcile`, done with Splink 5 (DuckDB backend): a benchmark, not a test.

Reads WORLD/splink/registry.csv and WORLD/splink/records.csv (written by `reconcile-bench splink-input`: the
fields standardised with onshi-text's keys, so that Splink compares what onshi compares), links every record
to the registry with a Fellegi-Sunter model trained without labels, and writes WORLD/splink/out.csv in
OUT.csv's columns, so that `reconcile-bench accuracy --world WORLD --out WORLD/splink/out.csv` measures it
exactly as it measures onshi. bench/splink/run.sh does all of it; see docs/benchmarks.md.

How a record is graded (the decision a reconciliation needs from a linkage model):
- Splink scores the record against its number's owner and against every resident found by the blocking
  rules (the same birth date and surname, given name, whole name or reading: the candidates onshi compares
  with). The carried My Number is *not* a comparison: it is what is being checked.
- keep ("A" in out.csv): the owner's match probability is at least --threshold and no other resident scores
  higher;
- flag ("C"): otherwise, or the record has no My Number or one that is not in the registry.
  suggested_my_number is the best-scoring resident when it is not the owner, scores at least --threshold
  and no other resident ties with it.

Training (unsupervised, as onshi uses no labels either): λ from a deterministic rule, u by random sampling,
m by expectation maximisation on two blocking rules (birth date and address; surname and given name), each
training the comparisons its rule does not fix.
"""

import argparse
import json
import logging
import os
import sys
import time

import duckdb
import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world", required=True, help="a world of `reconcile-bench world` after `splink-input`")
    ap.add_argument("--threshold", type=float, default=0.5, help="match probability to keep a link (0.5)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="DuckDB threads (all cores)")
    ap.add_argument("--memory-limit", default="16GB", help="DuckDB memory_limit (16GB of the 24 GiB)")
    ap.add_argument("--u-pairs", type=float, default=1e7, help="pairs sampled to estimate u (1e7)")
    args = ap.parse_args()

    d = os.path.join(args.world, "splink")
    for f in ("registry.csv", "records.csv"):
        if not os.path.exists(os.path.join(d, f)):
            print(f"error: {d}/{f} is missing: run `reconcile-bench splink-input --world {args.world}`", file=sys.stderr)
            return 2
    logging.basicConfig(level=logging.WARNING)
    started = time.monotonic()
    phases = {}

    def phase(name, t0):
        phases[name] = round(time.monotonic() - t0, 2)
        print(f"{name}: {phases[name]} s", file=sys.stderr, flush=True)

    t = time.monotonic()
    tmp = os.path.join(d, "duckdb-tmp")
    con = duckdb.connect(":memory:", config={"threads": args.threads, "memory_limit": args.memory_limit,
                                             "temp_directory": tmp, "preserve_insertion_order": False})

    def sql(text):
        # DuckDB 2 wants every result consumed before the next statement.
        return con.execute(text).fetchall()

    for table in ("registry", "records"):
        sql(f"""CREATE TABLE {table} AS SELECT * REPLACE (nullif(sex, '') AS sex,
                        nullif(address, '') AS address, nullif(kana, '') AS kana, nullif(given, '') AS given)
                        FROM read_csv('{d}/{table}.csv', header = true, all_varchar = true)""")
    n_registry = sql("SELECT count(*) FROM registry")[0][0]
    n_records = sql("SELECT count(*) FROM records")[0][0]
    db_api = DuckDBAPI(con)
    registry = db_api.register("registry", dataset_display_name="registry")
    records = db_api.register("records", dataset_display_name="records")
    phase("load", t)

    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=[
            cl.LevenshteinAtThresholds("surname", [1]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("given", [1]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("kana", [1, 2]),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.JaroWinklerAtThresholds("address", [0.95, 0.85]),
        ],
        blocking_rules_to_generate_predictions=[
            # The owner of the carried number is always scored...
            block_on("my_number"),
            # ... and so is everyone the record could also be (onshi's candidates, and the reading).
            block_on("birth_date", "surname"),
            block_on("birth_date", "given"),
            block_on("birth_date", "name"),
            block_on("birth_date", "kana"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker([registry, records], settings, log_level=logging.WARNING)

    t = time.monotonic()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "birth_date", "sex")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date", "address"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "given"))
    phase("train", t)

    t = time.monotonic()
    pred = linker.inference.predict(threshold_match_probability=0.001)
    phase("predict", t)

    t = time.monotonic()
    p = pred.physical_name
    # Orient each pair as (record, resident): the uids carry r/p prefixes.
    sql(f"""
        CREATE TABLE pairs AS
        SELECT CASE WHEN uid_l LIKE 'r%' THEN uid_l ELSE uid_r END AS rec,
               CASE WHEN uid_l LIKE 'r%' THEN uid_r ELSE uid_l END AS res,
               match_probability AS prob
        FROM {p}""")
    sql(f"""
        CREATE TABLE graded AS
        WITH j AS (
            SELECT pairs.rec, pairs.prob, g.my_number AS res_number, r.my_number AS rec_number
            FROM pairs JOIN registry g ON g.uid = pairs.res JOIN records r ON r.uid = pairs.rec
        ), owner AS (
            SELECT rec, max(prob) AS owner_prob FROM j WHERE res_number = rec_number GROUP BY rec
        ), others AS (
            SELECT rec, res_number, prob FROM j WHERE rec_number IS NULL OR res_number <> rec_number
        ), best AS (
            SELECT rec, max(prob) AS other_prob, arg_max(res_number, prob) AS other FROM others GROUP BY rec
        ), ties AS (
            SELECT o.rec, count(*) AS other_ties FROM others o JOIN best b ON o.rec = b.rec AND o.prob = b.other_prob
            GROUP BY o.rec
        ), top AS (
            SELECT r.uid AS rec, owner.owner_prob, best.other_prob, best.other, ties.other_ties
            FROM records r LEFT JOIN owner ON owner.rec = r.uid LEFT JOIN best ON best.rec = r.uid
            LEFT JOIN ties ON ties.rec = r.uid
        )
        SELECT r.uid, substr(r.uid, 2) AS record_id, r.my_number,
               CASE WHEN coalesce(top.owner_prob, 0) >= {args.threshold}
                         AND coalesce(top.other_prob, 0) <= top.owner_prob THEN 'A' ELSE 'C' END AS grade,
               CASE WHEN top.owner_prob IS NULL THEN 'owner_not_scored'
                    WHEN top.owner_prob < {args.threshold} THEN 'owner_below_threshold'
                    WHEN coalesce(top.other_prob, 0) > top.owner_prob THEN 'better_candidate'
                    ELSE '' END AS reasons,
               CASE WHEN top.other_prob >= {args.threshold} AND top.other_prob > coalesce(top.owner_prob, 0)
                         AND top.other_ties = 1 THEN top.other ELSE '' END AS suggested
        FROM records r LEFT JOIN top ON top.rec = r.uid""")
    out = os.path.join(d, "out.csv")
    tmp_out = out + ".tmp"
    sql(f"""COPY (SELECT record_id, my_number, grade, '' AS name, '' AS name_kana, '' AS birth_date,
                            '' AS sex, '' AS address, reasons, suggested AS suggested_my_number
                          FROM graded ORDER BY uid)
                    TO '{tmp_out}' (HEADER, DELIMITER ',')""")
    os.replace(tmp_out, out)
    n_pairs = sql("SELECT count(*) FROM pairs")[0][0]
    grades = dict(sql("SELECT grade, count(*) FROM graded GROUP BY grade"))
    phase("decide", t)

    summary = {
        "splink": splink.__version__, "duckdb": duckdb.__version__, "threads": args.threads,
        "threshold": args.threshold, "registry": n_registry, "records": n_records,
        "scored_pairs": n_pairs, "grades": grades, "seconds": round(time.monotonic() - started, 2),
        "phases": phases,
    }
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))
    linker.misc.save_model_to_json(os.path.join(d, "model.json"), overwrite=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
