-- Print requests per second and latency percentiles (microseconds) as one JSON line.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  io.write(string.format(
    '{"requests": %d, "rps": %.2f, "p50": %d, "p95": %d, "p99": %d, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.requests / seconds,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
