"""Export credit insurance pricing (short-term and OECD medium/long-term) and policy financing."""
