-- Settles admitted requests, as many as ended since the last call: frees each one's slot among the
-- requests in flight, moves its tokens from the estimate to what it used, and replaces its budget
-- reservation with what it cost.
-- ARGV: the number of requests; then, for each, its id, its admission second, tokens used minus
-- tokens reserved, cost nano-USD, its number of accounts, and three flags per account (1 or 0): it
-- counts tokens, requests in flight, a budget.
-- KEYS: each request's, one after the other, five per account as for admit.lua.
pcall(redis.replicate_commands)
local sec = tonumber(redis.call('TIME')[1])

local function settle(k, g)
  local id = ARGV[g]
  local admitted = tonumber(ARGV[g + 1])
  local delta = tonumber(ARGV[g + 2])
  local cost = tonumber(ARGV[g + 3])
  local n = tonumber(ARGV[g + 4])
  for a = 1, n do
    local keys = k + (a - 1) * 5
    local flags = g + 5 + (a - 1) * 3
    if ARGV[flags + 1] == '1' then redis.call('ZREM', KEYS[keys + 2], id) end
    if ARGV[flags] == '1' and delta ~= 0 then
      local tokens = KEYS[keys + 3]
      local first = tonumber(redis.call('HGET', tokens, 'first'))
      if first and admitted >= first and redis.call('HEXISTS', tokens, admitted) == 1 then
        redis.call('HINCRBY', tokens, admitted, delta)
        redis.call('HINCRBY', tokens, 'n', delta)
      elseif delta > 0 then
        -- Its second has left the window: what it used beyond its reservation counts now.
        redis.call('HINCRBY', tokens, sec, delta)
        redis.call('HINCRBY', tokens, 'n', delta)
        if not first then redis.call('HSET', tokens, 'first', sec) end
        redis.call('PEXPIRE', tokens, 61000)
      end
    end
    if ARGV[flags + 2] == '1' then
      local budget = KEYS[keys + 4]
      local amount = redis.call('HGET', budget, 'r:' .. id)
      if amount then
        redis.call('HINCRBY', budget, 'reserved', -tonumber(amount))
        redis.call('HDEL', budget, 'r:' .. id)
        redis.call('ZREM', KEYS[keys + 5], id)
      end
      if cost > 0 then redis.call('HINCRBY', budget, 'spent', cost) end
    end
  end
  return k + n * 5, g + 5 + n * 3
end

local k, g = 0, 2
for _ = 1, tonumber(ARGV[1]) do
  k, g = settle(k, g)
end
return 1
