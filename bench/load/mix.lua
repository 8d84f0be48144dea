-- The clinic mix's unthrottled part (bench/load/load.py runs it): chair-board refreshes and chart
-- reads (each one audited: a write of its own). The chairs' vitals and questionnaires (chairs.lua)
-- and pump events (pump.lua) run beside it at a clinic's pace. KIT_BENCH_WEIGHTS can add
-- unthrottled vitals and PHQ-9 posts (a write-heavy variant; their rows pile up on 20 sessions, so
-- reads slow down as the run goes on). Every response must be 2xx: anything else is an error.
package.path = os.getenv("KIT_BENCH_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local patients = c.ids("KIT_BENCH_PATIENTS")
local sessions = c.ids("KIT_BENCH_SESSIONS")
local n = 0
local board = "/api/v1/board?date=" .. (os.getenv("KIT_BENCH_DATE") or "")

local function pick(t) return t[math.random(#t)] end

-- Percent weights: board, chart (GET /patients/{id}), assessment list, vitals post, PHQ-9 post.
local w = c.ids("KIT_BENCH_WEIGHTS")
if #w ~= 5 then w = { 40, 35, 25, 0, 0 } end
local cut = {}
local sum = 0
for i = 1, 5 do
  sum = sum + tonumber(w[i])
  cut[i] = sum
end

request = function()
  n = n + 1
  local r = math.random(sum)
  if r <= cut[1] then
    return wrk.format("GET", board, c.headers)
  elseif r <= cut[2] then
    return wrk.format("GET", "/api/v1/patients/" .. pick(patients), c.headers)
  elseif r <= cut[3] then
    return wrk.format("GET", "/api/v1/patients/" .. pick(patients) .. "/assessments", c.headers)
  elseif r <= cut[4] then
    local body = string.format(
      '{"point":"interval","sbp_mmhg":%d,"dbp_mmhg":%d,"hr_bpm":%d,"spo2_percent":98,' ..
      '"rr_per_min":14}', 115 + n % 15, 72 + n % 8, 66 + n % 12)
    return wrk.format("POST", "/api/v1/sessions/" .. pick(sessions) .. "/vitals", c.headers, body)
  else
    local body = string.format('{"instrument":"phq9","answers":[%d,1,2,1,0,1,2,1,0]}', n % 4)
    return wrk.format("POST", "/api/v1/patients/" .. pick(patients) .. "/assessments", c.headers,
                      body)
  end
end

done = c.done("mix")
