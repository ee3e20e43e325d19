"""`tradeguard demo`: the one-command tour behind `make run`."""
