/**
 * The one write path, as a Lua script so it is atomic inside Redis: compare-and-set of every key it writes (the
 * SHA-1 of the value the writer read, `""` for "was missing"), the version bump, the audit entry (XADD) and the
 * change announcement (PUBLISH). Either all of it happens or none: a concurrent writer (or a `SET` from a
 * terminal) between the read and the script makes it return `false`, and the writer reads again and retries — so
 * no update is ever lost, and the connection can be shared (no WATCH state on it).
 *
 * KEYS: [audit stream, ...data keys, counter?]
 * ARGV: [channel, audit MAXLEN, "1" when the last KEY is a version counter (else ARGV[4] is the version),
 *        version, number of audit fields n, field1, value1, …fieldn, valuen, then per data key: sha1, op, value]
 * op is "set" or "del". Returns the new version (a string) or false.
 */
export const COMMIT_SCRIPT = `
local counted = ARGV[3] == '1'
local last = #KEYS
if counted then last = last - 1 end
local nfields = tonumber(ARGV[5])
local base = 6 + nfields * 2
for i = 2, last do
  local at = base + (i - 2) * 3
  local current = redis.call('GET', KEYS[i])
  local sha = ''
  if current then sha = redis.sha1hex(current) end
  if sha ~= ARGV[at] then return false end
end
local version = ARGV[4]
if counted then version = tostring(redis.call('INCR', KEYS[#KEYS])) end
for i = 2, last do
  local at = base + (i - 2) * 3
  if ARGV[at + 1] == 'del' then redis.call('DEL', KEYS[i]) else redis.call('SET', KEYS[i], ARGV[at + 2]) end
end
local entry = {}
for i = 6, base - 1 do entry[#entry + 1] = ARGV[i] end
entry[#entry + 1] = 'version'
entry[#entry + 1] = version
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(entry))
redis.call('PUBLISH', ARGV[1], version)
return version
`;
