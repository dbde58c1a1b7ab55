/**
 * Lua scripts of the Redis feature store. Each touches exactly one key (so it runs on any Cluster
 * node) and is idempotent, so a retried batch converges to the same state.
 *
 * Account hash fields (key "<prefix>:a:{<accountId>}"):
 *   <eventId or #digest>  "<t base36>|<entry key>"      one per event (written once = idempotency)
 *   ^                     first event time (ms)
 *   g|<feature>|<t>       this account was flagged at t
 *   l|<feature>|<X>       linked to account X since (ms)  (kept at the minimum; only for flagged X)
 *   f|<feature>|<X>|<t>   linked account X was flagged at t
 *   s|<feature>|<value>   another account first used value at (ms) (kept at the minimum)
 *   u|<code>|<value>      "<first use ms>:<wall ms>": this account's use of an indexed value is fully
 *                         recorded across accounts (see applyScript); '': used, the cross-account work
 *                         not known done yet. <code> is a short stable code of the link feature and
 *                         path (or shared feature). Lists the values a new flag must be announced
 *                         through; never trimmed, like l| and s|
 *
 * Link value indexes (one hash tag per value, "{<path>=<value>}"):
 *   <prefix>:x:<feature>:{<path>=<v>}   zset: account → its first use of v
 *   <prefix>:xf:<feature>:{<path>=<v>}  hash: "<account>|<t>" → '': a member of the zset flagged at t
 * Links are written lazily: onto an account only for partners that are flagged, either when the
 * account starts using a value (the index answers its flagged members) or when a partner is flagged
 * (announced through each of its values' indexes, which answer the members).
 *   n|                    the account has no own flag (set with "^" on its first event, removed when
 *                         flagged; absent means "maybe", as in hashes written before this marker)
 */

/**
 * KEYS[1] account hash. ARGV: id, t (ms), value, retentionMs, ttlMs, now (wall ms), options, nUses, use
 * field..., nDone, (done field, first use ms)..., nMin, (field, ms)..., nSet, field set to ''...,
 * wantOwnFlags (1|0), flagFeature...
 * Records done uses, writes the (field, ms) pairs kept at the minimum and the fields set (links to and
 * flags of flagged partners, shared values), stores the event unless its id is known, keeps "^" at the
 * minimum, records this event's uses (as "u|" fields, if new) and own flags, and returns
 * {added, {use field value or ''...}, {own flag field...}, {"<code>|<value>"...}, {feature,
 * "<code>|<value>"...}...}: the recorded uses of this event's values ('' when new; done records of
 * this call included), the account's own flags (if asked, read after every write here), the indexed
 * values whose indexes' expiry the client refreshes (with the account's daily refresh; else empty)
 * and, per flag feature, every indexed
 * value the account used (its "u|" fields; the client keeps the feature's link values and announces
 * the new flag through them). Uses and flags are written before either is read, in one atomic step:
 * a concurrent use or flag step either sees this one or is seen (the client announces the account's
 * flags through a new use's index when the reply shows flags).
 * Done fields ("u|<code>|<value>" → "<first use ms>:<wall ms written>") record link/shared values whose
 * cross-account work for this account completed; they are written only after it did (with a later
 * call), so a failed batch redoes the work.
 * options: "t" trim — on about one event in 64, chosen by the client from the event id, entries and
 * flags older than t − retentionMs, which no read can need any more, are deleted; "e" refresh the
 * key's expiry (the client asks when it has not done so for the account within a day; a key without
 * "^" always gets it). Expiries are only ever extended: a restriction may have set a longer one,
 * and a permanent restriction persisted the key.
 * Typical cost: one HMGET (the id, "^", "n|", done and use fields), one HSET of everything written,
 * and PEXPIRE at most once a day per account.
 */
export const applyScript = `
local key = KEYS[1]
local t = tonumber(ARGV[2])
local opts = ARGV[7]
local nUses = tonumber(ARGV[8])
local nDone = tonumber(ARGV[9 + nUses])
local doneAt = 10 + nUses
local i = doneAt + 2 * nDone
-- One read of "^", "n|", the event id, the done fields and this event's use fields (in chunks: unpack has a limit).
local names = {'^', 'n|', ARGV[1]}
for k = 1, nDone do names[#names + 1] = ARGV[doneAt + 2 * k - 2] end
local base = #names
for k = 1, nUses do names[#names + 1] = ARGV[8 + k] end
local cur
if #names <= 1000 then
  cur = redis.call('HMGET', key, unpack(names))
else
  cur = {}
  for from = 1, #names, 1000 do
    local part = redis.call('HMGET', key, unpack(names, from, math.min(#names, from + 999)))
    for k = 1, #part do cur[from + k - 1] = part[k] end
  end
end
-- The key's expiry before this event writes: -2 new, -1 persisted (a permanent restriction), else ms left.
local wantExpiry = (not cur[1]) or string.find(opts, 'e', 1, true)
local ttlBefore = wantExpiry and redis.call('PTTL', key) or -1
local writes = {}
local written = {}
for k = 1, nDone do
  local f = names[3 + k]
  local ft = tonumber(ARGV[doneAt + 2 * k - 1])
  local c = cur[3 + k]
  local first = c and tonumber(string.match(c, '^(%-?%d+):'))
  if first and first < ft then ft = first end
  local v = string.format('%d', ft) .. ':' .. ARGV[6]
  written[f] = v
  writes[#writes + 1] = f
  writes[#writes + 1] = v
end
local nMin = tonumber(ARGV[i])
i = i + 1
for k = 1, nMin do
  local f = ARGV[i]
  local c = redis.call('HGET', key, f)
  if (not c) or tonumber(ARGV[i + 1]) < tonumber(c) then redis.call('HSET', key, f, ARGV[i + 1]) end
  i = i + 2
end
local nSet = tonumber(ARGV[i])
i = i + 1
for k = 1, nSet do
  writes[#writes + 1] = ARGV[i]
  writes[#writes + 1] = ''
  i = i + 1
end
local wantOwnFlags = ARGV[i] == '1'
local flagsFrom = i + 1
local flagFree = cur[2] and true or false
local added = 0
if not cur[3] then
  -- A new event id: the event is stored (with everything else, in one HSET below).
  added = 1
  writes[#writes + 1] = ARGV[1]
  writes[#writes + 1] = ARGV[3]
  local first = cur[1]
  if not first then
    -- A new account (no flag without "^"): mark it flag-free until flagged.
    writes[#writes + 1] = '^'
    writes[#writes + 1] = ARGV[2]
    writes[#writes + 1] = 'n|'
    writes[#writes + 1] = ''
    flagFree = true
  elseif t < tonumber(first) then
    writes[#writes + 1] = '^'
    writes[#writes + 1] = ARGV[2]
  end
end
local uses = {}
for k = 1, nUses do
  local f = ARGV[8 + k]
  local c = written[f] or cur[base + k]
  if c then
    uses[k] = c
  else
    uses[k] = ''
    written[f] = ''
    writes[#writes + 1] = f
    writes[#writes + 1] = ''
  end
end
if #writes <= 1000 then
  if #writes > 0 then redis.call('HSET', key, unpack(writes)) end
else
  for from = 1, #writes, 1000 do redis.call('HSET', key, unpack(writes, from, math.min(#writes, from + 999))) end
end
local own = {}
-- With the daily expiry refresh of an existing account: its indexed values, whose indexes the client
-- refreshes too (an index outlives the hash of every member still writing, as links stored on the
-- account itself would).
local sweep = {}
if cur[1] and string.find(opts, 'e', 1, true) then
  local ks = redis.call('HKEYS', key)
  for j = 1, #ks do
    if string.sub(ks[j], 1, 2) == 'u|' then sweep[#sweep + 1] = string.sub(ks[j], 3) end
  end
end
local out = {added, uses, own, sweep}
local all = nil
if #ARGV >= flagsFrom then
  for i = flagsFrom, #ARGV do
    local feature = ARGV[i]
    redis.call('HSET', key, 'g|' .. feature .. '|' .. ARGV[2], '')
    redis.call('HDEL', key, 'n|')
    flagFree = false
    all = all or redis.call('HGETALL', key)
    local group = {feature}
    for j = 1, #all, 2 do
      local f = all[j]
      if string.sub(f, 1, 2) == 'u|' then group[#group + 1] = string.sub(f, 3) end
    end
    out[#out + 1] = group
  end
end
if wantOwnFlags and not flagFree then
  local now = redis.call('HGETALL', key)
  for j = 1, #now, 2 do
    if string.sub(now[j], 1, 2) == 'g|' then own[#own + 1] = now[j] end
  end
end
if added == 1 and string.find(opts, 't', 1, true) then
  -- Amortised trim: entries and flags older than retention before this event can no longer be read.
  local horizon = t - tonumber(ARGV[4])
  local all = redis.call('HGETALL', key)
  for j = 1, #all, 2 do
    local f = all[j]
    local c = string.sub(f, 1, 2)
    local at = nil
    if c == 'f|' or c == 'g|' then
      at = tonumber(string.match(f, '|(%-?%d+)$'))
    elseif f ~= '^' and c ~= 'l|' and c ~= 's|' and c ~= 'u|' and c ~= 'n|' and c ~= 'x|' then
      -- An entry ("<t base36>|…"); restrictions and order marks ("x|…") are not the log's to trim.
      local stamp = string.match(all[j + 1], '^([^|]+)|')
      if stamp then at = tonumber(stamp, 36) end
    end
    if at and at < horizon then redis.call('HDEL', key, f) end
  end
end
-- Extend only: never shorten a longer restriction's expiry, never expire a persisted key.
if wantExpiry and ttlBefore ~= -1 and ttlBefore < tonumber(ARGV[5]) then redis.call('PEXPIRE', key, ARGV[5]) end
return out
`;

/**
 * Shared values. KEYS[1] an index zset (value → account → first use). ARGV: account, t, cap, ttlMs.
 * Returns the index after recording the use (flat member/score list), or {} when the value already
 * has `cap` accounts and this one is not among them (a public value: nothing shared).
 */
export const indexScript = `
local key = KEYS[1]
if not redis.call('ZSCORE', key, ARGV[1]) and redis.call('ZCARD', key) >= tonumber(ARGV[3]) then return {} end
redis.call('ZADD', key, 'LT', ARGV[2], ARGV[1])
redis.call('PEXPIRE', key, ARGV[4])
return redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
`;

/**
 * KEYS[1] account hash. ARGV: ttlMs, n, then n pairs (field, ms) kept at the minimum, then fields set
 * to ''. The other side of shared values, and links to / flags of a newly flagged partner.
 */
export const mergeScript = `
local key = KEYS[1]
local ttlBefore = redis.call('PTTL', key)
local n = tonumber(ARGV[2])
local i = 3
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
-- As in apply: extend only, and a persisted key (a permanent restriction) stays persisted.
if ttlBefore ~= -1 and ttlBefore < tonumber(ARGV[1]) then redis.call('PEXPIRE', key, ARGV[1]) end
return 0
`;

/**
 * A use of a link value. KEYS[1] the value's index zset, KEYS[2] its flag hash (same hash tag).
 * ARGV: account, t, cap, ttlMs. Records the use (first use kept at the minimum) and returns {} when the
 * value already has `cap` accounts and this one is not among them (a public value: no links), else
 * {first use of the account, then (member, its first use, flag time) for each flag of another member}.
 * Only flagged members are answered: links to the others are written if and when they are flagged.
 */
export const linkIndexScript = `
local key = KEYS[1]
local account = ARGV[1]
local mine = ARGV[2]
-- ZADD LT answers 1 only for a new member; a new member beyond the cap is taken out again.
if redis.call('ZADD', key, 'LT', ARGV[2], account) == 1 then
  if redis.call('ZCARD', key) > tonumber(ARGV[3]) then
    redis.call('ZREM', key, account)
    return {}
  end
else
  mine = redis.call('ZSCORE', key, account)
end
redis.call('PEXPIRE', key, ARGV[4])
local out = {mine}
local flags = redis.call('HKEYS', KEYS[2])
if #flags > 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  for j = 1, #flags do
    local f = flags[j]
    local sep = string.find(f, '|', 1, true)
    local x = string.sub(f, 1, sep - 1)
    if x ~= account then
      local since = redis.call('ZSCORE', key, x)
      if since then
        out[#out + 1] = x
        out[#out + 1] = since
        out[#out + 1] = string.sub(f, sep + 1)
      end
    end
  end
end
return out
`;

/**
 * A flag announced through a link value. KEYS[1] the value's index zset, KEYS[2] its flag hash.
 * ARGV: account, ttlMs, flag time.... Returns {} when the account is not a member of the index, else
 * records its flags and returns {its first use, member, first use, member, first use, ...} for the
 * other members (each then gets the link and the flags).
 */
export const flagScript = `
local key = KEYS[1]
local account = ARGV[1]
local mine = redis.call('ZSCORE', key, account)
if not mine then return {} end
local fields = {}
for i = 3, #ARGV do
  fields[#fields + 1] = account .. '|' .. ARGV[i]
  fields[#fields + 1] = ''
end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', key, ARGV[2])
local out = {mine}
local all = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
for j = 1, #all, 2 do
  if all[j] ~= account then
    out[#out + 1] = all[j]
    out[#out + 1] = all[j + 1]
  end
end
return out
`;

/** KEYS[1] a link value's index zset, KEYS[2] its flag hash. ARGV: ttlMs. Refreshes both expiries. */
export const touchScript = `
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 0
`;

/**
 * A rebuilt account (redis/feature-image.ts), after its event fields were sent. KEYS[1] account hash.
 * ARGV: ttlMs, then field/value pairs ("^", flags, uses, links, shared values). A key no live event
 * reached (no "^": every applied event writes one) gets them all at once and the expiry (the usual
 * case: the cache was lost). A key a live event reached first is merged with the writes' own rules:
 * "^", links and shared values kept at the minimum, everything else only where absent, and "n|" left
 * out (absent means "maybe flagged": a live flag may have removed it); expiry as in apply, extend only.
 */
export const loadScript = `
local key = KEYS[1]
local ttl = tonumber(ARGV[1])
if not redis.call('HGET', key, '^') then
  for from = 2, #ARGV, 1000 do redis.call('HSET', key, unpack(ARGV, from, math.min(#ARGV, from + 999))) end
  local before = redis.call('PTTL', key)
  if before < ttl then redis.call('PEXPIRE', key, ttl) end
  return 1
end
local ttlBefore = redis.call('PTTL', key)
for i = 2, #ARGV, 2 do
  local f = ARGV[i]
  local c = string.sub(f, 1, 2)
  if f == '^' or c == 'l|' or c == 's|' then
    local cur = redis.call('HGET', key, f)
    if (not cur) or tonumber(ARGV[i + 1]) < tonumber(cur) then redis.call('HSET', key, f, ARGV[i + 1]) end
  elseif f ~= 'n|' then
    redis.call('HSETNX', key, f, ARGV[i + 1])
  end
end
if ttlBefore ~= -1 and ttlBefore < ttl then redis.call('PEXPIRE', key, ttl) end
return 0
`;
