/**
 * Redis for cluster mode: clients, key names and the Lua scripts that make
 * the shared state safe when several nodes act on it at once.
 *
 * Clients. One command client per node (every store, the registry, the
 * leases and the bus's XADDs share it) and one dedicated client per
 * blocking reader (the bus's XREAD BLOCK), since a blocked connection
 * answers nothing else. Both reconnect by themselves with capped
 * exponential backoff and jitter. The offline queue is disabled: while
 * Redis is unreachable a command fails at once (the caller answers
 * `unavailable`) instead of hanging, and, what the bus relies on, a command
 * that was written but not answered when the connection dropped is
 * rejected together with every command after it, never sent again behind
 * the caller's back (which could reorder a sender's stream).
 *
 * Keys (see docs/design multi-node §3.3). Keys of one room carry the hash
 * tag `{roomId}` so a later Redis Cluster keeps them in one slot. The other
 * keys name what they hold: `cv:node:<id>`, `cv:inbox:<node>`,
 * `cv:ticket:<sha256>`, `cv:pass:<sha256>`, `cv:thr:<kind>:<key>`.
 *
 * Scripts touch only their declared keys, except the pass scripts, which
 * follow a pass to its holder's index and room set (keys they read from
 * Redis): fine on one Redis primary (the design's authority), to be
 * revisited if passes ever move to Redis Cluster.
 */
import { createHash } from 'node:crypto';
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  createClient,
  DisconnectsClientError,
  ErrorReply,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  type RedisClientType,
} from 'redis';
import type { Logger } from '../logger.js';

export type RedisClient = RedisClientType;

// ---------------------------------------------------------------- clients

export interface RedisClientOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** Shown in CLIENT LIST (`conclave-<name>`). */
  name?: string;
  logger?: Logger;
  /** Cap of the reconnect backoff (default 2000 ms). */
  maxBackoffMs?: number;
  connectTimeoutMs?: number;
}

/** Rejects anything but a redis:// or rediss:// URL (with the URL's password never echoed). */
export function checkRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('the Redis URL is not a URL (expected redis://host:port or rediss://host:port)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`the Redis URL must start with redis:// or rediss:// (got ${parsed.protocol}//)`);
  }
  if (!parsed.hostname) throw new Error('the Redis URL has no host');
  return parsed;
}

/** Wait before reconnect attempt `retries` (0-based): 50 ms doubling, capped, ±20 % jitter. */
export function reconnectDelay(retries: number, maxMs = 2000, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 50 * 2 ** Math.min(retries, 16));
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

/**
 * A client (not yet connected) with the cluster's settings. Errors are
 * logged, not thrown: node-redis emits one per failed reconnect attempt, and
 * an unhandled 'error' event would end the process.
 */
export function createRedisClient(o: RedisClientOptions): RedisClient {
  checkRedisUrl(o.url);
  const client = createClient({
    url: o.url,
    name: `conclave-${o.name ?? 'command'}`,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: o.connectTimeoutMs ?? 5000,
      reconnectStrategy: (retries: number) => reconnectDelay(retries, o.maxBackoffMs),
    },
  });
  attachErrorLog(client, o.logger, o.name ?? 'command');
  return client;
}

/** A dedicated connection for blocking reads, with the same URL and settings as `client`. */
export function duplicateForBlocking(client: RedisClient, name: string, logger?: Logger): RedisClient {
  const dup = client.duplicate({ name: `conclave-${name}` });
  attachErrorLog(dup, logger, name);
  return dup;
}

/** Logs a connection's errors: the first of an outage as a warning, the repeats (one per reconnect attempt) at debug. */
function attachErrorLog(client: RedisClient, logger: Logger | undefined, name: string): void {
  let down = false;
  client.on('error', (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if (!down) logger?.warn({ redisClient: name, err: message }, 'redis connection error; reconnecting');
    else logger?.debug({ redisClient: name, err: message }, 'redis still unreachable');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger?.info({ redisClient: name }, 'redis connection back');
    down = false;
  });
}

export async function connectRedis(o: RedisClientOptions): Promise<RedisClient> {
  const client = createRedisClient(o);
  await client.connect();
  return client;
}

/** An error Redis itself answered (the command reached it and was refused), as opposed to a lost connection. */
export const isRedisReply = (err: unknown): boolean => err instanceof ErrorReply;

/** Redis could not be reached (down, restarting, unreachable), as opposed to refusing a command: try again later. */
export const isRedisUnreachable = (err: unknown): boolean =>
  err instanceof ClientOfflineError ||
  err instanceof ClientClosedError ||
  err instanceof ConnectionTimeoutError ||
  err instanceof SocketClosedUnexpectedlyError ||
  err instanceof SocketTimeoutError ||
  err instanceof DisconnectsClientError;

// ---------------------------------------------------------------- keys

const ROOM_ID = /^[^{}\s]{1,100}$/;
const NODE_ID = /^[a-z0-9-]{1,40}$/;

export const isNodeId = (id: string): boolean => NODE_ID.test(id);

function roomTag(roomId: string): string {
  if (!ROOM_ID.test(roomId)) throw new Error(`not a room id usable in a Redis key: ${JSON.stringify(roomId)}`);
  return `cv:{${roomId}}`;
}

function nodeKey(id: string): string {
  if (!NODE_ID.test(id)) throw new Error(`not a node id: ${JSON.stringify(id)}`);
  return id;
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export const keys = {
  nodes: 'cv:nodes',
  node: (id: string) => `cv:node:${nodeKey(id)}`,
  nodeAlive: (id: string) => `cv:node:${nodeKey(id)}:alive`,
  /** Meetings placed on the node lately (a sorted set scored by when), for node-placement.ts. */
  nodePlaced: (id: string) => `cv:node:${nodeKey(id)}:placed`,
  inbox: (node: string) => `cv:inbox:${nodeKey(node)}`,
  roomOwner: (roomId: string) => `${roomTag(roomId)}:owner`,
  roomEpoch: (roomId: string) => `${roomTag(roomId)}:epoch`,
  /** Another key of the room (`nodes`, `members`, `state`, …), e.g. for fenced writes. */
  room: (roomId: string, suffix: string) => {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(suffix) || suffix === 'owner' || suffix === 'epoch' || suffix === 'passes') {
      throw new Error(`not a writable room key: ${suffix}`);
    }
    return `${roomTag(roomId)}:${suffix}`;
  },
  roomPasses: (roomId: string) => `${roomTag(roomId)}:passes`,
  ticket: (ticketHash: string) => `cv:ticket:${ticketHash}`,
  userTickets: (userId: number) => `cv:utickets:${userId}`,
  pass: (passHash: string) => `cv:pass:${passHash}`,
  peerPass: (peerId: string) => `cv:passpeer:${peerId}`,
  throttle: (kind: string, key: string) => `cv:thr:${kind}:${key}`,
  /** The first-start setup link's token hash (redis-setup-link-store.ts). */
  setupLink: 'cv:setup',
  budget: (kind: string, key: string) => `cv:budget:${kind}:${key}`,
} as const;

// ---------------------------------------------------------------- scripts

type Arg = string | number;

/** A Lua script run by EVALSHA, loaded again (EVAL) when Redis does not know it (first use, or after a restart). */
export class LuaScript {
  readonly sha1: string;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keyList: string[], args: Arg[] = []): Promise<unknown> {
    const options = { keys: keyList, arguments: args.map(String) };
    try {
      return await client.evalSha(this.sha1, options);
    } catch (err) {
      if (err instanceof ErrorReply && err.message.startsWith('NOSCRIPT')) return client.eval(this.source, options);
      throw err;
    }
  }
}

/** Whole numbers as Lua writes them into Redis without an exponent. */
const LUA_INT = `local function int(x) return string.format('%.0f', x) end`;

/**
 * Room ownership (room-ownership.ts). The owner value is `node|epoch`; the
 * epoch comes from a per-room counter, so every claim gets a higher one
 * (the fencing token). The counter lives a day past the last claim or renew.
 */
export const LEASE_CLAIM = new LuaScript(
  'lease-claim',
  `-- KEYS: owner, epoch; ARGV: node, leaseMs, epochTtlMs
local cur = redis.call('GET', KEYS[1])
if cur then return {0, cur} end
local e = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local v = ARGV[1] .. '|' .. e
redis.call('SET', KEYS[1], v, 'PX', ARGV[2])
return {1, v}`,
);

export const LEASE_RENEW = new LuaScript(
  'lease-renew',
  `-- KEYS: owner, epoch; ARGV: node|epoch, leaseMs, epochTtlMs
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`,
);

export const LEASE_RELEASE = new LuaScript(
  'lease-release',
  `-- KEYS: owner; ARGV: node|epoch
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`,
);

/**
 * A write by the room's owner, applied only if `node|epoch` still owns the
 * room: returns 'FENCED' (and writes nothing) otherwise. ARGV[2] is a JSON
 * list of [command, keyIndex, args…]; keyIndex counts from 1 among the keys
 * after the owner key. Only the listed commands are allowed.
 */
export const FENCED_WRITE = new LuaScript(
  'fenced-write',
  `-- KEYS: owner, target…; ARGV: node|epoch, ops JSON
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'FENCED' end
local allowed = {HSET=true, HDEL=true, DEL=true, SET=true, PEXPIRE=true, HINCRBY=true, SADD=true, SREM=true}
local ops = cjson.decode(ARGV[2])
for _, op in ipairs(ops) do
  if not allowed[op[1]] then return redis.error_reply('fenced-write: command not allowed: ' .. tostring(op[1])) end
end
for _, op in ipairs(ops) do
  local args = {}
  for i = 3, #op do args[#args + 1] = op[i] end
  redis.call(op[1], KEYS[op[2] + 1], unpack(args))
end
return 'OK'`,
);

/** Issues a ticket: its grant under its hash for `ttlMs`, and (signed-in users) an entry in the user's index for revokeFor. */
export const TICKET_ISSUE = new LuaScript(
  'ticket-issue',
  `-- KEYS: ticket, userIndex (or ''); ARGV: ticketHash, grant JSON, ttlMs, sessionKey JSON
if not redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3], 'NX') then return 0 end
if KEYS[2] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return 1`,
);

/** Drops a user's outstanding tickets (all of them, or those of one session). */
export const TICKET_REVOKE_FOR = new LuaScript(
  'ticket-revoke-for',
  `-- KEYS: userIndex; ARGV: ticket key prefix, sessionKey JSON or '' for all
local entries = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #entries, 2 do
  if ARGV[2] == '' or entries[i + 1] == ARGV[2] then
    n = n + redis.call('DEL', ARGV[1] .. entries[i])
    redis.call('HDEL', KEYS[1], entries[i])
  end
end
return n`,
);

/** Uses up the setup link if ARGV[1] is it: its PTTL, or -1 (redis-setup-link-store.ts). */
export const SETUP_LINK_CLAIM = new LuaScript(
  'setup-link-claim',
  `-- KEYS: setup key; ARGV: token hash
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local left = redis.call('PTTL', KEYS[1])
redis.call('DEL', KEYS[1])
return left`,
);

/*
 * Rejoin passes (redis-pass-store.ts). A pass is the hash cv:pass:<sha> {p:
 * peerId, r: roomId, e: expiresAt ms, '' while its holder is in}; its holder
 * points at it with cv:passpeer:<peerId> = sha, and its room lists it in
 * cv:{room}:passes. Every peer has at most one pass (the index's invariant).
 */
const PASS_LIB = `
local function passKey(h) return 'cv:pass:' .. h end
local function roomSet(r) return 'cv:{' .. r .. '}:passes' end
local function peerKey(p) return 'cv:passpeer:' .. p end
-- Deletes a pass and its room-set entry (the caller sees to the holder's index).
local function dropPass(h)
  local k = passKey(h)
  local r = redis.call('HGET', k, 'r')
  redis.call('DEL', k)
  if r then redis.call('SREM', roomSet(r), h) end
end
-- Keeps a room's set at least as long as its newest pass.
local function keepSet(r, ttl)
  local s = roomSet(r)
  if redis.call('PTTL', s) < tonumber(ttl) then redis.call('PEXPIRE', s, ttl) end
end
`;

export const PASS_ISSUE = new LuaScript(
  'pass-issue',
  `${PASS_LIB}
-- ARGV: sha, peerId, roomId, heldTtlMs
local old = redis.call('GET', peerKey(ARGV[2]))
if old then dropPass(old) end
redis.call('DEL', passKey(ARGV[1]))
redis.call('HSET', passKey(ARGV[1]), 'p', ARGV[2], 'r', ARGV[3], 'e', '')
redis.call('PEXPIRE', passKey(ARGV[1]), ARGV[4])
redis.call('SET', peerKey(ARGV[2]), ARGV[1], 'PX', ARGV[4])
redis.call('SADD', roomSet(ARGV[3]), ARGV[1])
keepSet(ARGV[3], ARGV[4])
return 1`,
);

export const PASS_RELEASE = new LuaScript(
  'pass-release',
  `${PASS_LIB}
${LUA_INT}
-- ARGV: peerId, now, graceMs
local h = redis.call('GET', peerKey(ARGV[1]))
if not h then return 0 end
local e = redis.call('HGET', passKey(h), 'e')
if e ~= '' then return 0 end
redis.call('HSET', passKey(h), 'e', int(tonumber(ARGV[2]) + tonumber(ARGV[3])))
redis.call('PEXPIRE', passKey(h), ARGV[3])
redis.call('PEXPIRE', peerKey(ARGV[1]), ARGV[3])
return 1`,
);

export const PASS_REVOKE = new LuaScript(
  'pass-revoke',
  `${PASS_LIB}
-- ARGV: peerId
local h = redis.call('GET', peerKey(ARGV[1]))
if not h then return 0 end
dropPass(h)
redis.call('DEL', peerKey(ARGV[1]))
return 1`,
);

export const PASS_REVOKE_ROOM = new LuaScript(
  'pass-revoke-room',
  `${PASS_LIB}
-- ARGV: roomId
local s = roomSet(ARGV[1])
local n = 0
for _, h in ipairs(redis.call('SMEMBERS', s)) do
  local p = redis.call('HGET', passKey(h), 'p')
  if p and redis.call('GET', peerKey(p)) == h then redis.call('DEL', peerKey(p)) end
  n = n + redis.call('DEL', passKey(h))
end
redis.call('DEL', s)
return n`,
);

/** Uses up a pass for a room: one script, so two nodes redeeming the same pass at once cannot both get its holder. */
export const PASS_REDEEM = new LuaScript(
  'pass-redeem',
  `${PASS_LIB}
-- ARGV: sha, roomId, now
local v = redis.call('HMGET', passKey(ARGV[1]), 'p', 'r', 'e')
if not v[1] or v[2] ~= ARGV[2] then return false end
if redis.call('GET', peerKey(v[1])) == ARGV[1] then redis.call('DEL', peerKey(v[1])) end
dropPass(ARGV[1])
if v[3] ~= '' and tonumber(v[3]) <= tonumber(ARGV[3]) then return false end
return v[1]`,
);

export const PASS_GIVE_BACK = new LuaScript(
  'pass-give-back',
  `${PASS_LIB}
${LUA_INT}
-- ARGV: sha, roomId, peerId, now, graceMs
if redis.call('EXISTS', peerKey(ARGV[3])) == 1 then return 0 end
local k = passKey(ARGV[1])
redis.call('DEL', k)
redis.call('HSET', k, 'p', ARGV[3], 'r', ARGV[2], 'e', int(tonumber(ARGV[4]) + tonumber(ARGV[5])))
redis.call('PEXPIRE', k, ARGV[5])
redis.call('SET', peerKey(ARGV[3]), ARGV[1], 'PX', ARGV[5])
redis.call('SADD', roomSet(ARGV[2]), ARGV[1])
keepSet(ARGV[2], ARGV[5])
return 1`,
);

/*
 * Attempt throttle (redis-throttle-store.ts): auth/attempt-throttle.ts's
 * rules, in Lua, on the hash {a: attempts (failed + reserved), f: reserved
 * and still being checked, l: last attempt ms}. Times come from the caller
 * (ARGV now), so every node applies the same rules to the same numbers; the
 * key expires (relative PEXPIRE) when the in-memory table would have
 * forgotten it: the forget window after the last attempt, or the end of its
 * wait if that is later. One script per operation, all sharing this code.
 */
const THROTTLE_LIB = `
${LUA_INT}
local key = KEYS[1]
local op, now, free, base, maxd, forget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local function waitFor(a, f, l)
  local over = a - free
  if over < 0 then return 0 end
  local delay = math.min(maxd, base * 2 ^ math.min(over, 40))
  if f > 0 then return delay end
  return math.max(0, l + delay - now)
end
local function raw()
  local v = redis.call('HMGET', key, 'a', 'f', 'l')
  if not v[1] then return nil end
  return tonumber(v[1]), tonumber(v[2]), tonumber(v[3])
end
-- The entry unless it has been quiet past the forget window with no wait pending (then it is dropped).
local function live()
  local a, f, l = raw()
  if a == nil then return nil end
  if now - l > forget and waitFor(a, f, l) == 0 then
    redis.call('DEL', key)
    return nil
  end
  return a, f, l
end
local function save(a, f, l)
  if a <= 0 then
    redis.call('DEL', key)
    return
  end
  redis.call('HSET', key, 'a', int(a), 'f', int(f), 'l', int(l))
  local over = a - free
  local delay = 0
  if over >= 0 then delay = math.min(maxd, base * 2 ^ math.min(over, 40)) end
  local ttl = math.max(forget, delay) + l - now + 1000
  redis.call('PEXPIRE', key, int(math.max(1000, ttl)))
end
-- Counts a failed attempt; returns the entry as saved.
local function fail()
  local a, f = live()
  if a == nil then a, f = 0, 0 end
  save(a + 1, f, now)
  return a + 1, f, now
end
`;

export const THROTTLE = new LuaScript(
  'throttle',
  `${THROTTLE_LIB}
-- KEYS: key; ARGV: op, now, freeAttempts, baseDelayMs, maxDelayMs, forgetAfterMs
if op == 'wait' then
  local a, f, l = live()
  if a == nil then return 0 end
  return int(waitFor(a, f, l))
elseif op == 'reserve' then
  local a, f, l = live()
  if a ~= nil then
    local w = waitFor(a, f, l)
    if w > 0 then return int(w) end
  end
  local a2, f2, l2 = fail()
  save(a2, f2 + 1, l2)
  return 0
elseif op == 'fail' then
  fail()
  return 0
elseif op == 'failed' then
  local a, f, l = raw()
  if a == nil then return 0 end
  save(a, math.max(0, f - 1), math.max(l, now))
  return 0
elseif op == 'refund' then
  local a, f, l = raw()
  if a == nil then return 0 end
  save(a - 1, math.max(0, f - 1), l)
  return 0
elseif op == 'succeed' then
  local a, f, l = raw()
  if a == nil then return 0 end
  local f2 = math.max(0, f - 1)
  save(f2, f2, l)
  return 0
end
return redis.error_reply('throttle: unknown op ' .. tostring(op))`,
);

/**
 * Attempt budget (auth/attempt-budget.ts): a sorted set of attempt times
 * (score = ms); at most `limit` in any window. ARGV member makes each
 * attempt a distinct entry.
 */
export const BUDGET = new LuaScript(
  'budget',
  `${LUA_INT}
-- KEYS: key; ARGV: op, now, limit, windowMs, member
local key, op, now, limit, window = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now - window))
if op == 'remaining' then return limit - redis.call('ZCARD', key) end
if op == 'refund' then
  redis.call('ZPOPMAX', key)
  return 0
end
if op == 'reserve' then
  if redis.call('ZCARD', key) >= limit then
    local oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
    return int(math.max(1, oldest + window - now))
  end
  redis.call('ZADD', key, int(now), ARGV[5])
  redis.call('PEXPIRE', key, int(window + 1000))
  return 0
end
return redis.error_reply('budget: unknown op ' .. tostring(op))`,
);

/** Heartbeat's liveness lease: set it if free or ours (our incarnation); refuse if another process with our node id holds it. */
export const ALIVE_RENEW = new LuaScript(
  'alive-renew',
  `-- KEYS: alive; ARGV: incarnation, leaseMs
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 'OK'`,
);
