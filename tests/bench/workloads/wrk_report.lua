-- wrk script: at the end of a run, print one machine-readable line with what scripts/bench.sh
-- needs, exact where wrk's text report rounds (latency in microseconds):
--
--   wrk-result {"requests":N,"duration_us":N,"latency_us":{"p50":N,"p99":N,...},"errors":{...}}
--
-- Used alone (wrk -s wrk_report.lua URL) or loaded by another script with dofile().
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'wrk-result {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"latency_us":{"p50":%.1f,"p90":%.1f,"p99":%.1f,"mean":%.1f,"max":%.1f},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
