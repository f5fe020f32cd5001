-- A search that no cache has seen, over the Zipf vocabulary of `demo seed`: every
-- request asks for one word drawn from the file BENCH_SEARCH_WORDS (one a line)
-- and carries a parameter of its own, so the page cache never answers.
local words = {}
for line in io.lines(os.getenv("BENCH_SEARCH_WORDS")) do
  words[#words + 1] = line
end
local made = 0

setup = function(thread)
  made = made + 1
  thread:set("thread_id", made)
end

local counter = 0

request = function()
  counter = counter + 1
  local word = words[math.random(#words)]
  return wrk.format("GET", "/stories?q=" .. word .. "&fresh=" .. thread_id .. "-" .. counter)
end

dofile(os.getenv("BENCH_LATENCY_LUA"))
