"""Server and channel credentials from PEM files (TLS, and mTLS when a client CA is given)."""

from __future__ import annotations

from pathlib import Path

import grpc


def _read(path: Path | str | None) -> bytes | None:
    return None if path is None else Path(path).read_bytes()


def server_credentials(
    cert_file: Path | str, key_file: Path | str, client_ca_file: Path | str | None = None
) -> grpc.ServerCredentials:
    """TLS server credentials; with ``client_ca_file`` clients must show a cert it signed."""
    pair = (_read(key_file), _read(cert_file))
    client_ca = _read(client_ca_file)
    return grpc.ssl_server_credentials(
        [pair], root_certificates=client_ca, require_client_auth=client_ca is not None
    )


def channel_credentials(
    ca_file: Path | str | None = None,
    cert_file: Path | str | None = None,
    key_file: Path | str | None = None,
) -> grpc.ChannelCredentials:
    """TLS channel credentials; ``ca_file`` None uses the system roots, cert/key for mTLS."""
    if (cert_file is None) != (key_file is None):
        raise ValueError("client cert_file and key_file must be given together")
    return grpc.ssl_channel_credentials(
        root_certificates=_read(ca_file),
        private_key=_read(key_file),
        certificate_chain=_read(cert_file),
    )
