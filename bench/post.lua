-- A story submission per request. The form fields (with a CSRF token and the
-- session cookie it belongs to) come from the environment, prepared by run.py,
-- and every request takes its own form stamp from a file of fresh ones, so
-- none is the double of another (run with one wrk thread).
local body_template = os.getenv("BENCH_POST_BODY")
local cookie = os.getenv("BENCH_POST_COOKIE")
local stamps = {}
for line in io.lines(os.getenv("BENCH_POST_STAMPS")) do
  stamps[#stamps + 1] = line
end
local counter = 0

request = function()
  counter = counter % #stamps + 1
  local body = string.gsub(body_template, "__STAMP__", stamps[counter])
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end

dofile(os.getenv("BENCH_LATENCY_LUA"))
