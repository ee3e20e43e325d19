"""Early stopping that gives a distributed LightGBM run the local run's stopping rule.

``lightgbm.dask`` hands each worker only its own share of an ``eval_set``, so the usual
``early_stopping`` callback would judge a different validation sample on every worker, and
workers that stop at different rounds leave the others waiting on the network. This callback
carries the whole validation period to every worker instead; the workers build identical trees,
so each computes the same loss after each round and all stop at the same one.
"""

from __future__ import annotations

import numpy as np
from lightgbm import Booster
from lightgbm.callback import CallbackEnv, EarlyStopException

EPSILON = 1e-15  # LightGBM's clamp in binary_logloss
METRIC = "binary_logloss"
DATASET = "valid_0"


def binary_logloss(y: np.ndarray, raw: np.ndarray) -> float:
    """Mean log loss of raw scores, as LightGBM's ``binary_logloss`` metric computes it."""
    prob = 1.0 / (1.0 + np.exp(-raw))
    hit = np.where(y > 0, prob, 1.0 - prob)
    return float(np.mean(-np.log(np.maximum(hit, EPSILON))))


class WholeValidationStopping:
    """Stop when validation log loss has not improved for ``rounds`` rounds; keep the best.

    Scores grow one tree per round, so each round costs one single-tree prediction.
    """

    order = 30  # where LightGBM runs its own early stopping among callbacks
    before_iteration = False

    def __init__(self, x: np.ndarray, y: np.ndarray, rounds: int) -> None:
        self.x = x
        self.y = y
        self.rounds = rounds
        self._raw = np.zeros(len(y))
        self._best = (np.inf, 0)

    def __call__(self, env: CallbackEnv) -> None:
        if env.iteration == env.begin_iteration:
            self._raw = np.zeros(len(self.y))
            self._best = (np.inf, env.iteration)
        if not isinstance(env.model, Booster):
            raise TypeError("WholeValidationStopping works with lightgbm.train, not cv")
        tree = env.model.predict(
            self.x, raw_score=True, start_iteration=env.iteration, num_iteration=1
        )
        self._raw += np.asarray(tree, dtype=np.float64)
        loss = binary_logloss(self.y, self._raw)
        if loss < self._best[0]:
            self._best = (loss, env.iteration)
        best_loss, best_round = self._best
        last = env.iteration == env.end_iteration - 1
        if last or env.iteration - best_round >= self.rounds:
            raise EarlyStopException(best_round, [(DATASET, METRIC, best_loss, False)])
