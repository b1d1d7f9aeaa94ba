-- wrk script for Parit's load runs. Environment:
--   PARIT_WRK_TOKEN   bearer token sent with every request
--   PARIT_WRK_METHOD  GET (default) or POST
--   PARIT_WRK_BODY    request body (POST)
-- Prints one JSON line: requests, seconds, requests/s, latency percentiles
-- and every kind of error, for run.sh and bench/ to read.
wrk.method = os.getenv("PARIT_WRK_METHOD") or "GET"
wrk.headers["authorization"] = "Bearer " .. (os.getenv("PARIT_WRK_TOKEN") or "")
local body = os.getenv("PARIT_WRK_BODY")
if body then
  wrk.body = body
  wrk.headers["content-type"] = "application/json"
end

-- Each wrk thread has its own Lua state: count there, sum in done().
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

ok, limited, other = 0, 0, 0
function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status == 429 then
    limited = limited + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local n2xx, n429, nother = 0, 0, 0
  for _, t in ipairs(threads) do
    n2xx = n2xx + t:get("ok")
    n429 = n429 + t:get("limited")
    nother = nother + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"statuses": {"2xx": %d, "429": %d, "other": %d}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, e.status, n2xx, n429, nother))
end
