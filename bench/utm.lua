-- wrk script for bench/load.sh: UTM_SHARE percent of the requests (50 by default) carry random
-- utm_source, utm_medium and utm_campaign parameters, as links shared on social networks and in
-- newsletters do; the others ask for the page as given.
local share = tonumber(os.getenv("UTM_SHARE") or "50")
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + number)
end

local function token()
  return string.format("%08x", math.random(0, 0x7fffffff))
end

function request()
  local path = wrk.path
  if math.random(100) <= share then
    local joint = path:find("?", 1, true) and "&" or "?"
    path = path .. joint .. "utm_source=" .. token() .. "&utm_medium=" .. token()
      .. "&utm_campaign=" .. token()
  end
  return wrk.format(nil, path)
end
