-- The benchmark's wrk script (bench/run.py writes the configuration it reads).
--
-- BENCH_WRK_CONFIG names a Lua file returning a table:
--   kind      "static" | "set-po" | "log-in"
--   method, path, headers, body     the request ("static"; body nil for GET)
--   parts     the JSON body around its variables ("set-po": 4 pieces around id, poNumber and
--             version; "log-in": 2 pieces around the email)
--   quotes    {{global id, version}, ...}: each thread owns those i ≡ thread (mod threads),
--             and sends each quote the version its previous answer returned
--   emails    log-in rotates over them
--   threads   wrk's -t
-- done() prints one JSON line: counts, latency percentiles (µs), the first failed answer.

local config = dofile(os.getenv("BENCH_WRK_CONFIG"))
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local function json_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', '\\n'):gsub('\r', '\\r')
  return '"' .. s .. '"'
end

function init(args)
  ok, graphql_errors, http_errors, stale, not_implemented, rate_limited = 0, 0, 0, 0, 0, 0
  answered, sample = 0, ""
  wrk.method = config.method
  wrk.path = config.path
  wrk.headers = config.headers
  wrk.body = config.body
  mine, versions, by_id, turn = {}, {}, {}, 0
  if config.kind == "set-po" then
    for i, quote in ipairs(config.quotes) do
      if (i - 1) % config.threads == index then
        table.insert(mine, quote[1])
        versions[quote[1]] = quote[2]
      end
    end
  elseif config.kind == "log-in" then
    for i, email in ipairs(config.emails) do
      if (i - 1) % config.threads == index then table.insert(mine, email) end
    end
  end
end

function request()
  if config.kind == "static" then
    return wrk.format()
  end
  turn = turn + 1
  local body
  if config.kind == "set-po" then
    local id = mine[turn % #mine + 1]
    local p = config.parts
    body = p[1] .. json_string(id) .. p[2] .. json_string("PO-" .. turn) .. p[3]
      .. versions[id] .. p[4]
  else
    local p = config.parts
    body = p[1] .. json_string(mine[turn % #mine + 1]) .. p[2]
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  answered = answered + 1
  local failed = true
  if status ~= 200 then
    http_errors = http_errors + 1
    if status == 429 then rate_limited = rate_limited + 1 end
  elseif body:find('"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
    if body:find("NOT_IMPLEMENTED", 1, true) then not_implemented = not_implemented + 1 end
  elseif body:find("STALE_VERSION", 1, true) then
    stale = stale + 1
  elseif body:find("RATE_LIMITED", 1, true) then
    rate_limited = rate_limited + 1
  else
    ok = ok + 1
    failed = false
  end
  if failed and sample == "" then sample = body:sub(1, 600) end
  if config.kind == "set-po" and not failed then
    local id, version = body:match('"id":"([^"]+)","poNumber":[^,]*,"version":(%d+)')
    if id and versions[id] then versions[id] = tonumber(version) end
  end
end

function done(summary, latency, requests)
  local totals = {
    ok = 0, graphql_errors = 0, http_errors = 0, stale = 0, not_implemented = 0,
    rate_limited = 0, answered = 0,
  }
  local first_sample = ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
    local s = thread:get("sample")
    if first_sample == "" and s then first_sample = s end
  end
  local e = summary.errors
  local fields = {
    '"requests":' .. summary.requests,
    '"duration_us":' .. summary.duration,
    '"socket_errors":' .. (e.connect + e.read + e.write + e.timeout),
    '"status_errors":' .. e.status,
    '"p50_us":' .. latency:percentile(50),
    '"p99_us":' .. latency:percentile(99),
    '"mean_us":' .. latency.mean,
    '"max_us":' .. latency.max,
    '"sample":' .. json_string(first_sample),
  }
  for name, value in pairs(totals) do
    table.insert(fields, '"' .. name .. '":' .. value)
  end
  io.write("BENCH-RESULT {" .. table.concat(fields, ",") .. "}\n")
end
