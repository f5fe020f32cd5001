-- A search that no cache has seen: every request asks for two words of the
-- demo stories' vocabulary and carries a parameter of its own (ignored by the
-- gallery), so the page cache never answers and each request runs the query.
local words = {
  "winter", "neighbours", "bread", "bakery", "nurse", "hospital", "language",
  "children", "volunteers", "library", "home", "recipes", "mother", "street",
  "daughter", "dream", "skate", "years", "learning", "bag", "smell", "people",
}
local made = 0

setup = function(thread)
  made = made + 1
  thread:set("thread_id", made)
end

local counter = 0

request = function()
  counter = counter + 1
  local first = words[math.random(#words)]
  local second = words[math.random(#words)]
  local path = "/stories?q=" .. first .. "+" .. second .. "&fresh=" .. thread_id .. "-" .. counter
  return wrk.format("GET", path)
end

dofile(os.getenv("BENCH_LATENCY_LUA"))
