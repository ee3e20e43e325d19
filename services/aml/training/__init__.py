"""Training and evaluation of the AML model bundle; never reached from the serving path."""
