-- The policy gate: one script, one round trip per admit and per record.
-- Pure references: policy/gcra.py and policy/breaker.py (same integer-microsecond maths).
-- Time comes from Redis (TIME), so every replica reads one clock.
--
-- KEYS (one hash tag per tenant, so a cluster keeps them on one slot):
--   1 tenant rps TAT   2 tenant leases (zset: token -> expiry)   3 operation TAT
--   4 breaker hash     5 breaker window (list or hash)           6 breaker probes (zset)
--   7 tenant usage (hash: m month id, n calls in it; pm, pn the month before)
-- ARGV[1] = 'a' (admit) or 'r' (record).
-- admit  ARGV: token, lease_us, rps_T, rps_tau, concurrency, rl_T, rl_tau, breaker?, wait_us,
--              half_open_calls, budget, month id, month end (unix us)   (0 disables a check)
--   reply: {allowed, reason, retry_after_us, rl_which, remaining, reset_us, state, probe, used}
--   reason 1 quota_rps 2 quota_concurrency 3 rate_limited 4 breaker_open 5 quota_budget;
--   used: the month's calls counting this one (0 without a budget);
--   rl_which 1 operation 2 tenant; state 0 closed 1 open 2 half-open, -1 no breaker.
-- record ARGV: token, lease?, probe?, failed, slow, breaker?, window kind ('c'|'t'), window_size,
--              minimum_calls, failure_threshold, slow_threshold, half_open_calls
--   reply: the breaker state after the record (-1 no breaker), plus 10 when this record
--   moved it (10 closed by its probes, 11 opened or re-opened).

local BREAKER_TTL_MS = 172800000  -- an idle breaker forgets its history after two days
local CONCURRENCY_RETRY_US = 1000000
local HALF_OPEN_RETRY_US = 1000000
local USAGE_KEEP_MS = 40 * 86400000  -- last month's count stays readable after the month ends

local function int(x) return string.format('%d', x) end

local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- A zset whose members expire at their scores lives as long as its last member.
local function keep_until(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end

-- GCRA (docs/protocols.md §4): ok, new tat or retry-after, remaining, reset.
local function gcra(key, now, T, tau)
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  local new = tat + T
  if new - now > tau then
    return false, new - tau - now, math.max(0, math.floor((tau - (tat - now)) / T)), tat - now
  end
  return true, new, math.floor((tau - (new - now)) / T), new - now
end

local function breaker_to(state, now)
  redis.call('HSET', KEYS[4], 's', state, 't', int(now), 'n', 0, 'f', 0, 'w', 0,
    'hn', 0, 'hf', 0, 'hw', 0)
  redis.call('HDEL', KEYS[4], 'h')
  redis.call('PEXPIRE', KEYS[4], BREAKER_TTL_MS)
  redis.call('DEL', KEYS[5], KEYS[6])
end

local function admit()
  local now = now_us()
  local token, lease = ARGV[2], tonumber(ARGV[3])
  local qT, qtau, climit = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
  local rT, rtau = tonumber(ARGV[7]), tonumber(ARGV[8])
  local which, remaining, reset = 0, 0, 0
  local qtat, rtat
  local budget, month, month_end = tonumber(ARGV[12]), ARGV[13], tonumber(ARGV[14])
  local used = 0
  if budget > 0 then
    local u = redis.call('HMGET', KEYS[7], 'm', 'n')
    if u[1] == month then used = tonumber(u[2]) end
    if used >= budget then return {0, 5, math.max(month_end - now, 1), 0, 0, 0, -1, 0, used} end
  end
  if qT > 0 then
    local ok, v, rem, rst = gcra(KEYS[1], now, qT, qtau)
    if not ok then return {0, 1, v, 2, rem, rst, -1, 0, used} end
    qtat, which, remaining, reset = v, 2, rem, rst
  end
  if climit > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', int(now))
    if redis.call('ZCARD', KEYS[2]) >= climit then
      return {0, 2, CONCURRENCY_RETRY_US, 0, 0, 0, -1, 0, used}
    end
  end
  if rT > 0 then
    local ok, v, rem, rst = gcra(KEYS[3], now, rT, rtau)
    if not ok then return {0, 3, v, 1, rem, rst, -1, 0, used} end
    rtat = v
    if which == 0 or rem <= remaining then which, remaining, reset = 1, rem, rst end
  end
  local state, probe = -1, 0
  if ARGV[9] == '1' then
    local b = redis.call('HMGET', KEYS[4], 's', 't', 'hn')
    state = tonumber(b[1]) or 0
    local probes_done = tonumber(b[3]) or 0
    if state == 1 then
      local reopen = tonumber(b[2]) + tonumber(ARGV[10])
      if now < reopen then return {0, 4, reopen - now, 0, 0, 0, 1, 0, used} end
      breaker_to(2, now)
      state, probes_done = 2, 0
    end
    if state == 2 then
      redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', int(now))
      if probes_done + redis.call('ZCARD', KEYS[6]) >= tonumber(ARGV[11]) then
        return {0, 4, HALF_OPEN_RETRY_US, 0, 0, 0, 2, 0, used}
      end
      redis.call('ZADD', KEYS[6], int(now + lease), token)
      keep_until(KEYS[6], math.ceil(lease / 1000))
      probe = 1
    end
  end
  -- Every check passed: only now is anything taken.
  if qtat then redis.call('SET', KEYS[1], int(qtat), 'PX', math.ceil((qtat - now) / 1000)) end
  if climit > 0 then
    redis.call('ZADD', KEYS[2], int(now + lease), token)
    keep_until(KEYS[2], math.ceil(lease / 1000))
  end
  if rtat then redis.call('SET', KEYS[3], int(rtat), 'PX', math.ceil((rtat - now) / 1000)) end
  if budget > 0 then
    if used == 0 then
      local u = redis.call('HMGET', KEYS[7], 'm', 'n')
      if u[1] and u[1] ~= month then redis.call('HSET', KEYS[7], 'pm', u[1], 'pn', u[2]) end
      redis.call('HSET', KEYS[7], 'm', month, 'n', 1)
      redis.call('PEXPIREAT', KEYS[7], math.floor(month_end / 1000) + USAGE_KEEP_MS)
      used = 1
    else
      used = redis.call('HINCRBY', KEYS[7], 'n', 1)
    end
  end
  return {1, 0, 0, which, remaining, reset, state, probe, used}
end

local function exceeded(n, f, w, fthr, sthr)
  return f * 100 >= fthr * n or w * 100 >= sthr * n
end

local function record()
  if ARGV[3] == '1' then redis.call('ZREM', KEYS[2], ARGV[2]) end
  if ARGV[7] ~= '1' then return -1 end
  local now = now_us()
  local token = ARGV[2]
  local failed, slow = tonumber(ARGV[5]), tonumber(ARGV[6])
  local kind, size, minc = ARGV[8], tonumber(ARGV[9]), tonumber(ARGV[10])
  local fthr, sthr, hoc = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
  local b = redis.call('HMGET', KEYS[4], 's', 'n', 'f', 'w', 'h', 'hn', 'hf', 'hw', 'cfg')
  local state = tonumber(b[1]) or 0
  if ARGV[4] == '1' then
    -- A probe counts only while its permit is live and the breaker still half-open.
    redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', int(now))
    if state ~= 2 or redis.call('ZREM', KEYS[6], token) == 0 then return state end
    local hn = (tonumber(b[6]) or 0) + 1
    local hf = (tonumber(b[7]) or 0) + failed
    local hw = (tonumber(b[8]) or 0) + slow
    if hn >= hoc then
      if exceeded(hn, hf, hw, fthr, sthr) then state = 1 else state = 0 end
      breaker_to(state, now)
      return 10 + state  -- this record moved the breaker
    end
    redis.call('HSET', KEYS[4], 'hn', hn, 'hf', hf, 'hw', hw)
    return state
  end
  if state ~= 0 then return state end  -- admitted before the breaker opened
  local n, f, w = tonumber(b[2]) or 0, tonumber(b[3]) or 0, tonumber(b[4]) or 0
  local head = tonumber(b[5])
  local cfg = kind .. size
  if b[9] ~= cfg then  -- a new or changed window: start it afresh
    redis.call('DEL', KEYS[5])
    n, f, w, head = 0, 0, 0, nil
  end
  if kind == 'c' then
    local len = redis.call('RPUSH', KEYS[5], failed + 2 * slow)
    n, f, w = n + 1, f + failed, w + slow
    if len > size then
      local old = tonumber(redis.call('LPOP', KEYS[5]))
      n, f, w = n - 1, f - old % 2, w - math.floor(old / 2)
    end
  else
    local sec = math.floor(now / 1000000)
    if head == nil or sec - head >= size then
      redis.call('DEL', KEYS[5])
      n, f, w = 0, 0, 0
    elseif sec > head then
      for s = head + 1, sec do  -- buckets leaving the window
        local k = s % size
        local old = redis.call('HMGET', KEYS[5], 'e' .. k, 'c' .. k, 'f' .. k, 'w' .. k)
        if tonumber(old[1]) == s - size then
          n, f, w = n - tonumber(old[2]), f - tonumber(old[3]), w - tonumber(old[4])
        end
      end
    else
      sec = head  -- a clock step backwards lands in the newest bucket
    end
    head = sec
    local k = sec % size
    local cur = redis.call('HMGET', KEYS[5], 'e' .. k, 'c' .. k, 'f' .. k, 'w' .. k)
    local c, bf, bw = 0, 0, 0
    if tonumber(cur[1]) == sec then
      c, bf, bw = tonumber(cur[2]), tonumber(cur[3]), tonumber(cur[4])
    end
    redis.call('HSET', KEYS[5], 'e' .. k, sec, 'c' .. k, c + 1, 'f' .. k, bf + failed,
      'w' .. k, bw + slow)
    n, f, w = n + 1, f + failed, w + slow
  end
  if n >= minc and exceeded(n, f, w, fthr, sthr) then
    breaker_to(1, now)
    return 11  -- this record opened the breaker
  end
  redis.call('HSET', KEYS[4], 's', 0, 'n', n, 'f', f, 'w', w, 'cfg', cfg)
  if head then redis.call('HSET', KEYS[4], 'h', head) end
  redis.call('PEXPIRE', KEYS[4], BREAKER_TTL_MS)
  redis.call('PEXPIRE', KEYS[5], BREAKER_TTL_MS)
  return 0
end

if ARGV[1] == 'a' then return admit() end
return record()
