-- Settles one admitted request: frees its slot among the requests in flight, moves its tokens from
-- the estimate to what it used, and replaces its budget reservation with what it cost.
-- KEYS: as for admit.lua, five per account.
-- ARGV: id, the admission second, tokens used minus tokens reserved, cost nano-USD, number of
-- accounts; then three flags per account (1 or 0): it counts tokens, requests in flight, a budget.
pcall(redis.replicate_commands)
local sec = tonumber(redis.call('TIME')[1])
local id = ARGV[1]
local admitted = tonumber(ARGV[2])
local delta = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
for a = 1, n do
  local k = (a - 1) * 5
  local g = 5 + (a - 1) * 3
  if ARGV[g + 2] == '1' then redis.call('ZREM', KEYS[k + 2], id) end
  if ARGV[g + 1] == '1' and delta ~= 0 then
    local tokens = KEYS[k + 3]
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
  if ARGV[g + 3] == '1' then
    local budget = KEYS[k + 4]
    local amount = redis.call('HGET', budget, 'r:' .. id)
    if amount then
      redis.call('HINCRBY', budget, 'reserved', -tonumber(amount))
      redis.call('HDEL', budget, 'r:' .. id)
      redis.call('ZREM', KEYS[k + 5], id)
    end
    if cost > 0 then redis.call('HINCRBY', budget, 'spent', cost) end
  end
end
return 1
