"""Operating the gateway: the per-request record, JSON logs, Prometheus metrics, traces."""
