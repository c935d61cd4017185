/**
 * Lua scripts of the Redis engine. Each runs atomically, so offsets,
 * history, snapshots and the fan-out message of one publish are written
 * together and in offset order, whichever hub published.
 *
 * Keys (all under a prefix, `falcon:` by default):
 *   epoch                    the history epoch; a missing key means history was lost
 *   offsets                  hash channel → latest offset
 *   s:<epoch>:<channel>      stream of the channel's events, entry id `<offset>-1`,
 *                            fields o (offset), t (ms), f (the event frame)
 *   issue:<id>, agent:<id>   hashes of board fields (JSON values)
 *   project-issues:<id>      set of a project's issue ids; projects: set of project ids; agents: set of agent ids
 *   stream-bytes             hash channel → bytes of frames in the channel's stream (this epoch)
 *   tail:<channel>           list of an agent's last output lines; tail-offsets: hash channel → offset,
 *                            tail-bytes: hash channel → bytes of the list
 *   events                   the pub/sub channel every hub subscribes to (one subscription per hub)
 *   input-hubs               sorted set: hubs that take agent inputs, scored by when their advertisement
 *                            expires (Redis time, ms); the key itself expires when no hub refreshes it
 *   input-claim:<agent>:<request>
 *                            `pending:<inputId>` while an answer is delivered (short TTL), then
 *                            `answered:<inputId>` (24 h): first answer wins across hubs
 *   inputs:<hubId>           the pub/sub channel of one hub's forwarded inputs and their replies
 */

/** Shared by both scripts: the current epoch, created when missing (history lost or first start). */
const EPOCH = `
local function current_epoch(prefix, candidate)
  local epoch = redis.call('GET', prefix .. 'epoch')
  if not epoch then
    redis.call('SET', prefix .. 'epoch', candidate)
    redis.call('DEL', prefix .. 'offsets', prefix .. 'tail-offsets', prefix .. 'stream-bytes', prefix .. 'tail-bytes')
    epoch = candidate
  end
  return epoch
end
`;

/**
 * ARGV: 1 prefix, 2 channel, 3 event, 4 data JSON, 5 now ms, 6 candidate epoch,
 * 7 history size, 8 history ttl ms, 9 board patch JSON or '', 10 tail text or '',
 * 11 tail max lines, 12 finished ttl ms, 13 max channels per epoch, 14 history max bytes per channel,
 * 15 tail max bytes, 16 tail max bytes per line (≥ 4),
 * 17 issue id whose stored projectId the publisher's authorization was decided on, or '',
 * 18 that stored projectId field as read ('' when absent)
 * Returns {offset, epoch}, or {-1, ''} (nothing written) when the projectId changed
 * since it was read: the caller decides again and retries.
 */
export const PUBLISH_SCRIPT = `${EPOCH}
local prefix, channel, event, data, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if ARGV[17] ~= '' then
  local stored = redis.call('HGET', prefix .. 'issue:' .. ARGV[17], 'projectId') or ''
  if stored ~= ARGV[18] then return {-1, ''} end
end
local ttl = tonumber(ARGV[8])
local epoch = current_epoch(prefix, ARGV[6])
if redis.call('HLEN', prefix .. 'offsets') >= tonumber(ARGV[13]) and redis.call('HEXISTS', prefix .. 'offsets', channel) == 0 then
  -- Too many channels in one epoch: start a new one rather than grow without bound.
  redis.call('SET', prefix .. 'epoch', ARGV[6])
  redis.call('DEL', prefix .. 'offsets', prefix .. 'tail-offsets', prefix .. 'stream-bytes', prefix .. 'tail-bytes')
  epoch = ARGV[6]
end
local offset = redis.call('HINCRBY', prefix .. 'offsets', channel, 1)
local frame = '{"type":"event","channel":' .. cjson.encode(channel) .. ',"event":' .. cjson.encode(event) ..
  ',"data":' .. data .. ',"offset":' .. offset .. ',"epoch":' .. cjson.encode(epoch) .. '}'
-- Streams are per epoch: offsets restart with a new epoch, stream ids must not.
local stream = prefix .. 's:' .. epoch .. ':' .. channel
local bytes_key = prefix .. 'stream-bytes'
-- An expired stream took its frames along: its byte count starts again.
if redis.call('EXISTS', stream) == 0 then redis.call('HDEL', bytes_key, channel) end
redis.call('XADD', stream, offset .. '-1', 'o', offset, 't', now, 'f', frame)
redis.call('PEXPIRE', stream, ttl)
local bytes = redis.call('HINCRBY', bytes_key, channel, #frame)
local length = redis.call('XLEN', stream)
local size, max_bytes = tonumber(ARGV[7]), tonumber(ARGV[14])
-- Count, bytes and age bounds, oldest first (reads filter by age too): exact, so a
-- recovery that needs an evicted event is told it is gone.
while length > 0 do
  local entry = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
  if length <= size and bytes <= max_bytes and now - tonumber(entry[2][4]) <= ttl then break end
  redis.call('XDEL', stream, entry[1])
  bytes = bytes - #entry[2][6]
  length = length - 1
end
redis.call('HSET', bytes_key, channel, bytes)

local finished_ttl = tonumber(ARGV[12])
if ARGV[9] ~= '' then
  local patch = cjson.decode(ARGV[9])
  if patch.agent and patch.agent.projectOfIssue then
    local project = redis.call('HGET', prefix .. 'issue:' .. patch.agent.projectOfIssue, 'projectId')
    patch.agent.set.projectId = project or 'null'
  end
  if patch.issue and patch.issue.onlyIfExists and redis.call('EXISTS', prefix .. 'issue:' .. patch.issue.id) == 0 then
    patch.issue = nil
  end
  if patch.issue then
    local key = prefix .. 'issue:' .. patch.issue.id
    redis.call('HSETNX', key, 'createdAt', now)
    for field, value in pairs(patch.issue.set) do redis.call('HSET', key, field, value) end
    if patch.issue.status then
      if redis.call('HGET', key, 'status') ~= patch.issue.status then
        redis.call('HSET', key, 'status', patch.issue.status, 'statusSince', now)
      end
    end
    redis.call('HSET', key, 'updatedAt', now)
    local project = redis.call('HGET', key, 'projectId')
    if project and project ~= 'null' then
      local id = cjson.decode(project)
      redis.call('SADD', prefix .. 'project-issues:' .. id, patch.issue.id)
      redis.call('SADD', prefix .. 'projects', id)
    end
    -- Finished work expires; anything else stays.
    if redis.call('HGET', key, 'status') == '"done"' then redis.call('PEXPIRE', key, finished_ttl) else redis.call('PERSIST', key) end
  end
  if patch.agent then
    local key = prefix .. 'agent:' .. patch.agent.id
    for field, value in pairs(patch.agent.set) do redis.call('HSET', key, field, value) end
    for _, field in ipairs(patch.agent.del) do redis.call('HDEL', key, field) end
    -- As the reducer: time in status starts when the status changes (or the agent appears).
    if redis.call('HGET', key, 'status') ~= patch.agent.status then
      redis.call('HSET', key, 'status', patch.agent.status, 'statusSince', now)
    end
    redis.call('HSET', key, 'lastActivityAt', now)
    redis.call('SADD', prefix .. 'agents', patch.agent.id)
    redis.call('PEXPIRE', key, finished_ttl)
  end
end
local project_channel = string.match(channel, '^project:(.+)$')
if project_channel then redis.call('SADD', prefix .. 'projects', project_channel) end

if ARGV[10] ~= '' then
  local key = prefix .. 'tail:' .. channel
  local text = ARGV[10]
  local max_line = tonumber(ARGV[16])
  local tail_bytes_key = prefix .. 'tail-bytes'
  if redis.call('EXISTS', key) == 0 then redis.call('HDEL', tail_bytes_key, channel) end
  local kept = tonumber(redis.call('HGET', tail_bytes_key, channel) or '0')
  -- Where the piece starting at byte 'from' ends: at its newline, or after 'room' bytes,
  -- never inside a UTF-8 sequence; a longer line is kept as several pieces.
  local function piece_end(from, room)
    local cut = string.find(text, '\\n', from, true) or #text
    if cut - from + 1 <= room then return cut end
    cut = from + room - 1
    while cut >= from do
      local next_byte = string.byte(text, cut + 1)
      if next_byte < 128 or next_byte >= 192 then break end
      cut = cut - 1
    end
    return cut
  end
  local from = 1
  local last = redis.call('LINDEX', key, -1)
  if last and string.sub(last, -1) ~= '\\n' and #last < max_line then
    local cut = piece_end(1, max_line - #last)
    if cut >= 1 then
      redis.call('LSET', key, -1, last .. string.sub(text, 1, cut))
      kept = kept + cut
    end
    from = cut + 1
  end
  while from <= #text do
    local cut = piece_end(from, max_line)
    redis.call('RPUSH', key, string.sub(text, from, cut))
    kept = kept + cut - from + 1
    from = cut + 1
  end
  local max_lines, max_tail = tonumber(ARGV[11]), tonumber(ARGV[15])
  local lines = redis.call('LLEN', key)
  while lines > max_lines or (kept > max_tail and lines > 1) do
    kept = kept - #redis.call('LPOP', key)
    lines = lines - 1
  end
  redis.call('HSET', tail_bytes_key, channel, kept)
  redis.call('PEXPIRE', key, finished_ttl)
  redis.call('HSET', prefix .. 'tail-offsets', channel, offset)
  local agent = string.match(channel, '^agent:(.+)$')
  if agent then
    local akey = prefix .. 'agent:' .. agent
    if redis.call('EXISTS', akey) == 0 then redis.call('HSET', akey, 'status', '"working"', 'statusSince', now) end
    redis.call('HSET', akey, 'lastActivityAt', now)
    redis.call('SADD', prefix .. 'agents', agent)
    redis.call('PEXPIRE', akey, finished_ttl)
  end
end

redis.call('PUBLISH', prefix .. 'events', channel .. '\\n' .. offset .. '\\n' .. epoch .. '\\n' .. now .. '\\n' .. frame)
return {offset, epoch}
`;

/**
 * ARGV: 1 prefix, 2 channel, 3 candidate epoch, 4 since epoch or '', 5 since offset,
 * 6 now ms, 7 history ttl ms, 8 history size (events kept and at most replayed)
 * Returns {epoch, head, verdict, frame1, time1, …}: verdict 1 recovered, 0 not,
 * -1 no since given, 2 not recovered (new epoch) but the new epoch's events follow.
 */
export const RECOVER_SCRIPT = `${EPOCH}
local prefix, channel = ARGV[1], ARGV[2]
local epoch = current_epoch(prefix, ARGV[3])
local head = tonumber(redis.call('HGET', prefix .. 'offsets', channel) or '0')
if ARGV[4] == '' then return {epoch, head, -1} end
local since = tonumber(ARGV[5])
local verdict = 1
if ARGV[4] ~= epoch then
  -- History was lost: the client resyncs, but gets this epoch's events from the start if still kept.
  since = 0
  verdict = 2
end
if since > head then return {epoch, head, 0} end
if since == head then return {epoch, head, verdict} end
local limit = tonumber(ARGV[8])
-- History is bounded by count exactly, whatever the stream's approximate trimming kept.
if head - since > limit then return {epoch, head, 0} end
local entries = redis.call('XRANGE', prefix .. 's:' .. epoch .. ':' .. channel, (since + 1) .. '-1', '+', 'COUNT', limit + 1)
local now, ttl = tonumber(ARGV[6]), tonumber(ARGV[7])
if #entries == 0 or #entries > limit or tonumber(entries[1][2][2]) ~= since + 1 or now - tonumber(entries[1][2][4]) > ttl then
  return {epoch, head, 0}
end
local result = {epoch, head, verdict}
for _, entry in ipairs(entries) do
  result[#result + 1] = entry[2][6]
  result[#result + 1] = entry[2][4]
end
return result
`;

/**
 * ARGV: prefix, channel, candidate epoch, now (ms), history TTL (ms), limit.
 * Returns {epoch, head, frame1, time1, …}: the channel's newest `limit` kept
 * events of this epoch still within the TTL, oldest first.
 */
export const HISTORY_SCRIPT = `${EPOCH}
local prefix, channel = ARGV[1], ARGV[2]
local epoch = current_epoch(prefix, ARGV[3])
local head = tonumber(redis.call('HGET', prefix .. 'offsets', channel) or '0')
local result = {epoch, head}
local limit = tonumber(ARGV[6])
if limit < 1 or head == 0 then return result end
local entries = redis.call('XREVRANGE', prefix .. 's:' .. epoch .. ':' .. channel, '+', '-', 'COUNT', limit)
local now, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
for i = #entries, 1, -1 do
  local fields = entries[i][2]
  if now - tonumber(fields[4]) <= ttl then
    result[#result + 1] = fields[6]
    result[#result + 1] = fields[4]
  end
end
return result
`;

/** Redis's own clock in ms, so hubs whose clocks disagree still agree on when an advertisement expires. */
const NOW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/**
 * ARGV: 1 the input-hubs key, 2 hub id, 3 TTL ms (0 withdraws the advertisement).
 * Drops expired advertisements, then (re)advertises the hub until now + TTL.
 */
export const ADVERTISE_SCRIPT = `${NOW}
local key, hub, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if ttl <= 0 then
  redis.call('ZREM', key, hub)
  return 0
end
redis.call('ZADD', key, now + ttl, hub)
if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
return 1
`;

/** ARGV: 1 the input-hubs key. Drops expired advertisements and returns the live hubs' ids. */
export const LIVE_HUBS_SCRIPT = `${NOW}
redis.call('ZREMRANGEBYSCORE', ARGV[1], '-inf', now)
return redis.call('ZRANGE', ARGV[1], 0, -1)
`;

/**
 * ARGV: 1 the claim key, 2 the value the caller's claim holds (\`pending:<inputId>\`),
 * 3 the new value ('' deletes the key), 4 its TTL ms.
 * Changes the claim only while the caller still holds it: a claim that expired and was
 * taken by another answer is left alone. Returns 1 when it changed it.
 */
export const SETTLE_CLAIM_SCRIPT = `
if redis.call('GET', ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '' then
  redis.call('DEL', ARGV[1])
else
  redis.call('SET', ARGV[1], ARGV[3], 'PX', ARGV[4])
end
return 1
`;
