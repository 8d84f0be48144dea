-- Pump events beside the mix: each wrk thread (one connection) owns one running session, reads it
-- (GET, for its ETag) and posts a rate change with If-Match, alternating two rates, one request
-- every KIT_BENCH_PUMP_MS (2,500 ms: a rate change every 5 s per pump). Run with
-- -t N -c N (one connection per thread) so the GET/POST pairs stay in order.
package.path = os.getenv("KIT_BENCH_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local sessions = c.ids("KIT_BENCH_PUMP_SESSIONS")
local next_thread = 0

setup = function(thread)
  next_thread = next_thread + 1
  thread:set("sid", sessions[(next_thread - 1) % #sessions + 1])
end

local etag = nil
local flip = false
local every = tonumber(os.getenv("KIT_BENCH_PUMP_MS") or "2500")

delay = function() return every end

request = function()
  local path = "/api/v1/sessions/" .. sid
  if etag == nil then return wrk.format("GET", path, c.headers) end
  flip = not flip
  local h = { ["Authorization"] = c.headers["Authorization"],
              ["Content-Type"] = "application/json", ["If-Match"] = etag }
  etag = nil
  return wrk.format("POST", path .. "/events", h,
                    string.format('{"kind":"rate_change","rate_ml_per_h":%s}',
                                  flip and "50" or "52.5"))
end

response = function(status, headers, body)
  if status == 200 then etag = headers["ETag"] or headers["etag"] end
end

done = c.done("pump")
