"""The regulators' web console: alert queue, alert detail, review, statistics, STR export."""
