-- Settles admitted requests, as many as ended since the last call: frees each one's slot among the
-- requests in flight, moves its tokens from the estimate to what it used, and replaces its budget
-- reservation with what it cost.
-- ARGV: the number of requests; then, for each, its id, its admission second, tokens used minus
-- tokens reserved, cost nano-USD, its number of accounts, and three flags per account (1 or 0): it
-- counts tokens, requests in flight, a budget.
-- KEYS: each request's, one after the other, five per account as for admit.lua.
--
-- Counters are added to once per call, with the sum of what its requests change; per request only its
-- own entries are removed (its slot, its reservation, its lease).
pcall(redis.replicate_commands)
local sec = tonumber(redis.call('TIME')[1])

local firsts = {}   -- tokens hash -> its oldest second counted (false: none)
local tokens = {}   -- tokens hash -> {second -> delta}
local budgets = {}  -- budget hash -> {reserved = delta, spent = delta}

local function first_of(key)
  local f = firsts[key]
  if f == nil then
    f = tonumber(redis.call('HGET', key, 'first')) or false
    firsts[key] = f
  end
  return f
end

local function add(key, second, delta)
  local t = tokens[key]
  if not t then
    t = {}
    tokens[key] = t
  end
  t[second] = (t[second] or 0) + delta
end

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
      local key = KEYS[keys + 3]
      local first = first_of(key)
      if first and admitted >= first and (admitted == sec or redis.call('HEXISTS', key, admitted) == 1) then
        add(key, admitted, delta)
      elseif delta > 0 then
        -- Its second has left the window: what it used beyond its reservation counts now.
        add(key, sec, delta)
      end
    end
    if ARGV[flags + 2] == '1' then
      local budget = KEYS[keys + 4]
      local b = budgets[budget]
      if not b then
        b = {reserved = 0, spent = 0}
        budgets[budget] = b
      end
      local amount = redis.call('HGET', budget, 'r:' .. id)
      if amount then
        b.reserved = b.reserved - tonumber(amount)
        redis.call('HDEL', budget, 'r:' .. id)
        redis.call('ZREM', KEYS[keys + 5], id)
      end
      b.spent = b.spent + cost
    end
  end
  return k + n * 5, g + 5 + n * 3
end

local k, g = 0, 2
for _ = 1, tonumber(ARGV[1]) do
  k, g = settle(k, g)
end
for key, seconds in pairs(tokens) do
  local sum = 0
  for second, delta in pairs(seconds) do
    if delta ~= 0 then redis.call('HINCRBY', key, second, delta) end
    sum = sum + delta
  end
  if sum ~= 0 then redis.call('HINCRBY', key, 'n', sum) end
  if not firsts[key] then
    redis.call('HSET', key, 'first', sec)
  end
  if seconds[sec] then redis.call('PEXPIRE', key, 61000) end
end
for budget, b in pairs(budgets) do
  if b.reserved ~= 0 then redis.call('HINCRBY', budget, 'reserved', b.reserved) end
  if b.spent ~= 0 then redis.call('HINCRBY', budget, 'spent', b.spent) end
end
return 1
