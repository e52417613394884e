"""The edge: the GraphQL endpoint, request errors, idempotency and the documents route."""
