"""Recommendation training's ALS on Apache Spark (`pyspark.ml.recommendation.ALS`, implicit
preferences): the same confidences as the embedded training (recs/algorithm.py: the
listeners' rows and the content features' pseudo-listeners), solved by Spark's executors, and
turned into the same taste vectors, saved in the format the server loads.

The two solvers weigh things alike: `implicit` takes each entry as the confidence c itself;
Spark takes a rating r and uses c = 1 + alpha * r, so r = c - 1 with alpha 1 (every entry is
above 1: a positive preference). Spark's regularization grows with each row's and column's
count of entries (ALS-WR); ours is one lambda for all, so Spark's is lambda divided by the
mean count of entries per row and column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse

from cadenza.recs.algorithm import (
    Settings,
    TasteVectors,
    augmented,
    chosen_settings,
    taste_vectors,
)


def spark_regularization(matrix: scipy.sparse.csr_matrix, regularization: float) -> float:
    """Spark's regParam for our lambda: lambda over the mean entries per row and column."""
    rows, cols = matrix.shape
    mean = 2 * max(1, matrix.nnz) / max(1, rows + cols)
    return float(regularization / mean)


def spark_train(
    spark: Any,
    history: scipy.sparse.csr_matrix,
    content: scipy.sparse.csr_matrix | None = None,
    *,
    seed: int = 0,
    factors: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    settings: Settings | None = None,
) -> TasteVectors:
    """`recs.algorithm.train` on the SparkSession `spark`: the listeners x items history (and
    items' content) in, taste vectors out."""
    import pyarrow as pa
    from pyspark.ml.recommendation import ALS

    n_listeners, n_items = history.shape
    chosen = chosen_settings(n_items, settings, factors)
    matrix = augmented(history, content, chosen).tocoo()
    steps = chosen.iterations
    if progress is not None:
        progress(0, steps)
    ratings = spark.createDataFrame(
        pa.table(
            {
                "row": pa.array(matrix.row, pa.int32()),
                "item": pa.array(matrix.col, pa.int32()),
                "rating": pa.array(matrix.data.astype(np.float32) - 1.0, pa.float32()),
            }
        )
    )
    parallel = max(1, int(spark.sparkContext.defaultParallelism))
    als = ALS(
        rank=chosen.factors,
        maxIter=chosen.iterations,
        regParam=spark_regularization(matrix.tocsr(), chosen.regularization),
        implicitPrefs=True,
        alpha=1.0,
        userCol="row",
        itemCol="item",
        ratingCol="rating",
        numUserBlocks=parallel,
        numItemBlocks=parallel,
        seed=seed,
    )
    model = als.fit(ratings)
    rows = matrix.shape[0]
    listener_factors = _dense(model.userFactors.collect(), rows, chosen.factors)
    item_factors = _dense(model.itemFactors.collect(), n_items, chosen.factors)
    if progress is not None:
        progress(steps, steps)
    return taste_vectors(item_factors, listener_factors[:n_listeners], chosen)


def _dense(found: list[Any], count: int, rank: int) -> np.ndarray:
    """Spark's (id, features) rows as a matrix; an id Spark saw no entry for stays zero."""
    out = np.zeros((count, rank), dtype=np.float32)
    for row in found:
        out[int(row["id"])] = np.asarray(row["features"], dtype=np.float32)
    return out
