"""Evaluate one decision of a ruleset over a table on Spark, for `spark-submit`
(docs/batch.md):

    spark-submit [--master MASTER] [--files RULESET] examples/spark_batch.py \
        RULESET DECISION INPUT OUTPUT_DIR [AS_OF]

INPUT is read by Spark (.parquet, .csv with a header, .jsonl; a file or a directory of
part files); OUTPUT_DIR receives Parquet part files with the input's columns and
outcome, failed, missing, value, error. The evaluation is Spark SQL in the executors.
"""

from __future__ import annotations

import sys

import promorules
from promorules.batch.spark import read_input, session, write_output
from promorules.cli.batch_io import file_format


def main(argv: list[str]) -> int:
    ruleset, decision, source, output, *rest = argv
    rs = promorules.load(ruleset)
    spark = session("promorules spark_batch")
    frame = read_input(spark, rs, source, file_format(source, "input"))
    result = rs.evaluate_batch(decision, frame, as_of=rest[0] if rest else None)
    write_output(result, output, "parquet")
    counts = {r["outcome"]: r["count"] for r in
              spark.read.parquet(output).groupBy("outcome").count().collect()}
    print(", ".join(f"{k}: {counts.get(k, 0)}" for k in ("pass", "fail", "unknown", "invalid")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
