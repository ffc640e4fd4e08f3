-- wrk script of the throughput case: POSTs GraphQL requests read from $BENCH_REQUESTS, one a
-- line as "<token>\t<JSON body>", in turn, each with its own token; checks every answer; and
-- writes a JSON summary to $BENCH_OUT for bench/throughput_case.py to read. A file of one
-- line sends the same request every time.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  -- Formatted once here, not per request: wrk's one thread must not be the bottleneck.
  requests = {}
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local token, body = line:match("^([^\t]+)\t(.+)$")
    local headers = {["Content-Type"] = "application/json", ["token"] = token}
    table.insert(requests, wrk.format("POST", wrk.path, headers, body))
  end
  assert(#requests > 0, "no requests in " .. os.getenv("BENCH_REQUESTS"))
  -- The run starts at $BENCH_START (a warm-up and the measured run send different bodies);
  -- threads start at different places in the list, so they do not send the same bodies.
  index = (tonumber(os.getenv("BENCH_START") or "0") + (id - 1) * 997) % #requests
  answers, failed, first_failure = 0, 0, ""
end

function request()
  index = index % #requests + 1
  return requests[index]
end

-- A failed answer: a status other than 200, or a body without "data" or with "errors" (a
-- GraphQL error comes with status 200).
function response(status, headers, body)
  answers = answers + 1
  local ok = status == 200 and body:find('"data"', 1, true) and not body:find('"errors"', 1, true)
  if not ok then
    failed = failed + 1
    if first_failure == "" then
      first_failure = status .. " " .. body:sub(1, 300)
    end
  end
end

local function json_string(text)
  local escaped = text:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end)
  return '"' .. escaped .. '"'
end

function done(summary, latency, requests)
  local e = summary.errors
  local answered, failures, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    answered = answered + thread:get("answers")
    failures = failures + thread:get("failed")
    if first == "" then
      first = thread:get("first_failure")
    end
  end
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  -- Durations and latencies are microseconds.
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "mean_us": %.1f, "p50_us": %d, ' ..
    '"p90_us": %d, "p99_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}, "answers": %d, "failed_answers": %d, ' ..
    '"first_failure": %s}\n',
    summary.requests, summary.duration, summary.bytes, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, answered, failures, json_string(first)))
  out:close()
end
