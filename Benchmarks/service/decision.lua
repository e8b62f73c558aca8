-- wrk script: POST /v1/decisions, the bare evaluator, with a mix of allowed and refused
-- start requests (limits, states, destinations) against Benchmarks/service's bench policy.
-- SORTIE_PATH sends the same requests elsewhere (decisions.sh: to the 404 route, as a floor).
local path = os.getenv("SORTIE_PATH") or "/v1/decisions"
local counter = 0
local bodies = {
  '{"id":"r-%d","agent":{"id":"bench-%d","license":"premium","state":"available"},"channel":"sms","to":"+336%08d","entryPoint":"bench-sms"}',
  '{"id":"r-%d","agent":{"id":"bench-%d","license":"premium","state":"available"},"activeOutbound":{"sms":1000},"channel":"sms","to":"+336%08d","entryPoint":"bench-sms"}',
  '{"id":"r-%d","agent":{"id":"bench-%d","license":"premium","state":"busy"},"channel":"sms","to":"06%08d","entryPoint":"bench-sms"}',
  '{"id":"r-%d","agent":{"id":"bench-%d","license":"premium","state":"available"},"channel":"sms","to":"+33 6 %08d","entryPoint":"bench-sms","destinationActive":true}',
}

function request()
  counter = counter + 1
  local body = string.format(bodies[counter % #bodies + 1], counter, counter % 500, counter % 100000000)
  return wrk.format("POST", path, {["content-type"] = "application/json"}, body)
end
