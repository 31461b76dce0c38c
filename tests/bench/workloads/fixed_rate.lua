-- wrk script: send requests at a fixed total rate instead of as fast as possible, for the
-- "no lost events at N req/s" check of scripts/bench.sh (wrk2 is not in Debian).
--
--   wrk -tTHREADS -c32 -d10s -s fixed_rate.lua URL -- RATE [THREADS]
--
-- RATE is requests per second over all threads; give THREADS again after it when it is not 1
-- (a thread's init cannot learn how many threads wrk starts). Each thread hands out send
-- times spaced 1/rate apart on an absolute schedule, and wrk's delay() holds each request
-- until its time: rounding to wrk's millisecond timer never accumulates, so the achieved rate
-- is RATE as long as the server keeps up (wrk's "Requests/sec" shows it). Latency figures of such a run are
-- not corrected for coordinated omission: use them for nothing.
local ffi = require("ffi")

-- The machine-readable summary line (done()) lives next to this file.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk_report.lua")

ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } zt_timespec;
  int clock_gettime(int clock_id, zt_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("zt_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local interval_ms, start_ms, sent
function init(args)
  local rate = tonumber(args[1])
  if not rate or rate <= 0 then
    io.stderr:write("fixed_rate.lua: give the rate after --, e.g. -- 20000\n")
    os.exit(2)
  end
  -- init runs in each thread; every thread takes an equal share of the rate.
  local per_thread = rate / (tonumber(args[2]) or 1)
  interval_ms = 1000 / per_thread
  sent = 0
end

function delay()
  local now = now_ms()
  if not start_ms then start_ms = now end
  local due = start_ms + sent * interval_ms
  sent = sent + 1
  if due <= now then return 0 end
  return due - now
end
