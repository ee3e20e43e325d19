"""The wire of the credit insurance service: gRPC server, servicer, conversion, clients, CLI."""
