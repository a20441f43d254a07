-- wrk script for bench/wrk.sh: POSTs valid /score requests with varying feature vectors.
-- FEATURES (default 16) numbers per request, integers 0..15 like letter's; 4,096 bodies are made
-- once per thread, whole requests included, so that wrk spends its time on the socket, not on building them.
local features = tonumber(os.getenv("FEATURES") or "16")
local requests = {}
local n = 4096
local i = 0

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
  for b = 1, n do
    local x = {}
    for f = 1, features do
      x[f] = tostring(math.random(0, 15))
    end
    local body = '{"id":"w' .. b .. '","features":[' .. table.concat(x, ",") .. ']}'
    requests[b] = wrk.format("POST", "/score", {["Content-Type"] = "application/json"}, body)
  end
end

function request()
  i = i % n + 1
  return requests[i]
end
