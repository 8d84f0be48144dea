-- The chairs' writes beside the read mix: each connection is one chair posting a vitals set every
-- KIT_BENCH_VITALS_MS (2,000 ms by default) to its running session, and one in ten of its posts is
-- a questionnaire (PHQ-9) for its patient instead. Run with -c20 (20 chairs).
package.path = os.getenv("KIT_BENCH_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local patients = c.ids("KIT_BENCH_PATIENTS")
local sessions = c.ids("KIT_BENCH_SESSIONS")
local every = tonumber(os.getenv("KIT_BENCH_VITALS_MS") or "2000")
local n = 0

local function pick(t) return t[math.random(#t)] end

delay = function() return every end

request = function()
  n = n + 1
  if n % 10 == 0 then
    local body = string.format('{"instrument":"phq9","answers":[%d,1,2,1,0,1,2,1,0]}', n % 4)
    return wrk.format("POST", "/api/v1/patients/" .. pick(patients) .. "/assessments", c.headers,
                      body)
  end
  local body = string.format(
    '{"point":"interval","sbp_mmhg":%d,"dbp_mmhg":%d,"hr_bpm":%d,"spo2_percent":98,' ..
    '"rr_per_min":14}', 115 + n % 15, 72 + n % 8, 66 + n % 12)
  return wrk.format("POST", "/api/v1/sessions/" .. pick(sessions) .. "/vitals", c.headers, body)
end

done = c.done("chairs")
