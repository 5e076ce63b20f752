"""The policy engine: timeouts, retries, circuit breaker, rate limits and quotas."""
