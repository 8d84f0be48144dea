-- Shared by the wrk scripts of bench/load: the token and ids come from the environment (set by
-- bench/load/load.py), and done() prints one JSON line with the figures the driver tabulates.
local M = {}

function M.ids(name)
  local out = {}
  for id in string.gmatch(os.getenv(name) or "", "%d+") do out[#out + 1] = id end
  return out
end

M.token = os.getenv("KIT_BENCH_TOKEN") or ""
M.headers = { ["Authorization"] = "Bearer " .. M.token, ["Content-Type"] = "application/json" }

function M.done(label)
  return function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
      'KITBENCH {"label":"%s","requests":%d,"duration_us":%d,"rps":%.1f,' ..
      '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
      '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
      label, summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout))
  end
end

return M
