"""Alembic revision scripts of the alert store (a package so that installs ship them)."""
