"""The server core every TradeGuard service uses.

Public API, by module:

- ``settings``: ``ServiceSettings`` (subclass per service with ``service_config``,
  ``grpc_port_field``, ``metrics_port_field``), ``add_settings_arguments``, ``settings_from_args``.
- ``server``: ``build_server(settings, registrations, method_roles, registry) -> ManagedServer``,
  ``ServiceRegistration``; ``ManagedServer.start/stop/wait/serve_until_signal/set_serving``.
- ``errors``: the domain error hierarchy (``ValidationError``, ``NotFoundError``, ...), no grpc.
- ``status_mapping``: ``describe`` (per-item errors in streams), ``abort_with_error``.
- ``auth``: ``Role``, ``Principal``, ``TokenStore``, ``current_principal``,
  ``require_principal``, ``MethodRoles``.
- ``deadlines``: ``check_deadline``, ``remaining_seconds``.
- ``metrics``: ``GrpcServerMetrics`` (RPC families; domain metrics live in each service).
- ``logging``: ``configure_logging``, ``get_logger``.
- ``client``: ``ChannelConfig``, ``connect``, ``call_metadata``.
- ``tls``: ``server_credentials``, ``channel_credentials``.
"""
