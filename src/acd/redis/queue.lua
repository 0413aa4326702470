#!lua
-- The shared ACD queue: every operation of `acd::redis::RedisQueue`, each run atomically by
-- the server (EVALSHA; the client sends the text again with EVAL on NOSCRIPT).
--
-- KEYS[1] is the queue's meta hash `acd:{<queue>}:m`; every other key of the queue is that
-- name with another suffix, so all of them share the hash tag `{<queue>}` and one slot.
-- ARGV[1] is the operation. Operations that change the queue also carry a request token
-- (node, counter, ack): see `mutate`.
--
-- The server runs this whole text on every call, and making a function costs more the more
-- locals the text has made before it, so the top level stays small: the common paths of a
-- take, an enqueue and a removal, and the request tokens; everything else is made by
-- `library()` when a call needs it.
--
-- Layout (P = `acd:{<queue>}:`):
--   P.m        hash   seq (enqueue counter), clock (ms), due (at or before the earliest
--                     stage end in P.t; absent when P.t is empty), cnext (class ids), snext
--                     and gnext (skill and language numbers), node (node numbers),
--                     '\30' .. <agent's skills and ranges> -> its profile (see agent_args),
--                     agents (how many of those; all are forgotten when a name gets a
--                     number or profiles are dropped, or past 10,000)
--   P.i        hash   id -> "class|priority|enqueued_at|seq|stage"
--   P.r:R      zset   the interactions in ring row R = "<language>/<skill>,<skill>" (numbers),
--                     member M, score -routing_key, and LAST; the union of the rows and
--                     the P.a:<id> is every waiting interaction in routing order
--   P.w        hash   row -> how many classes use it
--   P.p        hash   profile "<skill>,<skill>|<language>,<language>" (numbers) -> ''
--   P.p:<profile> zset the rows with interactions that the profile qualifies for, by head,
--                     and LAST
--   P.pr:<row> set    the profiles that qualify for the row
--   P.a:<id>   zset   the interactions in a preferred-agent stage naming agent <id>
--   P.t        zset   when each interaction's stage ends: member M, score the end (ms)
--   P.c        hash   class key (requirements as JSON) -> class id
--   P.k        hash   class id -> "ends\nrows\nagents\nskills\nlanguage\nkey"
--   P.l        hash   class id -> how many interactions wait in it
--   P.s, P.su, P.sn, P.sf, P.si   skills: name -> number, number -> classes using it,
--                     number -> name, free numbers, unused numbers (kept until needed)
--   P.g, P.gu, P.gn, P.gf, P.gi   languages, the same
--   P.d:<node> hash   counter -> reply (msgpack) to a node's request, kept at least until
--                     the node has it; 'ack' -> a counter the node has every reply up to
--                     (the replies up to it are deleted, FORGET_AFTER at a time)
-- M = 15-digit enqueued_at .. 16-digit seq .. id: members of equal score sort by
-- enqueued_at, then by enqueue order, as routing ties do.

local META = KEYS[1]
local P = string.sub(META, 1, -2)
local ITEMS, TIMERS = P .. 'i', P .. 't'
local ROWS, PROFILES = P .. 'w', P .. 'p'
local RETENTION_MS = 86400000
local MAX_WAITING = 2147483647
-- How many acknowledged replies a node's hash may hold before they are deleted at once.
local FORGET_AFTER = 32
local ITEM = '^(%d+)|(%-?%d+)|(%d+)|(%d+)|(%d+)$'
-- The last member of every row and profile, scored +inf: a member longer than 64 bytes keeps
-- a sorted set in Redis's skiplist encoding, whose updates cost O(log n), instead of the
-- compact listpack Redis picks for up to 128 members, whose updates scan every member (about
-- 3 us for a profile of 100 rows on Redis 7.0), also after a restart reloads the data.
local LAST = '~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~'

-- Routing order: lower score (higher key) first, then earlier enqueued_at, then earlier
-- enqueue. Compared as numbers, whatever the server's collation.
local function before(s1, m1, s2, m2)
  if s1 ~= s2 then return s1 < s2 end
  local e1, e2 = tonumber(string.sub(m1, 1, 15)), tonumber(string.sub(m2, 1, 15))
  if e1 ~= e2 then return e1 < e2 end
  return tonumber(string.sub(m1, 16, 31)) < tonumber(string.sub(m2, 16, 31))
end

-- The head of `row` is now at `score` (nil: the row is empty).
local function set_head(row, score)
  local profiles = redis.call('SMEMBERS', P .. 'pr:' .. row)
  if score then
    for _, pf in ipairs(profiles) do redis.call('ZADD', P .. 'p:' .. pf, score, row) end
  else
    for _, pf in ipairs(profiles) do redis.call('ZREM', P .. 'p:' .. pf, row) end
  end
end

-- A row or heap member (see M above), and the score that orders it (a lower one first).
local function member(e, s, id) return string.format('%015d%016d', e, s) .. id end
local function score_of(p, e) return e - p * 60000 end

-- Into / out of `row`, keeping the profiles' copy of its head up to date.
local function row_add(row, m, score)
  local key = P .. 'r:' .. row
  local h = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  redis.call('ZADD', key, score, m)
  if not h[1] or h[1] == LAST or before(score, m, tonumber(h[2]), h[1]) then set_head(row, score) end
end

local function row_remove(row, m)
  local key = P .. 'r:' .. row
  local h = redis.call('ZRANGE', key, 0, 0)
  redis.call('ZREM', key, m)
  if h[1] == m then
    local n = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    if n[1] == LAST then set_head(row, nil) else set_head(row, n[2]) end
  end
end

-- An agent's arguments from `at`: now, its skills and language ranges ("<skill>\31<skill>
-- \30<range>\31<range>": `akey`; its profile is remembered in P.m under '\30' .. akey) and its
-- id ('' for none).
local function agent_args(at)
  return tonumber(ARGV[at]), ARGV[at + 1], ARGV[at + 2]
end

-- Everything but the hot path of a take: made only when a call needs it, since the server
-- runs this whole text on every call (each function defined here is made again each time).
local function library()
  local MAX_DISTINCT = 128
  -- How many profiles are kept before all are dropped (and made again as agents take).
  local MAX_PROFILES = 1000
  -- How many agents' profiles P.m remembers before it forgets them all.
  local MAX_AGENT_KEYS = 10000

  -- Forgets every agent's profile (a name got a number, or profiles were dropped).
  local function forget_agents()
    if not redis.call('HGET', META, 'agents') then return end
    local gone = {}
    for _, f in ipairs(redis.call('HKEYS', META)) do
      if string.byte(f, 1) == 30 then gone[#gone + 1] = f end
    end
    for from = 1, #gone, 256 do
      redis.call('HDEL', META, unpack(gone, from, math.min(from + 255, #gone)))
    end
    redis.call('HDEL', META, 'agents')
  end

  local function split(s, sep)
    local out = {}
    if s == '' then return out end
    local from = 1
    while true do
      local at = string.find(s, sep, from, true)
      if not at then
        out[#out + 1] = string.sub(s, from)
        return out
      end
      out[#out + 1] = string.sub(s, from, at - 1)
      from = at + #sep
    end
  end

  local function int(x) return string.format('%d', x) end

  local function parse_item(rec)
    local c, p, e, s, st = string.match(rec, ITEM)
    return c, tonumber(p), tonumber(e), tonumber(s), tonumber(st)
  end

  local function item(c, p, e, s, st)
    return c .. '|' .. int(p) .. '|' .. int(e) .. '|' .. int(s) .. '|' .. int(st)
  end

  -- Classes, read once per call.
  local classes = {}
  local function class_info(cls)
    local c = classes[cls]
    if c then return c end
    local rec = redis.call('HGET', P .. 'k', cls)
    if not rec then return error('acd: class ' .. cls .. ' is missing') end
    local f = split(rec, '\n')
    local ends = {}
    for _, e in ipairs(split(f[1], ',')) do ends[#ends + 1] = tonumber(e) end
    c = { ends = ends, rows = split(f[2], ';'), agents = split(f[3], '\31'),
          skills = split(f[4], '\31'), language = f[5], key = f[6] }
    classes[cls] = c
    return c
  end

  -- The stage at `clock` (nil: before any take) and when it ends (nil for the last).
  local function stage_at(c, enqueued, clock)
    if clock == nil then
      local first = c.ends[1]
      return 0, first and enqueued + first or nil
    end
    local waited = clock - enqueued
    local stage = 0
    for _, e in ipairs(c.ends) do
      if e > waited then return stage, enqueued + e end
      stage = stage + 1
    end
    return stage, nil
  end

  -- Profiles: the skill and language numbers of an agent who took or peeked. Each has a
  -- sorted set of the heads of the rows it qualifies for (P.p:<profile>), so that a take reads
  -- its first member, and each row the set of profiles that qualify for it (P.pr:<row>), so that
  -- a head that changes is written to them. Made at a profile's first take; all dropped when a
  -- number is given to another name, or past MAX_PROFILES.
  local function profile_parts(profile)
    local bar = string.find(profile, '|', 1, true)
    local has, speaks = {}, {}
    for n in string.gmatch(string.sub(profile, 1, bar - 1), '%d+') do has[n] = true end
    for n in string.gmatch(string.sub(profile, bar + 1), '%d+') do speaks[n] = true end
    return has, speaks
  end

  local function qualifies(row, has, speaks)
    local language, needs = string.match(row, '^(%d*)/(.*)$')
    if language ~= '' and not speaks[language] then return false end
    for n in string.gmatch(needs, '%d+') do
      if not has[n] then return false end
    end
    return true
  end

  local function drop_profiles()
    for _, row in ipairs(redis.call('HKEYS', ROWS)) do redis.call('DEL', P .. 'pr:' .. row) end
    for _, pf in ipairs(redis.call('HKEYS', PROFILES)) do redis.call('DEL', P .. 'p:' .. pf) end
    redis.call('DEL', PROFILES)
    forget_agents()
  end

  local function make_profile(profile, has, speaks)
    if redis.call('HLEN', PROFILES) >= MAX_PROFILES then drop_profiles() end
    local pairs_ = {}
    for _, row in ipairs(redis.call('HKEYS', ROWS)) do
      if qualifies(row, has, speaks) then
        redis.call('SADD', P .. 'pr:' .. row, profile)
        local head = redis.call('ZRANGE', P .. 'r:' .. row, 0, 0, 'WITHSCORES')
        if head[1] and head[1] ~= LAST then
          pairs_[#pairs_ + 1] = head[2]
          pairs_[#pairs_ + 1] = row
        end
      end
    end
    redis.call('ZADD', P .. 'p:' .. profile, '+inf', LAST)
    for from = 1, #pairs_, 512 do
      redis.call('ZADD', P .. 'p:' .. profile, unpack(pairs_, from, math.min(from + 511, #pairs_)))
    end
    redis.call('HSET', PROFILES, profile, '')
  end

  -- A row starts to be used by a class: registered, with the profiles that qualify for it.
  local function use_row(row)
    if redis.call('HINCRBY', ROWS, row, 1) > 1 then return end
    redis.call('ZADD', P .. 'r:' .. row, '+inf', LAST)
    for _, profile in ipairs(redis.call('HKEYS', PROFILES)) do
      local has, speaks = profile_parts(profile)
      if qualifies(row, has, speaks) then redis.call('SADD', P .. 'pr:' .. row, profile) end
    end
  end

  -- No class uses the row any more (so it is empty).
  local function unuse_row(row)
    if redis.call('HINCRBY', ROWS, row, -1) <= 0 then
      redis.call('HDEL', ROWS, row)
      redis.call('DEL', P .. 'pr:' .. row, P .. 'r:' .. row)
    end
  end

  -- Into / out of the row or the agent heaps of stage `stage` (from 0).
  local function enter(c, stage, m, score)
    local row = c.rows[stage + 1]
    if row == 'p' then
      for _, a in ipairs(c.agents) do redis.call('ZADD', P .. 'a:' .. a, score, m) end
    else
      row_add(row, m, score)
    end
  end

  local function leave(c, stage, m)
    local row = c.rows[stage + 1]
    if row == 'p' then
      for _, a in ipairs(c.agents) do redis.call('ZREM', P .. 'a:' .. a, m) end
    else
      row_remove(row, m)
    end
  end

  -- The queue's clock: the latest time a take or peek asked for (nil before any).
  local clock
  local function load_clock()
    local v = redis.call('HGET', META, 'clock')
    clock = v and tonumber(v) or nil
  end

  local function change_stage(m)
    local id = string.sub(m, 32)
    local rec = redis.call('HGET', ITEMS, id)
    if not rec then
      redis.call('ZREM', TIMERS, m)
      return
    end
    local cls, p, e, s, stage = parse_item(rec)
    local c = class_info(cls)
    local now_stage, due = stage_at(c, e, clock)
    if now_stage ~= stage then
      leave(c, stage, m)
      enter(c, now_stage, m, score_of(p, e))
      redis.call('HSET', ITEMS, id, item(cls, p, e, s, now_stage))
    end
    if due then redis.call('ZADD', TIMERS, due, m) else redis.call('ZREM', TIMERS, m) end
  end

  -- Moves the clock to `now` if later, applying the stage changes due by then.
  local function advance(now)
    load_clock()
    if clock ~= nil and now <= clock then return end
    clock = now
    redis.call('HSET', META, 'clock', int(now))
    local due = redis.call('HGET', META, 'due')
    if not due or tonumber(due) > now then return end
    while true do
      local ms = redis.call('ZRANGE', TIMERS, '-inf', now, 'BYSCORE', 'LIMIT', 0, 128)
      if #ms == 0 then break end
      for _, m in ipairs(ms) do change_stage(m) end
    end
    local first = redis.call('ZRANGE', TIMERS, 0, 0, 'WITHSCORES')
    if first[1] then
      redis.call('HSET', META, 'due', first[2])
    else
      redis.call('HDEL', META, 'due')
    end
  end

  -- Interned names (skills, languages): a number per name, kept while unused until a new
  -- name needs a number and none is left (then profiles are dropped: a number may change name).
  -- At most MAX_DISTINCT in use at once, as the in-process queue allows.
  local function interner(tag)
    return { names = P .. tag, uses = P .. tag .. 'u', rev = P .. tag .. 'n', free = P .. tag .. 'f',
             idle = P .. tag .. 'i', next = tag .. 'next', inuse = tag .. 'inuse' }
  end
  local SKILLS, LANGUAGES = interner('s'), interner('g')

  local function in_use(it, name)
    local number = redis.call('HGET', it.names, name)
    return number and tonumber(redis.call('HGET', it.uses, number) or '0') > 0
  end

  local function free_numbers(it)
    return MAX_DISTINCT - tonumber(redis.call('HGET', META, it.inuse) or '0')
  end

  local function reclaim(it)
    local idle = redis.call('SMEMBERS', it.idle)
    for _, number in ipairs(idle) do
      local name = redis.call('HGET', it.rev, number)
      if name then redis.call('HDEL', it.names, name) end
      redis.call('HDEL', it.rev, number)
      redis.call('HDEL', it.uses, number)
      redis.call('RPUSH', it.free, number)
    end
    redis.call('DEL', it.idle)
    if #idle > 0 then drop_profiles() end
  end

  local function acquire(it, name)
    local number = redis.call('HGET', it.names, name)
    if not number then
      number = redis.call('LPOP', it.free)
      if not number then
        local next = tonumber(redis.call('HGET', META, it.next) or '0')
        if next < MAX_DISTINCT then
          number = int(next)
          redis.call('HSET', META, it.next, int(next + 1))
        else
          reclaim(it)
          number = redis.call('LPOP', it.free)
        end
      end
      redis.call('HSET', it.names, name, number)
      redis.call('HSET', it.rev, number, name)
      -- An agent who has this name has another profile now.
      forget_agents()
    end
    if redis.call('HINCRBY', it.uses, number, 1) == 1 then
      redis.call('HINCRBY', META, it.inuse, 1)
      redis.call('SREM', it.idle, number)
    end
    return number
  end

  local function release(it, name)
    local number = redis.call('HGET', it.names, name)
    if number and redis.call('HINCRBY', it.uses, number, -1) <= 0 then
      redis.call('HINCRBY', META, it.inuse, -1)
      redis.call('SADD', it.idle, number)
    end
  end

  local function hmget_all(key, names)
    local out = {}
    for from = 1, #names, 256 do
      local chunk = {}
      for i = from, math.min(from + 255, #names) do chunk[#chunk + 1] = names[i] end
      local got = redis.call('HMGET', key, unpack(chunk))
      for i = 1, #chunk do out[from + i - 1] = got[i] end
    end
    return out
  end

  local function drop_class(cls, c)
    c = c or class_info(cls)
    redis.call('HDEL', P .. 'l', cls)
    redis.call('HDEL', P .. 'k', cls)
    redis.call('HDEL', P .. 'c', c.key)
    for _, row in ipairs(c.rows) do
      if row ~= 'p' then unuse_row(row) end
    end
    for _, name in ipairs(c.skills) do release(SKILLS, name) end
    if c.language ~= '' then release(LANGUAGES, c.language) end
  end

  -- An interaction leaves the queue (taken or removed).
  local function depart(id, cls, p, e, stage, m)
    local c = class_info(cls)
    leave(c, stage, m)
    if c.ends[stage + 1] then redis.call('ZREM', TIMERS, m) end
    redis.call('HDEL', ITEMS, id)
    if redis.call('HINCRBY', P .. 'l', cls, -1) <= 0 then drop_class(cls, c) end
  end

  -- Reads a count-prefixed list of arguments from ARGV at `at`; the list and the next index.
  local function list_at(at)
    local n = tonumber(ARGV[at])
    local out = {}
    for i = 1, n do out[i] = ARGV[at + i] end
    return out, at + n + 1
  end

  -- Makes the class of a requirements key, checking the skill and language limits first.
  -- Arguments from `at`: language, skills, agents, then per stage: end, kind, skills.
  local function create_class(key, at)
    local language = ARGV[at]
    local skills, agents
    skills, at = list_at(at + 1)
    agents, at = list_at(at)
    local nstages = tonumber(ARGV[at])
    at = at + 1
    local unknown, first_unknown = 0, nil
    for _, name in ipairs(skills) do
      if not in_use(SKILLS, name) then
        unknown = unknown + 1
        first_unknown = first_unknown or name
      end
    end
    if unknown > 0 and unknown > free_numbers(SKILLS) then
      return nil, { 'too_many_skills', first_unknown }
    end
    if language ~= '' and not in_use(LANGUAGES, language) and free_numbers(LANGUAGES) <= 0 then
      return nil, { 'too_many_languages', language }
    end
    local number_of = {}
    for _, name in ipairs(skills) do number_of[name] = acquire(SKILLS, name) end
    -- Acquiring may have given idle numbers to new names: read them all again.
    for _, name in ipairs(skills) do number_of[name] = redis.call('HGET', SKILLS.names, name) end
    local lnum = ''
    if language ~= '' then lnum = acquire(LANGUAGES, language) end
    local ends, rows = {}, {}
    for i = 1, nstages do
      local stage_end, kind = ARGV[at], ARGV[at + 1]
      local names
      names, at = list_at(at + 2)
      if stage_end ~= '' then ends[#ends + 1] = stage_end end
      if kind == 'p' then
        rows[i] = 'p'
      else
        local ns = {}
        for _, name in ipairs(names) do ns[#ns + 1] = tonumber(number_of[name]) end
        table.sort(ns)
        for j, n in ipairs(ns) do ns[j] = int(n) end
        rows[i] = lnum .. '/' .. table.concat(ns, ',')
      end
    end
    for _, row in ipairs(rows) do
      if row ~= 'p' then use_row(row) end
    end
    local cls = int(redis.call('HINCRBY', META, 'cnext', 1))
    local rec = table.concat({ table.concat(ends, ','), table.concat(rows, ';'),
      table.concat(agents, '\31'), table.concat(skills, '\31'), language, key }, '\n')
    redis.call('HSET', P .. 'k', cls, rec)
    redis.call('HSET', P .. 'c', key, cls)
    return cls
  end

  local ops = {}

  -- enqueue: id, priority, enqueued_at, class key, then the class (see create_class).
  function ops.enqueue(at)
    local id, p, e, key = ARGV[at], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), ARGV[at + 3]
    if redis.call('HLEN', ITEMS) >= MAX_WAITING then return { 'full' } end
    if redis.call('HEXISTS', ITEMS, id) == 1 then return { 'duplicate_id' } end
    local cls = redis.call('HGET', P .. 'c', key)
    if not cls then
      local refused
      cls, refused = create_class(key, at + 4)
      if not cls then return refused end
    end
    redis.call('HINCRBY', P .. 'l', cls, 1)
    local s = redis.call('HINCRBY', META, 'seq', 1)
    load_clock()
    local c = class_info(cls)
    local stage, due = stage_at(c, e, clock)
    local m = member(e, s, id)
    local score = score_of(p, e)
    redis.call('HSET', ITEMS, id, item(cls, p, e, s, stage))
    enter(c, stage, m, score)
    if due then
      redis.call('ZADD', TIMERS, due, m)
      local earliest = redis.call('HGET', META, 'due')
      if not earliest or due < tonumber(earliest) then redis.call('HSET', META, 'due', int(due)) end
    end
    return { 'ok' }
  end

  -- The profile of an agent with skills and language ranges `akey` (see agent_args), made if
  -- new, remembered in P.m.
  local function profile_for(akey)
    local bar = string.find(akey, '\30', 1, true)
    local skills, ranges = split(string.sub(akey, 1, bar - 1), '\31'), split(string.sub(akey, bar + 1), '\31')
    local has, speaks, sk, lg = {}, {}, {}, {}
    for _, n in ipairs(hmget_all(P .. 's', skills)) do
      if n and not has[n] then
        has[n] = true
        sk[#sk + 1] = tonumber(n)
      end
    end
    for _, n in ipairs(hmget_all(P .. 'g', ranges)) do
      if n and not speaks[n] then
        speaks[n] = true
        lg[#lg + 1] = tonumber(n)
      end
    end
    table.sort(sk)
    table.sort(lg)
    local profile = table.concat(sk, ',') .. '|' .. table.concat(lg, ',')
    if redis.call('HEXISTS', PROFILES, profile) == 0 then make_profile(profile, has, speaks) end
    if redis.call('HINCRBY', META, 'agents', 1) > MAX_AGENT_KEYS then
      forget_agents()
      redis.call('HSET', META, 'agents', '1')
    end
    redis.call('HSET', META, '\30' .. akey, profile)
    return profile
  end

  -- The member of the first interaction an agent of `profile` (and id `agent`, '' for none)
  -- may take: the first row the profile qualifies for (among rows whose heads tie on score,
  -- the head enqueued earlier, then the earlier enqueue), or the agent's preferred-agent heap.
  local function choose_for(profile, agent)
    local best_score, best
    local pkey = P .. 'p:' .. profile
    local first = redis.call('ZRANGE', pkey, 0, 1, 'WITHSCORES')
    if first[1] and first[1] ~= LAST then
      local tied = { first[1] }
      if first[4] == first[2] then tied = redis.call('ZRANGE', pkey, first[2], first[2], 'BYSCORE') end
      best_score = tonumber(first[2])
      for _, row in ipairs(tied) do
        local m = redis.call('ZRANGE', P .. 'r:' .. row, 0, 0)[1]
        if not best or before(best_score, m, best_score, best) then best = m end
      end
    end
    if agent ~= '' then
      local h = redis.call('ZRANGE', P .. 'a:' .. agent, 0, 0, 'WITHSCORES')
      if h[1] and (not best_score or before(tonumber(h[2]), h[1], best_score, best)) then
        best = h[1]
      end
    end
    return best
  end

  -- The member of the first interaction `agent` may take at `now`, after the stage changes due
  -- by then. Arguments from `at`: now, skills, language ranges, agent id ('' for none).
  local function choose(at)
    local now, akey, agent = agent_args(at)
    advance(now)
    local profile = redis.call('HGET', META, '\30' .. akey) or profile_for(akey)
    return choose_for(profile, agent)
  end

  local function read_item(id)
    local rec = redis.call('HGET', ITEMS, id)
    if not rec then return nil end
    return parse_item(rec)
  end

  -- Takes the interaction of member `m`.
  local function take_member(m)
    if not m then return { 'none' } end
    local id = string.sub(m, 32)
    local cls, p, e, _, stage = read_item(id)
    depart(id, cls, p, e, stage, m)
    return { 'interaction', id, p, e, stage }
  end

  function ops.take(at) return take_member(choose(at)) end

  function ops.peek(at)
    local m = choose(at)
    if not m then return { 'none' } end
    local id = string.sub(m, 32)
    local cls, p, e, _, stage = read_item(id)
    return { 'waiting', id, p, e, stage, class_info(cls).key }
  end

  function ops.remove(at)
    local id = ARGV[at]
    local cls, p, e, s, stage = read_item(id)
    if not cls then return { 'none' } end
    depart(id, cls, p, e, stage, member(e, s, id))
    return { 'interaction', id, p, e, stage }
  end

  function ops.reprioritize(at)
    local id, p = ARGV[at], tonumber(ARGV[at + 1])
    local cls, old, e, s, stage = read_item(id)
    if not cls then return { 'none' } end
    if p ~= old then
      local c = class_info(cls)
      local m, score = member(e, s, id), score_of(p, e)
      redis.call('HSET', ITEMS, id, item(cls, p, e, s, stage))
      local row = c.rows[stage + 1]
      if row == 'p' then
        for _, a in ipairs(c.agents) do redis.call('ZADD', P .. 'a:' .. a, score, m) end
      else
        row_remove(row, m)
        row_add(row, m, score)
      end
    end
    return { 'priority', old }
  end

  function ops.get(at)
    local id = ARGV[at]
    local cls, p, e, _, stage = read_item(id)
    if not cls then return { 'none' } end
    return { 'waiting', id, p, e, stage, class_info(cls).key }
  end

  function ops.len()
    return { 'len', redis.call('HLEN', ITEMS), redis.call('HLEN', P .. 'l') }
  end

  -- The member of every waiting interaction, in routing order: the union of the rows and of
  -- the preferred-agent heaps (an interaction in a preferred-agent stage waits in the heap of
  -- each agent it names, with the same score), ordered as a sorted set orders them, by score
  -- then member, which is routing order.
  local function all_in_order()
    local keys, named = {}, {}
    for _, row in ipairs(redis.call('HKEYS', ROWS)) do keys[#keys + 1] = P .. 'r:' .. row end
    for _, rec in ipairs(redis.call('HVALS', P .. 'k')) do
      for a in string.gmatch(string.match(rec, '^[^\n]*\n[^\n]*\n([^\n]*)'), '[^\31]+') do
        if not named[a] then
          named[a] = true
          keys[#keys + 1] = P .. 'a:' .. a
        end
      end
    end
    -- ZUNION numkeys key... AGGREGATE MIN [WITHSCORES] over keys `from` to `last`.
    local function union(from, last, withscores)
      local args = { last - from + 1 }
      for i = from, last do args[#args + 1] = keys[i] end
      args[#args + 1] = 'AGGREGATE'
      args[#args + 1] = 'MIN'
      if withscores then args[#args + 1] = 'WITHSCORES' end
      return redis.call('ZUNION', unpack(args))
    end
    if #keys == 0 then return {} end
    if #keys <= 1000 then
      local all = union(1, #keys, false)
      if all[#all] == LAST then all[#all] = nil end
      return all
    end
    -- Too many keys for one command: unions of up to 1,000 keys, merged here.
    local scored, seen = {}, {}
    for from = 1, #keys, 1000 do
      local scores = union(from, math.min(from + 999, #keys), true)
      for i = 1, #scores, 2 do
        local m = scores[i]
        if m ~= LAST and not seen[m] then
          seen[m] = true
          scored[#scored + 1] = { tonumber(scores[i + 1]), m }
        end
      end
    end
    table.sort(scored, function(a, b) return before(a[1], a[2], b[1], b[2]) end)
    local all = {}
    for i, pair in ipairs(scored) do all[i] = pair[2] end
    return all
  end

  -- Every waiting interaction in routing order: id, priority, enqueued_at, stage, class key.
  function ops.list()
    local out = { 'list' }
    local all = all_in_order()
    for from = 1, #all, 512 do
      local ids = {}
      for i = from, math.min(from + 511, #all) do ids[#ids + 1] = string.sub(all[i], 32) end
      local recs = redis.call('HMGET', ITEMS, unpack(ids))
      for i, id in ipairs(ids) do
        local cls, p, e, _, stage = parse_item(recs[i])
        out[#out + 1] = id
        out[#out + 1] = p
        out[#out + 1] = e
        out[#out + 1] = stage
        out[#out + 1] = class_info(cls).key
      end
    end
    return out
  end

  return { ops = ops, advance = advance, choose_for = choose_for, profile_for = profile_for,
           take_member = take_member, drop_class = drop_class }
end

local lib_
local function lib()
  lib_ = lib_ or library()
  return lib_
end

-- take: the common case without the library: no stage change due, the agent's profile
-- known, no tie between rows' heads, the best a row's head (not a preferred-agent heap).
local function take(at)
  local now, akey, agent = agent_args(at)
  local got = redis.call('HMGET', META, 'clock', 'due', '\30' .. akey)
  local clock, due, profile = got[1], got[2], got[3]
  if not clock or now > tonumber(clock) then
    if due and tonumber(due) <= now then
      lib().advance(now)
    else
      redis.call('HSET', META, 'clock', ARGV[at])
    end
  end
  profile = profile or lib().profile_for(akey)
  local first = redis.call('ZRANGE', P .. 'p:' .. profile, 0, 1, 'WITHSCORES')
  if first[3] and first[4] == first[2] then
    return lib().take_member(lib().choose_for(profile, agent))
  end
  local row, heads, best, best_score = first[1], nil, nil, nil
  if row and row ~= LAST then
    heads = redis.call('ZRANGE', P .. 'r:' .. row, 0, 1, 'WITHSCORES')
    best, best_score = heads[1], tonumber(first[2])
  end
  if agent ~= '' then
    local h = redis.call('ZRANGE', P .. 'a:' .. agent, 0, 0, 'WITHSCORES')
    if h[1] and (not best or before(tonumber(h[2]), h[1], best_score, best)) then
      return lib().take_member(h[1])
    end
  end
  if not best then return { 'none' } end
  local id = string.sub(best, 32)
  local cls, p, e, _, stage = string.match(redis.call('HGET', ITEMS, id), ITEM)
  redis.call('ZREM', P .. 'r:' .. row, best)
  if heads[3] == LAST then set_head(row, nil) else set_head(row, heads[4]) end
  if due then redis.call('ZREM', TIMERS, best) end
  redis.call('HDEL', ITEMS, id)
  if redis.call('HINCRBY', P .. 'l', cls, -1) <= 0 then lib().drop_class(cls) end
  return { 'interaction', id, tonumber(p), tonumber(e), tonumber(stage) }
end

-- enqueue (see ops.enqueue) without the library when the class exists and has one stage
-- that is a ring (no preferred agents).
local function enqueue(at)
  local cls = redis.call('HGET', P .. 'c', ARGV[at + 3])
  local row = cls and string.match(redis.call('HGET', P .. 'k', cls), '^\n([^\n;]+)\n')
  if not row or row == 'p' then return lib().ops.enqueue(at) end
  local id, p, e = ARGV[at], ARGV[at + 1], ARGV[at + 2]
  if redis.call('HLEN', ITEMS) >= MAX_WAITING then return { 'full' } end
  if redis.call('HEXISTS', ITEMS, id) == 1 then return { 'duplicate_id' } end
  redis.call('HINCRBY', P .. 'l', cls, 1)
  local s = redis.call('HINCRBY', META, 'seq', 1)
  local en = tonumber(e)
  redis.call('HSET', ITEMS, id, cls .. '|' .. p .. '|' .. e .. '|' .. string.format('%d', s) .. '|0')
  row_add(row, member(en, s, id), score_of(tonumber(p), en))
  return { 'ok' }
end

-- remove (see ops.remove) without the library when the interaction waits in a ring.
local function remove(at)
  local id = ARGV[at]
  local rec = redis.call('HGET', ITEMS, id)
  if not rec then return { 'none' } end
  local cls, p, e, s, stage = string.match(rec, ITEM)
  local ends, rows = string.match(redis.call('HGET', P .. 'k', cls), '^([^\n]*)\n([^\n]*)\n')
  local n, row = tonumber(stage), nil
  for r in string.gmatch(rows, '[^;]+') do
    if n == 0 then
      row = r
      break
    end
    n = n - 1
  end
  if not row or row == 'p' then return lib().ops.remove(at) end
  local m = member(tonumber(e), tonumber(s), id)
  row_remove(row, m)
  -- The stage has an end (so a timer) when there are more ends than the stage's number.
  n = 0
  for _ in string.gmatch(ends, '[^,]+') do n = n + 1 end
  if n > tonumber(stage) then redis.call('ZREM', TIMERS, m) end
  redis.call('HDEL', ITEMS, id)
  if redis.call('HINCRBY', P .. 'l', cls, -1) <= 0 then lib().drop_class(cls) end
  return { 'interaction', id, tonumber(p), tonumber(e), tonumber(stage) }
end

-- A request that changes the queue runs at most once: its reply is kept under the node's
-- counter at least until the node acknowledges it (`ack`: every counter up to it has its
-- reply), and a repeat returns the kept reply. Acknowledged replies are deleted once
-- FORGET_AFTER of them have gathered (one HDEL, not one per request); the counter up to which
-- they are deleted is kept as 'ack', and a counter at or below it is a stale copy of a
-- request whose reply the node already has: refused.
local function mutate(run)
  local counter, ack = ARGV[3], ARGV[4]
  local done = P .. 'd:' .. ARGV[2]
  local got = redis.call('HMGET', done, 'ack', counter)
  local acked, n, upto = tonumber(got[1] or '0'), tonumber(counter), tonumber(ack)
  if n <= acked then return { 'stale' } end
  if got[2] then return cmsgpack.unpack(got[2]) end
  local reply = run(5)
  if upto - acked >= FORGET_AFTER then
    redis.call('HSET', done, counter, cmsgpack.pack(reply), 'ack', ack)
    -- Forget the replies the node has: counters acked + 1 to ack.
    local gone = {}
    if upto - acked <= 64 then
      for i = acked + 1, upto do gone[#gone + 1] = string.format('%d', i) end
    else
      for _, f in ipairs(redis.call('HKEYS', done)) do
        local i = tonumber(f)
        if i and i > acked and i <= upto then gone[#gone + 1] = f end
      end
    end
    for from = 1, #gone, 256 do
      redis.call('HDEL', done, unpack(gone, from, math.min(from + 255, #gone)))
    end
  else
    redis.call('HSET', done, counter, cmsgpack.pack(reply))
  end
  redis.call('PEXPIRE', done, RETENTION_MS)
  return reply
end

local op = ARGV[1]
if op == 'take' then return mutate(take) end
if op == 'enqueue' then return mutate(enqueue) end
if op == 'remove' then return mutate(remove) end
if op == 'reprioritize' then return mutate(lib().ops.reprioritize) end
if op == 'node' then
  local t = redis.call('TIME')
  local n = string.format('%d', redis.call('HINCRBY', META, 'node', 1))
  return { 'node', n .. '.' .. t[1] .. string.format('%06d', tonumber(t[2])) }
end
local ops = lib().ops
if ops[op] then return ops[op](2) end
return error('acd: unknown operation ' .. tostring(op))
