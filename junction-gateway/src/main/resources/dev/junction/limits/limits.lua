-- One round trip for a batch of limit operations from one replica: the requests that ended since its
-- last call are settled first (their room given back), then new requests are checked and consumed in
-- the order they came, each seeing what those before it took. One script runs at a time, so every
-- replica enforces exactly what one would.
--
-- Each account's state is one hash, read once and written once per call whatever the number of
-- requests in it, and a request adds to counters rather than entries: a script per request with a
-- command per counter (30 of them for a key with every limit) cost Redis about 40 µs of CPU per
-- request at saturation, as much as the gateway spent on the request itself.
--
-- KEYS: one hash per account, holding
--   rn, tn      requests and tokens in the last minute
--   rf, tf      the oldest second that may still hold some
--   r<s>, t<s>  requests and tokens admitted in second s
--   c           the second the hash was last looked over for what ended
--   x           a long value, there only to keep the hash a hash table (see TABLE)
--   p           requests held (admitted, not yet settled)
--   bp, bq      the budget period counted last, and the one before it (start ms)
--   s<P>, v<P>  spent and reserved nano-USD in period P
--   per replica R: h:R (ms its hold ends, renewed by each of its calls), p:R and v<P>:R (the part of
--   p and v<P> that is its own). A replica that dies holds nothing once h:R has passed: its parts
--   are given back.
-- ARGV: replica, lease ms; the number of accounts, then seven per account: rpm, tpm, max_parallel,
-- budget nano-USD, seed nano-USD (-1: none), ms until the budget's period ends (0: never), period
-- start ms; the number of settlements, then per settlement (of one or more requests alike): the
-- replica name they were admitted under, their admission second, tokens used minus reserved, cost
-- nano-USD, the number of requests, how many of them were never made (a share's unused part, no
-- longer counted in its second), their number of accounts m, then m triples: account (1-based),
-- what they reserved there (-1: they held nothing there), the budget period they were admitted in;
-- the number of admissions, then per admission: tokens, cost nano-USD, the share wanted (requests),
-- m, then m accounts.
-- Returns, per admission: code (0 admitted, 1 budget, 2 rpm, 3 tpm, 4 max_parallel), the refusing
-- account (1-based among its own), retry-after ms, the admission second, then per account: request
-- limit, requests left, ms until the oldest request leaves the minute, token limit, tokens left, ms
-- until the oldest tokens leave it; then the share granted (requests, 0: none) and its second.
--
-- A share is room taken in advance for requests like the one admitted: that many requests, their
-- tokens, slots and budget reservations, counted at once (in the next second, so that no request made
-- with it leaves the minute early) as if they had been admitted. The replica admits from it without
-- calling, for less than a second, and gives back what it did not use. It is granted only far from
-- every limit (a sixteenth of what is left, and MIN_SHARE requests' worth at least): taken from what
-- was left, as any admission is, room parked in a share can only ever refuse early, never admit more.
-- Time is Redis's own, so that replicas whose clocks differ still share one minute (Redis 5 and
-- later replicate a script's effects, not the script, so reading it is allowed).
local time = redis.call('TIME')
local sec = tonumber(time[1])
local now = sec * 1000 + math.floor(tonumber(time[2]) / 1000)
local WINDOW = 60000
local DAY = 86400000
local replica = ARGV[1]
local lease = tonumber(ARGV[2])
local accounts = {}
-- Longer than Redis keeps in a listpack (hash-max-listpack-value, 64 bytes by default), so that the
-- hash is a hash table from its first write: as a listpack, which Redis keeps up to 512 fields, every
-- field read or written scans the list, and with a minute of per-second counters in it a call cost
-- Redis 10 to 14 µs more.
local TABLE = string.rep('-', 65)

-- A field of the hash, read once per call.
local function field(s, f)
  local v = s.fields[f]
  if v == nil then
    v = tonumber(redis.call('HGET', s.key, f)) or false
    s.fields[f] = v
  end
  return v or nil
end

local function set(s, f, v)
  s.fields[f] = v
  s.put[f] = v
end

local function add(s, f, amount)
  set(s, f, (field(s, f) or 0) + amount)
end

-- Drops the seconds of one counter ('r' or 't') that left the minute, each once, and finds the oldest
-- second still counted. Runs at most once a second per counter. Requests leave the minute with their
-- whole second, up to a second later than their own minute: never early.
local function evict(s, p, names)
  local first = s[p .. 'f']
  if first > sec - 60 then return end
  local fields, gone = {}, {}
  if first >= sec - 120 then
    for x = first, sec do fields[#fields + 1] = p .. x end
  else
    -- Not counted for over a minute while the hash lived on: look at what is there.
    for _, f in ipairs(names()) do
      if string.match(f, '^' .. p .. '%d+$') then fields[#fields + 1] = f end
    end
    fields[#fields + 1] = p .. sec
  end
  local values = redis.call('HMGET', s.key, unpack(fields))
  local total, oldest = s[p .. 'n'], sec
  for i, f in ipairs(fields) do
    local v = values[i]
    if v then
      local x = tonumber(string.sub(f, 2))
      if x <= sec - 60 then
        total = total - tonumber(v)
        gone[#gone + 1] = f
      elseif x < oldest then
        oldest = x
      end
    end
  end
  if #gone > 0 then redis.call('HDEL', s.key, unpack(gone)) end
  s[p .. 'n'], s[p .. 'f'] = total, oldest
  s.put[p .. 'n'], s.put[p .. 'f'] = total, oldest
end

-- Once a second: replicas whose hold ended give back what they held, and a budget period that is no
-- longer the last two goes.
local function look_over(s, names)
  local dead, old = {}, {}
  for _, f in ipairs(names()) do
    local r = string.match(f, '^h:(.+)$')
    if r and r ~= replica and (field(s, f) or 0) < now then dead[r] = true end
  end
  for _, f in ipairs(names()) do
    local r = string.match(f, ':(.+)$')
    if r and dead[r] then
      local period = string.match(f, '^v(%d+):')
      if period then add(s, 'v' .. period, -(field(s, f) or 0)) end
      if string.sub(f, 1, 2) == 'p:' then set(s, 'p', math.max(0, field(s, 'p') - (field(s, f) or 0))) end
      old[#old + 1] = f
    elseif s.gone and (string.match(f, '^[sv]' .. s.gone .. '$') or string.match(f, '^v' .. s.gone .. ':')) then
      old[#old + 1] = f
    end
  end
  for _, f in ipairs(old) do
    s.put[f] = nil
    s.fields[f] = false
  end
  if #old > 0 then redis.call('HDEL', s.key, unpack(old)) end
end

-- An account's state, read on first use in this call.
local function account(i)
  local s = accounts[i]
  if s then return s end
  local g = 3 + (i - 1) * 7
  s = {key = KEYS[i], rpm = tonumber(ARGV[g + 1]), tpm = tonumber(ARGV[g + 2]), par = tonumber(ARGV[g + 3]),
    budget = tonumber(ARGV[g + 4]), seed = tonumber(ARGV[g + 5]), ends = tonumber(ARGV[g + 6]), period = ARGV[g + 7],
    put = {}, fields = {}}
  accounts[i] = s
  s.rsec, s.tsec = 'r' .. sec, 't' .. sec
  s.spent, s.reserved = 's' .. s.period, 'v' .. s.period
  s.mine, s.held, s.hold = 'v' .. s.period .. ':' .. replica, 'p:' .. replica, 'h:' .. replica
  local wanted = {'rn', 'rf', 'tn', 'tf', 'c', 'p', 'bp', s.rsec, s.tsec, s.spent, s.reserved, s.mine, s.held, s.hold}
  local head = redis.call('HMGET', s.key, unpack(wanted))
  for j, f in ipairs(wanted) do s.fields[f] = tonumber(head[j]) or false end
  local v = s.fields
  local keys
  local function names()
    keys = keys or redis.call('HKEYS', s.key)
    return keys
  end
  s.rn, s.rf = v.rn or 0, v.rf or sec
  s.tn, s.tf = v.tn or 0, v.tf or sec
  if not v.rf then s.put.rf = sec end
  if not v.tf then s.put.tf = sec end
  evict(s, 'r', names)
  evict(s, 't', names)
  if not v.p then set(s, 'p', 0) end
  if s.budget > 0 then
    if not v[s.spent] then set(s, s.spent, math.max(s.seed, 0)) end
    if tostring(v.bp) ~= s.period then
      -- A new period: the one before the last goes (a request settles within its lease, far
      -- shorter than a period).
      local bq = field(s, 'bq')
      s.gone = bq and tostring(bq)
      set(s, 'bq', v.bp or 0)
      set(s, 'bp', s.period)
      s.fresh = true
    end
  end
  if not v.c then s.put.x = TABLE end
  if v.c ~= sec or s.gone then
    set(s, 'c', sec)
    look_over(s, names)
    s.fresh = true
  end
  -- Renewed once a second at most: a lease is minutes long.
  if (v[s.hold] or 0) < now + lease - 1000 then set(s, s.hold, now + lease) end
  return s
end

local function count(s, p, amount, at)
  local f = at and p .. at or (p == 'r' and s.rsec or s.tsec)
  add(s, f, amount)
  s[p .. 'n'] = s[p .. 'n'] + amount
  s.put[p .. 'n'] = s[p .. 'n']
end

-- Milliseconds until a counter falls to what `fits` accepts, its oldest seconds leaving first.
local function until_fits(s, p, fits)
  local left = s[p .. 'n']
  for x = s[p .. 'f'], sec do
    left = left - (field(s, p .. x) or 0)
    if fits(left) then return (x + 60) * 1000 - now end
  end
  return WINDOW
end

-- ---- settlements: what ended gives back its slot and reservation, and is charged what it cost
local g = 3 + tonumber(ARGV[3]) * 7 + 1
for _ = 1, tonumber(ARGV[g]) do
  local who, admitted, delta, cost, k, unmade, m = ARGV[g + 1], tonumber(ARGV[g + 2]), tonumber(ARGV[g + 3]),
    tonumber(ARGV[g + 4]), tonumber(ARGV[g + 5]), tonumber(ARGV[g + 6]), tonumber(ARGV[g + 7])
  for j = 1, m do
    local at = g + 5 + 3 * j
    local s, reserved, period = account(tonumber(ARGV[at])), tonumber(ARGV[at + 1]), ARGV[at + 2]
    if s.rpm > 0 and unmade > 0 then
      local f = 'r' .. admitted
      if admitted > sec - 60 and admitted >= s.rf and field(s, f) then
        add(s, f, -unmade)
        s.rn = s.rn - unmade
        s.put.rn = s.rn
      end
    end
    if s.tpm > 0 and delta ~= 0 then
      local f = 't' .. admitted
      if admitted > sec - 60 and admitted >= s.tf and field(s, f) then
        add(s, f, delta)
        s.tn = s.tn + delta
        s.put.tn = s.tn
      elseif delta > 0 then
        -- Its second has left the minute: what it used beyond its reservation counts now.
        count(s, 't', delta)
      end
    end
    if reserved >= 0 then
      -- Nothing is given back twice: a replica's parts were given back when its hold ended.
      local held = who == replica and s.held or 'p:' .. who
      local back = math.min(k, field(s, held) or 0)
      if back > 0 then
        add(s, held, -back)
        set(s, 'p', math.max(0, field(s, 'p') - back))
      end
      if reserved > 0 then
        local mine, total = s.mine, s.reserved
        if period ~= s.period or who ~= replica then mine, total = 'v' .. period .. ':' .. who, 'v' .. period end
        back = math.min(reserved, field(s, mine) or 0)
        if back > 0 then
          add(s, mine, -back)
          add(s, total, -back)
        end
      end
    end
    if s.budget > 0 and cost > 0 then
      -- Charged to the period it was admitted in, as its reservation was.
      add(s, period == s.period and s.spent or 's' .. period, cost)
    end
  end
  g = g + 7 + 3 * m
end

-- ---- admissions
local out = {}

local function reply(code, refusing, retry, list, m)
  out[#out + 1] = code
  out[#out + 1] = refusing
  out[#out + 1] = math.max(0, math.floor(retry))
  out[#out + 1] = sec
  for j = 1, m do
    local s = list[j]
    local rreset, treset = 0, 0
    if s.rn > 0 then rreset = (s.rf + 60) * 1000 - now end
    if s.tn > 0 then treset = (s.tf + 60) * 1000 - now end
    out[#out + 1] = s.rpm
    out[#out + 1] = s.rpm - s.rn
    out[#out + 1] = math.max(0, rreset)
    out[#out + 1] = s.tpm
    out[#out + 1] = s.tpm - s.tn
    out[#out + 1] = math.max(0, treset)
  end
end

-- Why account s would refuse the request, or nil: code and retry-after ms.
local function refusal(s, need, cost)
  if s.budget > 0 and s.fields[s.spent] + (s.fields[s.reserved] or 0) + cost > s.budget then return 1, s.ends end
  if s.rpm > 0 and s.rn >= s.rpm then
    -- Room comes when enough of the oldest seconds have left for one more request.
    return 2, until_fits(s, 'r', function(left) return left < s.rpm end)
  end
  if s.tpm > 0 then
    if need > s.tpm then return 3, 0 end
    if s.tn + need > s.tpm then
      return 3, until_fits(s, 't', function(left) return left + need <= s.tpm end)
    end
  end
  if s.par > 0 and s.fields.p >= s.par then return 4, 1000 end
  return nil
end

-- How many requests like this one account s can spare for a share: a sixteenth of what is left in
-- each of its limits, counted in such requests.
local MIN_SHARE = 32
local function share_room(s, wanted, need, cost)
  local n = wanted
  if s.rpm > 0 then n = math.min(n, math.floor((s.rpm - s.rn) / 16)) end
  if s.tpm > 0 then n = math.min(n, math.floor((s.tpm - s.tn) / (16 * math.max(need, 1)))) end
  if s.par > 0 then n = math.min(n, math.floor((s.par - s.fields.p) / 16)) end
  if s.budget > 0 then
    -- Never across the end of the budget's period: the share's reservations are this period's.
    if s.ends > 0 and s.ends < 5000 then return 0 end
    local left = s.budget - s.fields[s.spent] - (s.fields[s.reserved] or 0)
    n = math.min(n, math.floor(left / (16 * math.max(cost, 1))))
  end
  return n
end

-- Counts n requests like this one against account s: in this second, or in second `at`.
local function take(s, n, need, cost, at)
  if s.rpm > 0 then count(s, 'r', n, at) end
  if s.tpm > 0 then count(s, 't', n * need, at) end
  if s.par > 0 or s.budget > 0 then
    add(s, s.held, n)
    set(s, 'p', s.fields.p + n)
    if s.budget > 0 then
      add(s, s.mine, n * cost)
      add(s, s.reserved, n * cost)
    end
  end
end

local admissions = tonumber(ARGV[g + 1])
g = g + 2
for _ = 1, admissions do
  local need, cost, wanted, m = tonumber(ARGV[g]), tonumber(ARGV[g + 1]), tonumber(ARGV[g + 2]),
    tonumber(ARGV[g + 3])
  g = g + 1
  local list = {}
  for j = 1, m do list[j] = account(tonumber(ARGV[g + 2 + j])) end
  local code, refusing, retry = 0, 0, 0
  for j = 1, m do
    local c, r = refusal(list[j], need, cost)
    if c then code, refusing, retry = c, j, r break end
  end
  local granted = 0
  if code == 0 then
    for j = 1, m do take(list[j], 1, need, cost) end
    if wanted > 0 then
      granted = wanted
      for j = 1, m do granted = math.min(granted, share_room(list[j], wanted, need, cost)) end
      if granted < MIN_SHARE then
        granted = 0
      else
        for j = 1, m do take(list[j], granted, need, cost, sec + 1) end
      end
    end
  end
  reply(code, refusing, retry, list, m)
  out[#out + 1] = granted
  out[#out + 1] = sec + 1
  g = g + 3 + m
end

-- ---- what changed, in one write per account; its lifetime set once a second
for _, s in pairs(accounts) do
  local fields = {}
  for f, v in pairs(s.put) do
    fields[#fields + 1] = f
    fields[#fields + 1] = v
  end
  if #fields > 0 then redis.call('HSET', s.key, unpack(fields)) end
  if s.fresh then
    -- A minute past its last count, a lease past the holds it may have, a day past its budget's
    -- period; a total budget's stays.
    if s.budget > 0 and s.ends == 0 then
      redis.call('PERSIST', s.key)
    else
      local ttl = WINDOW + 2000
      if s.par > 0 or s.budget > 0 or s.fields.p > 0 then ttl = lease + WINDOW end
      if s.budget > 0 then ttl = math.max(ttl, s.ends + DAY) end
      redis.call('PEXPIRE', s.key, ttl)
    end
  end
end
return out
