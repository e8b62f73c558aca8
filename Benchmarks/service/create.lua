-- wrk script: POST /v1/outbound-conversations with a new destination each time, spread over
-- 500 agents whose profile allows 1,000 SMS each, so that every create is allowed (201).
-- `wrk ... -- 7` sends to +337… instead of +336…, so that two wrk processes (one per
-- instance) never collide.
local counter = 0
local threads = 0

function setup(thread)
  thread:set("thread_id", threads)   -- a global of the thread's own Lua state
  threads = threads + 1
end

local prefix = 6
function init(args)
  counter = 0
  prefix = tonumber(args[1] or "6")
end

function request()
  counter = counter + 1
  local n = thread_id * 10000000 + counter
  local body = string.format(
    '{"agent":{"id":"bench-%d","license":"premium","state":"available"},"channel":"sms","to":"+33%d%08d","entryPoint":"bench-sms"}',
    n % 500, prefix, n % 100000000)
  return wrk.format("POST", "/v1/outbound-conversations", {["content-type"] = "application/json"}, body)
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, errors %d (non-2xx/3xx %d)\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
  io.write(string.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
