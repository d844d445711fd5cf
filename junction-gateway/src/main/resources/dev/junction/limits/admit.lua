-- Checks and consumes one request's limits for one or two accounts (its key, its team), atomically.
-- KEYS, five per account: requests (hash: epoch second -> requests), in flight (zset: id -> lease
-- end ms), tokens (hash: epoch second -> tokens), budget (hash: spent, reserved, r:<id> -> reserved
-- nano-USD), budget leases (zset: id -> lease end ms). The two per-second hashes also hold 'n', their
-- sum, and 'first', the oldest second still counted (see minute()).
-- ARGV: id, lease ms, tokens, cost nano-USD, number of accounts; then six per account: rpm, tpm,
-- max_parallel, budget nano-USD, seed nano-USD (-1: none), ms until the budget's period ends (0: never).
-- Returns: code (0 admitted, 1 budget, 2 rpm, 3 tpm, 4 max_parallel), the refusing account (1-based),
-- retry-after ms, the admission second, then per account: request limit, requests left, ms until the
-- oldest request leaves the window, token limit, tokens left, ms until the oldest tokens leave it.
-- Time is Redis's own, so that replicas whose clocks differ still share one window.
pcall(redis.replicate_commands)
local time = redis.call('TIME')
local sec = tonumber(time[1])
local now = sec * 1000 + math.floor(tonumber(time[2]) / 1000)
local WINDOW = 60000
local id = ARGV[1]
local lease = tonumber(ARGV[2])
local need = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
local state = {}

-- A counter over the last minute, by second. The seconds that leave the window are subtracted from
-- the sum as they leave, each once, so that a check costs the same at any rate: a log of every
-- request (a sorted set) cost Redis about 100 µs per admission at 1,000 requests a second. Requests
-- leave the window with their whole second, up to a second later than their own minute: never early.
-- Returns the sum and the oldest second counted.
local function minute(key)
  local head = redis.call('HMGET', key, 'n', 'first')
  local total, first = tonumber(head[1]) or 0, tonumber(head[2]) or sec
  local start = first
  while first < sec do
    local v = redis.call('HGET', key, first)
    if v and first > sec - 60 then break end
    if v then
      total = total - tonumber(v)
      redis.call('HDEL', key, first)
    end
    first = first + 1
  end
  if first ~= start or not head[2] then redis.call('HSET', key, 'n', total, 'first', first) end
  return total, first
end

-- Milliseconds until the counter falls to what `fits` accepts, its oldest seconds leaving first.
local function until_fits(key, total, first, fits)
  local left = total
  for s = first, sec do
    left = left - (tonumber(redis.call('HGET', key, s)) or 0)
    if fits(left) then return (s + 60) * 1000 - now end
  end
  return WINDOW
end

local function count(key, amount)
  redis.call('HINCRBY', key, sec, amount)
  redis.call('HINCRBY', key, 'n', amount)
  redis.call('PEXPIRE', key, WINDOW + 1000)
end

local function reply(code, account, retry)
  local out = {code, account, math.max(0, math.floor(retry)), sec}
  for a = 1, n do
    local s = state[a]
    if s then
      local rreset = 0
      if s.count > 0 then rreset = s.oldest + WINDOW - now end
      out[#out + 1] = s.rpm
      out[#out + 1] = s.rpm - s.count
      out[#out + 1] = math.max(0, rreset)
      out[#out + 1] = s.tpm
      out[#out + 1] = s.tpm - s.used
      out[#out + 1] = math.max(0, s.treset)
    else
      for _ = 1, 6 do out[#out + 1] = 0 end
    end
  end
  return out
end

for a = 1, n do
  local k = (a - 1) * 5
  local g = 5 + (a - 1) * 6
  local s = {rpm = tonumber(ARGV[g + 1]), tpm = tonumber(ARGV[g + 2]), par = tonumber(ARGV[g + 3]),
    budget = tonumber(ARGV[g + 4]), count = 0, oldest = 0, used = 0, treset = 0}
  state[a] = s
  if s.budget > 0 then
    local budget, leases = KEYS[k + 4], KEYS[k + 5]
    -- Reservations of requests whose replica died before settling them.
    local stale = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
    for _, r in ipairs(stale) do
      local amount = redis.call('HGET', budget, 'r:' .. r)
      if amount then
        redis.call('HINCRBY', budget, 'reserved', -tonumber(amount))
        redis.call('HDEL', budget, 'r:' .. r)
      end
    end
    if #stale > 0 then redis.call('ZREMRANGEBYSCORE', leases, '-inf', now) end
    local seed = tonumber(ARGV[g + 5])
    if seed >= 0 then redis.call('HSETNX', budget, 'spent', seed) end
    local spent = tonumber(redis.call('HGET', budget, 'spent') or '0')
    local reserved = tonumber(redis.call('HGET', budget, 'reserved') or '0')
    if spent + reserved + cost > s.budget then return reply(1, a, tonumber(ARGV[g + 6])) end
  end
  if s.rpm > 0 then
    local first
    s.count, first = minute(KEYS[k + 1])
    if s.count > 0 then s.oldest = first * 1000 end
    if s.count >= s.rpm then
      -- Room comes when enough of the oldest seconds have left for one more request.
      return reply(2, a, until_fits(KEYS[k + 1], s.count, first, function(left) return left < s.rpm end))
    end
  end
  if s.tpm > 0 then
    local first
    s.used, first = minute(KEYS[k + 3])
    if s.used > 0 then s.treset = (first + 60) * 1000 - now end
    if need > s.tpm then return reply(3, a, 0) end
    if s.used + need > s.tpm then
      return reply(3, a, until_fits(KEYS[k + 3], s.used, first, function(left) return left + need <= s.tpm end))
    end
  end
  if s.par > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 2], '-inf', now)
    if redis.call('ZCARD', KEYS[k + 2]) >= s.par then return reply(4, a, 1000) end
  end
end

for a = 1, n do
  local k = (a - 1) * 5
  local g = 5 + (a - 1) * 6
  local s = state[a]
  if s.rpm > 0 then
    count(KEYS[k + 1], 1)
    if s.count == 0 then s.oldest = sec * 1000 end
    s.count = s.count + 1
  end
  if s.tpm > 0 then
    count(KEYS[k + 3], need)
    if s.used == 0 then s.treset = (sec + 60) * 1000 - now end
    s.used = s.used + need
  end
  if s.par > 0 then
    redis.call('ZADD', KEYS[k + 2], now + lease, id)
    redis.call('PEXPIRE', KEYS[k + 2], lease)
  end
  if s.budget > 0 then
    redis.call('HSET', KEYS[k + 4], 'r:' .. id, cost)
    redis.call('HINCRBY', KEYS[k + 4], 'reserved', cost)
    redis.call('ZADD', KEYS[k + 5], now + lease, id)
    local ends = tonumber(ARGV[g + 6])
    if ends > 0 then
      -- A period's counters go a day after it ends; a total budget's stay.
      redis.call('PEXPIRE', KEYS[k + 4], ends + 86400000)
      redis.call('PEXPIRE', KEYS[k + 5], math.max(ends, lease) + 86400000)
    end
  end
end
return reply(0, 0, 0)
