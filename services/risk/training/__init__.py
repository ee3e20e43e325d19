"""Training, evaluation and synthetic data for the risk model; never reached from serving."""
