-- wrk script of ServingPeerBenchmark: POSTs the body in $BODY; with $HEADER_LENGTH set, as the binary
-- tensor data extension (Inference-Header-Content-Length) sends it. Prints failures (non-2xx answers and
-- socket errors), p50/p99 latency in µs, the request count and the run's length in µs.
wrk.method = "POST"
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
local header = os.getenv("HEADER_LENGTH")
if header and header ~= "" then
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["Inference-Header-Content-Length"] = header
else
  wrk.headers["Content-Type"] = "application/json"
end

done = function(summary, latency, requests)
  io.write(string.format("FAILED %d\n", summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
  for _, p in pairs({50, 99}) do
    io.write(string.format("P%d %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("REQUESTS %d\nMICROS %d\n", summary.requests, summary.duration))
end
