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
 *   events                   the pub/sub channel every hub subscribes to (one subscription per hub):
 *                            one message per publish call (FEED_HEADER format, PUBLISH_BATCH_SCRIPT)
 *   input-hubs               sorted set: hubs that take agent inputs, scored by when their advertisement
 *                            expires (Redis time, ms); the key itself expires when no hub refreshes it
 *   input-claim:<agent>:<request>
 *                            `pending:<inputId>` while an answer is delivered (short TTL), then
 *                            `answered:<inputId>` (24 h): first answer wins across hubs
 *   inputs:<hubId>           the pub/sub channel of one hub's forwarded inputs and their replies
 */

/** Shared by the history scripts: the current epoch, created when missing (history lost or first start). */
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

/** Arguments of a publish-batch call before its publishes (see PUBLISH_BATCH_SCRIPT). */
export const BATCH_COMMON_ARGS = 12;
/** Arguments of each publish in a publish-batch call. */
export const BATCH_PUBLISH_ARGS = 7;
/** First line of a fan-out message on the `events` channel: its format's name and version. */
export const FEED_HEADER = 'falcon-events/2';

/**
 * The publishes of one tick, in one call, in order. Each publish runs in its
 * own `pcall`: one that fails (a key of the wrong type, say) is answered with
 * its error and the others go on. A publish takes its offset only once its
 * stream entry is written (the last write that can fail), so offsets stay
 * gap-free whatever fails; board or tail writes of a failed publish may stay,
 * as with any script error.
 *
 * Amortised per call: each board record is written with one HSET per publish
 * (fields, status, timestamps together), set members and key expiries once per
 * call; each stream is trimmed once per call (count and bytes exactly, its age
 * swept whenever the call's offsets cross a multiple of 32 — readers filter by
 * age in any case); and one PUBLISH carries all the call's events, grouped by
 * channel (format below).
 *
 * ARGV: 1 prefix, 2 now ms, 3 candidate epoch, 4 history size, 5 history ttl ms,
 * 6 tail max lines, 7 finished ttl ms, 8 max channels per epoch, 9 history max bytes per channel,
 * 10 tail max bytes, 11 tail max bytes per line (≥ 4), 12 number of publishes; then per publish
 * (BATCH_PUBLISH_ARGS): channel, event, data JSON, board patch JSON or '', tail text or '',
 * issue id whose stored projectId the publisher's authorization was decided on or '',
 * that stored projectId field as read ('' when absent).
 *
 * Returns two values per publish: {offset, epoch}; {-1, ''} when the guarded issue's
 * projectId changed since it was read (nothing written: the caller decides again); or
 * {-2, error message} when the publish failed.
 *
 * The fan-out message (one per call, on `<prefix>events`), lines separated by '\\n'
 * (frames are JSON and hold no raw newline):
 *   falcon-events/2
 *   <time ms>
 *   then per group of consecutive offsets of one channel and epoch:
 *   <channel> <epoch> <first offset> <count> <frame>… (each on its own line)
 */
export const PUBLISH_BATCH_SCRIPT = `${EPOCH}
local prefix, now, candidate = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local size, ttl, max_lines, finished_ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local max_channels, max_bytes, max_tail, max_line = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local count = tonumber(ARGV[12])
local offsets_key, bytes_key = prefix .. 'offsets', prefix .. 'stream-bytes'
local epoch = current_epoch(prefix, candidate)
local epoch_changes = 0
-- channel → latest offset taken in this call (this epoch), written to the offsets hash at the end;
-- new_channels: channels of this call not yet in the hash; tail_offsets: channel → offset, likewise
local latest, latest_order, new_channels, tail_offsets = {}, {}, 0, {}
-- issue key → {status, project, created} and agent key → status, as this call last read or wrote them
local issues, agents = {}, {}
-- stream key → {channel, length, bytes, first, last} for the streams this call appends to
local streams, stream_order = {}, {}
-- key → PEXPIRE ms, or 0 for PERSIST: the last publish's word wins, applied once at the end
local expiry, expiry_order = {}, {}
local added = {}
-- the fan-out message: groups of one channel and epoch
local groups, group_of = {}, {}

local function sadd(key, member)
  local id = key .. '\\n' .. member
  if added[id] then return end
  redis.call('SADD', key, member)
  added[id] = true
end

local function expire(key, ms)
  if expiry[key] == nil then expiry_order[#expiry_order + 1] = key end
  expiry[key] = ms
end

-- Count and bytes bounds exactly, oldest first; aged entries too when sweeping.
local function trim(stream, s)
  redis.call('PEXPIRE', stream, ttl)
  local length, bytes = s.length, s.bytes
  local sweep = math.floor(s.last / 32) > math.floor((s.first - 1) / 32)
  local start, cut = '-', nil
  -- Past the count bound only age (or bytes) can cut: the oldest entry decides first, so a sweep that
  -- cuts nothing reads one entry, not 32 (XRANGE hands Lua every entry's frame).
  local probe = 1
  while length > 0 do
    local want = length - size
    if want <= 0 then
      if bytes <= max_bytes and not sweep then break end
      want = bytes <= max_bytes and probe or 32
      probe = math.min(probe * 4, 32)
    end
    local entries = redis.call('XRANGE', stream, start, '+', 'COUNT', math.min(want, 1000))
    if #entries == 0 then break end
    local kept = false
    for _, entry in ipairs(entries) do
      if length <= size and bytes <= max_bytes and now - tonumber(entry[2][4]) <= ttl then
        kept = true
        break
      end
      cut = entry[2][2]
      bytes = bytes - #entry[2][6]
      length = length - 1
    end
    if kept then break end
    start = '(' .. cut .. '-1'
  end
  -- Entry ids are '<offset>-1': every id below '<cut>-2' is at or before the cut.
  if cut then redis.call('XTRIM', stream, 'MINID', cut .. '-2') end
  redis.call('HSET', bytes_key, s.channel, bytes)
end

local function finish_streams()
  for _, stream in ipairs(stream_order) do
    local ok, err = pcall(trim, stream, streams[stream])
    if not ok then redis.log(redis.LOG_WARNING, 'falcon: trimming ' .. stream .. ' failed: ' .. tostring(type(err) == 'table' and err.err or err)) end
  end
  streams, stream_order = {}, {}
end

local function new_epoch()
  -- Too many channels in one epoch: start a new one rather than grow without bound.
  finish_streams()
  -- The candidate may already be the epoch (this call created it): each change takes its own name.
  epoch_changes = epoch_changes + 1
  epoch = candidate .. '.' .. epoch_changes
  redis.call('SET', prefix .. 'epoch', epoch)
  redis.call('DEL', offsets_key, prefix .. 'tail-offsets', bytes_key, prefix .. 'tail-bytes')
  latest, latest_order, new_channels, tail_offsets = {}, {}, 0, {}
end

local function write_offsets()
  if #latest_order == 0 then return end
  local fields = {}
  for _, channel in ipairs(latest_order) do
    fields[#fields + 1] = channel
    fields[#fields + 1] = latest[channel]
  end
  redis.call('HSET', offsets_key, unpack(fields))
  local tails = {}
  for channel, offset in pairs(tail_offsets) do
    tails[#tails + 1] = channel
    tails[#tails + 1] = offset
  end
  if #tails > 0 then redis.call('HSET', prefix .. 'tail-offsets', unpack(tails)) end
end

-- The issue's status, project and whether it was created, read once per call.
local function issue_state(key)
  local state = issues[key]
  if not state then
    local stored = redis.call('HMGET', key, 'status', 'projectId', 'createdAt')
    state = { status = stored[1], project = stored[2], created = stored[3] ~= false }
    issues[key] = state
  end
  return state
end

local function hset(key, fields)
  redis.call('HSET', key, unpack(fields))
end

local function apply_patch(patch_json)
  local patch = cjson.decode(patch_json)
  if patch.agent and patch.agent.projectOfIssue then
    local project = issue_state(prefix .. 'issue:' .. patch.agent.projectOfIssue).project
    patch.agent.set.projectId = project or 'null'
  end
  if patch.issue and patch.issue.onlyIfExists and redis.call('EXISTS', prefix .. 'issue:' .. patch.issue.id) == 0 then
    patch.issue = nil
  end
  if patch.issue then
    local key = prefix .. 'issue:' .. patch.issue.id
    local stored = issue_state(key)
    local fields = {}
    for field, value in pairs(patch.issue.set) do
      fields[#fields + 1] = field
      fields[#fields + 1] = value
    end
    if not stored.created then
      fields[#fields + 1] = 'createdAt'
      fields[#fields + 1] = now
    end
    local status = stored.status
    if patch.issue.status and patch.issue.status ~= status then
      status = patch.issue.status
      fields[#fields + 1] = 'status'
      fields[#fields + 1] = status
      fields[#fields + 1] = 'statusSince'
      fields[#fields + 1] = now
    end
    fields[#fields + 1] = 'updatedAt'
    fields[#fields + 1] = now
    hset(key, fields)
    local project = patch.issue.set.projectId or stored.project
    issues[key] = { status = status, project = project, created = true }
    if project and project ~= 'null' then
      local id = cjson.decode(project)
      sadd(prefix .. 'project-issues:' .. id, patch.issue.id)
      sadd(prefix .. 'projects', id)
    end
    -- Finished work expires; anything else stays.
    expire(key, status == '"done"' and finished_ttl or 0)
  end
  if patch.agent then
    local key = prefix .. 'agent:' .. patch.agent.id
    local fields = {}
    for field, value in pairs(patch.agent.set) do
      fields[#fields + 1] = field
      fields[#fields + 1] = value
    end
    -- As the reducer: time in status starts when the status changes (or the agent appears).
    local status = agents[key]
    if status == nil then status = redis.call('HGET', key, 'status') end
    if status ~= patch.agent.status then
      fields[#fields + 1] = 'status'
      fields[#fields + 1] = patch.agent.status
      fields[#fields + 1] = 'statusSince'
      fields[#fields + 1] = now
    end
    fields[#fields + 1] = 'lastActivityAt'
    fields[#fields + 1] = now
    hset(key, fields)
    agents[key] = patch.agent.status
    if #patch.agent.del > 0 then redis.call('HDEL', key, unpack(patch.agent.del)) end
    sadd(prefix .. 'agents', patch.agent.id)
    expire(key, finished_ttl)
  end
end

local function append_tail(channel, text)
  local key = prefix .. 'tail:' .. channel
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
  local pieces = {}
  while from <= #text do
    local cut = piece_end(from, max_line)
    pieces[#pieces + 1] = string.sub(text, from, cut)
    kept = kept + cut - from + 1
    from = cut + 1
    if #pieces == 1000 then
      redis.call('RPUSH', key, unpack(pieces))
      pieces = {}
    end
  end
  if #pieces > 0 then redis.call('RPUSH', key, unpack(pieces)) end
  local lines = redis.call('LLEN', key)
  while lines > max_lines or (kept > max_tail and lines > 1) do
    kept = kept - #redis.call('LPOP', key)
    lines = lines - 1
  end
  redis.call('HSET', tail_bytes_key, channel, kept)
  expire(key, finished_ttl)
  local agent = string.match(channel, '^agent:(.+)$')
  if agent then
    local akey = prefix .. 'agent:' .. agent
    if agents[akey] == nil and redis.call('EXISTS', akey) == 0 then
      redis.call('HSET', akey, 'status', '"working"', 'statusSince', now, 'lastActivityAt', now)
      agents[akey] = '"working"'
    else
      redis.call('HSET', akey, 'lastActivityAt', now)
    end
    sadd(prefix .. 'agents', agent)
    expire(akey, finished_ttl)
  end
end

local function publish_one(base)
  local channel, event, data = ARGV[base + 1], ARGV[base + 2], ARGV[base + 3]
  local patch, tail, guarded = ARGV[base + 4], ARGV[base + 5], ARGV[base + 6]
  if guarded ~= '' then
    local key = prefix .. 'issue:' .. guarded
    local stored = issues[key] and issues[key].project
    if stored == nil then stored = redis.call('HGET', key, 'projectId') end
    if (stored or '') ~= ARGV[base + 7] then return -1, '' end
  end
  local previous = latest[channel]
  if previous == nil then
    previous = redis.call('HGET', offsets_key, channel)
    if previous then
      previous = tonumber(previous)
    else
      if redis.call('HLEN', offsets_key) + new_channels >= max_channels then new_epoch() end
      previous = 0
    end
  end
  local fresh = latest[channel] == nil and previous == 0
  local offset = previous + 1
  if patch ~= '' then apply_patch(patch) end
  local project_channel = string.match(channel, '^project:(.+)$')
  if project_channel then sadd(prefix .. 'projects', project_channel) end
  if tail ~= '' then append_tail(channel, tail) end

  local frame = '{"type":"event","channel":' .. cjson.encode(channel) .. ',"event":' .. cjson.encode(event) ..
    ',"data":' .. data .. ',"offset":' .. offset .. ',"epoch":' .. cjson.encode(epoch) .. '}'
  -- Streams are per epoch: offsets restart with a new epoch, stream ids must not.
  local stream = prefix .. 's:' .. epoch .. ':' .. channel
  local s = streams[stream]
  if not s then
    -- An expired stream took its frames along: its byte count starts again.
    local length = redis.call('XLEN', stream)
    local bytes = length > 0 and tonumber(redis.call('HGET', bytes_key, channel) or '0') or 0
    s = { channel = channel, length = length, bytes = bytes, first = offset, last = offset - 1 }
    streams[stream] = s
    stream_order[#stream_order + 1] = stream
  end
  redis.call('XADD', stream, offset .. '-1', 'o', offset, 't', now, 'f', frame)
  -- Written: the offset is taken.
  s.length = s.length + 1
  s.bytes = s.bytes + #frame
  s.last = offset
  if latest[channel] == nil then
    latest_order[#latest_order + 1] = channel
    if fresh then new_channels = new_channels + 1 end
  end
  latest[channel] = offset
  if tail ~= '' then tail_offsets[channel] = offset end

  local id = channel .. '\\n' .. epoch
  local group = group_of[id]
  if not group or group.next ~= offset then
    group = { channel = channel, epoch = epoch, first = offset, next = offset, frames = {} }
    group_of[id] = group
    groups[#groups + 1] = group
  end
  group.frames[#group.frames + 1] = frame
  group.next = offset + 1
  return offset, epoch
end

local result = {}
for i = 1, count do
  local ok, offset, value = pcall(publish_one, ${BATCH_COMMON_ARGS} + (i - 1) * ${BATCH_PUBLISH_ARGS})
  if ok then
    result[#result + 1] = offset
    result[#result + 1] = value
  else
    result[#result + 1] = -2
    result[#result + 1] = tostring(type(offset) == 'table' and offset.err or offset)
  end
end

-- Nothing below can fail on a key a publish above could write: the offsets taken are stored.
write_offsets()
finish_streams()
for _, key in ipairs(expiry_order) do
  if expiry[key] == 0 then redis.call('PERSIST', key) else redis.call('PEXPIRE', key, expiry[key]) end
end
if #groups > 0 then
  local lines = { '${FEED_HEADER}', now }
  for _, group in ipairs(groups) do
    lines[#lines + 1] = group.channel
    lines[#lines + 1] = group.epoch
    lines[#lines + 1] = group.first
    lines[#lines + 1] = #group.frames
    for _, frame in ipairs(group.frames) do lines[#lines + 1] = frame end
  end
  redis.call('PUBLISH', prefix .. 'events', table.concat(lines, '\\n'))
end
return result
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
