"""What every `tradeguard` command shares: one-line errors, value parsing, output and remote
calls. Command modules build on these so the whole command line speaks one style."""
