"""Trade data: the contract (schemas, validation), the synthetic generator and features."""
