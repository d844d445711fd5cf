-- Checks and consumes one request's limits for one or two accounts (its key, its team), atomically.
-- KEYS, five per account: requests (zset: request id -> admission ms), in flight (zset: id -> lease
-- end ms), tokens (hash: epoch second -> tokens), budget (hash: spent, reserved, r:<id> -> reserved
-- nano-USD), budget leases (zset: id -> lease end ms).
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
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 1], '-inf', now - WINDOW)
    s.count = redis.call('ZCARD', KEYS[k + 1])
    if s.count > 0 then s.oldest = tonumber(redis.call('ZRANGE', KEYS[k + 1], 0, 0, 'WITHSCORES')[2]) end
    if s.count >= s.rpm then
      -- Room comes when the rpm-th most recent admission is a minute old.
      local leaving = redis.call('ZRANGE', KEYS[k + 1], s.count - s.rpm, s.count - s.rpm, 'WITHSCORES')
      return reply(2, a, tonumber(leaving[2]) + WINDOW - now)
    end
  end
  if s.tpm > 0 then
    local fields = redis.call('HGETALL', KEYS[k + 3])
    local seconds = {}
    for i = 1, #fields, 2 do
      local second = tonumber(fields[i])
      if second <= sec - 60 then
        redis.call('HDEL', KEYS[k + 3], fields[i])
      else
        s.used = s.used + tonumber(fields[i + 1])
        seconds[#seconds + 1] = {second, tonumber(fields[i + 1])}
      end
    end
    table.sort(seconds, function(x, y) return x[1] < y[1] end)
    if #seconds > 0 then s.treset = (seconds[1][1] + 60) * 1000 - now end
    if need > s.tpm then return reply(3, a, 0) end
    if s.used + need > s.tpm then
      local left, wait = s.used, WINDOW
      for _, e in ipairs(seconds) do
        left = left - e[2]
        if left + need <= s.tpm then
          wait = (e[1] + 60) * 1000 - now
          break
        end
      end
      return reply(3, a, wait)
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
    redis.call('ZADD', KEYS[k + 1], now, id)
    redis.call('PEXPIRE', KEYS[k + 1], WINDOW)
    if s.count == 0 then s.oldest = now end
    s.count = s.count + 1
  end
  if s.tpm > 0 then
    redis.call('HINCRBY', KEYS[k + 3], sec, need)
    redis.call('PEXPIRE', KEYS[k + 3], WINDOW + 1000)
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
