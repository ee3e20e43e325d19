"""The risk service's wire: gRPC server, servicer, proto <-> domain conversion and client CLI."""
