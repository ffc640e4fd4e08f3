-- wrk script of the throughput case: POSTs one GraphQL request with a token, and writes a
-- JSON summary to $BENCH_OUT for bench/throughput_case.py to read.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["token"] = os.getenv("BENCH_TOKEN")

function done(summary, latency, requests)
  local e = summary.errors
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  -- Durations and latencies are microseconds.
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "mean_us": %.1f, "p50_us": %d, ' ..
    '"p90_us": %d, "p99_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
  out:close()
end
