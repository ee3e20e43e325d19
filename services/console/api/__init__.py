"""The console's wire: gRPC calls to the AML service made with the signed-in user's token."""
