/**
 * Lua scripts of the Redis feature store. Each touches exactly one key (so it runs on any Cluster
 * node) and is idempotent, so a retried batch converges to the same state.
 *
 * Account hash fields (key "<prefix>:a:{<accountId>}"):
 *   <eventId or #digest>  "<t base36>|<entry key>"      one per event (HSETNX = idempotency)
 *   ^                     first event time (ms)
 *   g|<feature>|<t>       this account was flagged at t
 *   l|<feature>|<X>       linked to account X since (ms)  (kept at the minimum)
 *   f|<feature>|<X>|<t>   linked account X was flagged at t
 *   s|<feature>|<value>   another account first used value at (ms) (kept at the minimum)
 *   u|<index>             "<first use ms>:<wall ms>": this account's use of an indexed value is fully
 *                         recorded across accounts (see applyScript); never trimmed, like l| and s|
 *   n|                    the account has no own flag (set with "^" on its first event, removed when
 *                         flagged; absent means "maybe", as in hashes written before this marker)
 */

/**
 * KEYS[1] account hash. ARGV: id, t (ms), value, retentionMs, ttlMs, now (wall ms), nUses, use
 * field..., nDone, (done field, first use ms)..., nMin, (field, ms)..., wantOwnFlags (1|0), flagFeature...
 * Records done uses, writes the (field, ms) pairs kept at the minimum (this account's side of new
 * links / shared values), stores the event unless its id is known, keeps "^" at the minimum, records
 * own flags and returns {added, {use field value or ''...}, {own flag field...}, {feature, X...}...}:
 * the recorded done uses of this event's values, the account's own flags (if asked, read after every
 * write here) and, per flag feature, the accounts linked so far. Links and flags are written before
 * either is read, in one atomic step: a concurrent link or flag step either sees this one or is seen.
 * Done fields ("u|<index>" → "<first use ms>:<wall ms written>") record link/shared values whose
 * cross-account work for this account completed; they are written only after it did (with a later
 * call), so a failed batch redoes the work.
 */
export const applyScript = `
local key = KEYS[1]
local t = tonumber(ARGV[2])
local nUses = tonumber(ARGV[7])
local i = 8 + nUses
local nDone = tonumber(ARGV[i])
i = i + 1
for k = 1, nDone do
  local f = ARGV[i]
  local ft = tonumber(ARGV[i + 1])
  local cur = redis.call('HGET', key, f)
  local first = cur and tonumber(string.match(cur, '^(%-?%d+):'))
  if first and first < ft then ft = first end
  redis.call('HSET', key, f, string.format('%d', ft) .. ':' .. ARGV[6])
  i = i + 2
end
local nMin = tonumber(ARGV[i])
i = i + 1
for k = 1, nMin do
  local f = ARGV[i]
  local cur = redis.call('HGET', key, f)
  if (not cur) or tonumber(ARGV[i + 1]) < tonumber(cur) then redis.call('HSET', key, f, ARGV[i + 1]) end
  i = i + 2
end
local wantOwnFlags = ARGV[i] == '1'
local flagsFrom = i + 1
local added = redis.call('HSETNX', key, ARGV[1], ARGV[3])
if added == 1 then
  local first = redis.call('HGET', key, '^')
  if not first then
    -- A new account (no flag without "^"): mark it flag-free until flagged.
    redis.call('HSET', key, '^', ARGV[2], 'n|', '')
  elseif t < tonumber(first) then
    redis.call('HSET', key, '^', ARGV[2])
  end
end
local uses = {}
if nUses > 0 then
  local cur = redis.call('HMGET', key, unpack(ARGV, 8, 7 + nUses))
  for k = 1, nUses do uses[k] = cur[k] or '' end
end
local own = {}
local out = {added, uses, own}
local all = nil
if #ARGV >= flagsFrom then
  for i = flagsFrom, #ARGV do
    local feature = ARGV[i]
    redis.call('HSET', key, 'g|' .. feature .. '|' .. ARGV[2], '')
    redis.call('HDEL', key, 'n|')
    all = all or redis.call('HGETALL', key)
    local prefix = 'l|' .. feature .. '|'
    local group = {feature}
    for j = 1, #all, 2 do
      local f = all[j]
      if string.sub(f, 1, #prefix) == prefix then group[#group + 1] = string.sub(f, #prefix + 1) end
    end
    out[#out + 1] = group
  end
end
if wantOwnFlags and redis.call('HEXISTS', key, 'n|') == 0 then
  local now = redis.call('HGETALL', key)
  for j = 1, #now, 2 do
    if string.sub(now[j], 1, 2) == 'g|' then own[#own + 1] = now[j] end
  end
end
if added == 1 and redis.call('HLEN', key) % 64 == 0 then
  -- Amortised trim: entries and flags older than retention before this event can no longer be read.
  local horizon = t - tonumber(ARGV[4])
  local all = redis.call('HGETALL', key)
  for j = 1, #all, 2 do
    local f = all[j]
    local c = string.sub(f, 1, 2)
    local at = nil
    if c == 'f|' or c == 'g|' then
      at = tonumber(string.match(f, '|(%-?%d+)$'))
    elseif f ~= '^' and c ~= 'l|' and c ~= 's|' and c ~= 'u|' and c ~= 'n|' then
      at = tonumber(string.match(all[j + 1], '^([^|]+)|'), 36)
    end
    if at and at < horizon then redis.call('HDEL', key, f) end
  end
end
redis.call('PEXPIRE', key, ARGV[5])
return out
`;

/**
 * KEYS[1] an index zset (value → account → first use). ARGV: account, t, cap, ttlMs.
 * Returns the index after recording the use (flat member/score list), or {} when the value already
 * has `cap` accounts and this one is not among them (a public value: no links).
 */
export const indexScript = `
local key = KEYS[1]
if not redis.call('ZSCORE', key, ARGV[1]) and redis.call('ZCARD', key) >= tonumber(ARGV[3]) then return {} end
redis.call('ZADD', key, 'LT', ARGV[2], ARGV[1])
redis.call('PEXPIRE', key, ARGV[4])
return redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
`;

/**
 * KEYS[1] account hash. ARGV: ttlMs, wantOwnFlags (1|0), n, then n pairs (field, ms) kept at the
 * minimum, then fields set to ''. Writes first, then (if asked) returns the account's own flag
 * fields "g|<feature>|<t>" — the other half of the flag/link handshake of applyScript ("n|" present:
 * none, without reading the hash).
 */
export const mergeScript = `
local key = KEYS[1]
local n = tonumber(ARGV[3])
local i = 4
for k = 1, n do
  local f = ARGV[i]
  local t = tonumber(ARGV[i + 1])
  local cur = redis.call('HGET', key, f)
  if (not cur) or t < tonumber(cur) then redis.call('HSET', key, f, ARGV[i + 1]) end
  i = i + 2
end
while i <= #ARGV do
  redis.call('HSET', key, ARGV[i], '')
  i = i + 1
end
redis.call('PEXPIRE', key, ARGV[1])
local out = {}
if ARGV[2] == '1' and redis.call('HEXISTS', key, 'n|') == 0 then
  local all = redis.call('HGETALL', key)
  for j = 1, #all, 2 do
    if string.sub(all[j], 1, 2) == 'g|' then out[#out + 1] = all[j] end
  end
end
return out
`;
