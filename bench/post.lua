-- A story submission per request. The form fields (with a CSRF token and the
-- session cookie it belongs to) come from the environment, prepared by run.py;
-- each request gets its own nonce so none is a duplicate of another.
local body_template = os.getenv("BENCH_POST_BODY")
local cookie = os.getenv("BENCH_POST_COOKIE")
local counter = 0

request = function()
  counter = counter + 1
  local nonce = string.format("%08x%08x%08x", math.random(0, 0x7fffffff), counter, os.time())
  local body = string.gsub(body_template, "__NONCE__", nonce)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end

dofile(os.getenv("BENCH_LATENCY_LUA"))
