"""Training of the finance models (never reached from serving): the buyer default model."""
