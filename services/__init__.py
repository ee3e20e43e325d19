"""TradeGuard: trade-finance risk services for cross-border e-commerce."""
