"""AML's wire: the gRPC server and servicer, proto <-> domain conversion, the client CLI and the
proto trade builder clients use. Nothing outside this package imports grpc or the stubs."""
