"""What stands between a request and the resolvers: operation limits, query cost and the
guard that applies both, the rate-limit buckets and the persisted-query store."""
