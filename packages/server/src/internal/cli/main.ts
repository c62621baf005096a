import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { audit, keysCreate, keysList, keysRevoke, login, logout, whoami } from './commands/admin';
import { exportCommand, importCommand, validate } from './commands/documents';
import {
  flagsArchive,
  flagsCreate,
  flagsDelete,
  flagsGet,
  flagsList,
  flagsRestore,
  flagsRollout,
  flagsToggle,
  flagsUpdate,
  segmentsCreate,
  segmentsDelete,
  segmentsGet,
  segmentsList,
  segmentsUpdate,
} from './commands/resources';
import { adminRecover } from './commands/recover';
import { REDIS_HELP, REDIS_OPTIONS } from './commands/redis';
import { serve } from './commands/serve';
import { experimentsResults, experimentsSize } from './commands/experiments';
import { rolloutsAbort, rolloutsPause, rolloutsResume, rolloutsStart, rolloutsStatus } from './commands/rollouts';
import { scheduleAdd, scheduleCancel, scheduleList } from './commands/schedule';
import { cleanup, codeRefs, codegen, lint } from './commands/lifecycle';
import { Context, type Values } from './context';
import { CliError, EXIT_USAGE, usageError } from './errors';
import { colorEnabled, palette, type Stream } from './output';

interface Command {
  path: string[];
  /** Arguments after the command words, e.g. "<key> <percent>". */
  args: string;
  /** How many positional arguments (min, max). */
  arity: [number, number];
  summary: string;
  /** Extra help: options and examples. */
  help: string;
  /** Options beyond the global ones. */
  options: string[];
  /** Needs the service (so --url/--token/--env apply). */
  remote: boolean;
  run: (ctx: Context) => Promise<number | void>;
}

const OPTIONS = {
  // global
  url: { type: 'string' },
  token: { type: 'string' },
  env: { type: 'string', short: 'e' },
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  // commands
  file: { type: 'string', short: 'f' },
  boolean: { type: 'boolean' },
  description: { type: 'string' },
  owner: { type: 'string' },
  on: { type: 'boolean' },
  off: { type: 'boolean' },
  variant: { type: 'string' },
  rest: { type: 'string' },
  archived: { type: 'boolean' },
  type: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  flag: { type: 'string' },
  segment: { type: 'string' },
  actor: { type: 'string' },
  action: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  from: { type: 'string' },
  replace: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  // --redis: a flags document in Redis instead of the service (toggle, rollout, import, export)
  redis: { type: 'string' },
  'redis-key': { type: 'string' },
  'redis-prefix': { type: 'string' },
  // lifecycle (lint, code-refs, codegen, cleanup)
  lifetime: { type: 'string' },
  'stale-days': { type: 'string' },
  'unused-days': { type: 'string' },
  annotations: { type: 'boolean' },
  document: { type: 'string' },
  pattern: { type: 'string' },
  upload: { type: 'boolean' },
  repo: { type: 'string' },
  branch: { type: 'string' },
  commit: { type: 'string' },
  out: { type: 'string' },
  check: { type: 'boolean' },
  keep: { type: 'string' },
  write: { type: 'boolean' },
  // serve
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  'redis-url': { type: 'string' },
  'redis-mirror': { type: 'string' },
  'redis-mirror-env': { type: 'string' },
  'redis-seed': { type: 'boolean' },
  'no-dashboard': { type: 'boolean' },
  'cors-origins': { type: 'string' },
  'log-level': { type: 'string' },
  'connect-timeout-ms': { type: 'string' },
  'statement-timeout-ms': { type: 'string' },
  'query-timeout-ms': { type: 'string' },
  // rollouts start
  steps: { type: 'string' },
  hold: { type: 'string' },
  'max-error-rate': { type: 'string' },
  'min-sample': { type: 'string' },
  'on-breach': { type: 'string' },
  // experiments size
  baseline: { type: 'string' },
  mde: { type: 'string' },
  alpha: { type: 'string' },
  power: { type: 'string' },
  daily: { type: 'string' },
  variants: { type: 'string' },
} as const;

const GLOBAL = new Set(['url', 'token', 'env', 'json', 'no-color', 'help', 'version']);
const LOCAL_ONLY = new Set(['json', 'no-color', 'help', 'version']);

const FILE_HELP = '  -f, --file <path>     JSON definition ("-" reads stdin); the output of `get --json` works too, and then its version guards the update';

const COMMANDS: Command[] = [
  {
    path: ['flags', 'list'],
    args: '',
    arity: [0, 0],
    summary: 'list the flags of an environment',
    help: '  --archived            include archived flags',
    options: ['archived'],
    remote: true,
    run: flagsList,
  },
  { path: ['flags', 'get'], args: '<key>', arity: [1, 1], summary: 'show one flag', help: '', options: [], remote: true, run: flagsGet },
  {
    path: ['flags', 'create'],
    args: '<key>',
    arity: [1, 1],
    summary: 'create a flag',
    help: [
      FILE_HELP.replace(/; the output.*/, ''),
      '  --boolean             a boolean flag (variants on/off), switched on and serving "off" to everyone',
      '                        until you roll it out: halyard flags rollout <key> 10',
      '  --description <text>  --owner <team>   set these fields',
      '',
      'Examples:',
      '  halyard flags create new-checkout --boolean --description "New checkout flow"',
      '  halyard flags create pricing-page --file pricing-page.json --env staging',
    ].join('\n'),
    options: ['file', 'boolean', 'description', 'owner'],
    remote: true,
    run: flagsCreate,
  },
  {
    path: ['flags', 'update'],
    args: '<key>',
    arity: [1, 1],
    summary: 'replace a flag definition from a file',
    help: [FILE_HELP, '', 'Example:', '  halyard flags get new-checkout --json > f.json && $EDITOR f.json && halyard flags update new-checkout -f f.json'].join('\n'),
    options: ['file'],
    remote: true,
    run: flagsUpdate,
  },
  {
    path: ['flags', 'toggle'],
    args: '<key>',
    arity: [1, 1],
    summary: 'the kill switch: --on, --off, or flip',
    help: ['  --on | --off          set the switch; without either, flip it', REDIS_HELP, '', 'Example: halyard flags toggle new-checkout --off --redis redis://127.0.0.1:6379'].join('\n'),
    options: ['on', 'off', ...REDIS_OPTIONS],
    remote: true,
    run: flagsToggle,
  },
  {
    path: ['flags', 'rollout'],
    args: '<key> <percent>',
    arity: [2, 2],
    summary: 'serve a variant to a percentage of users (sticky buckets)',
    help: [
      '  --variant <name>      the variant to roll out (default: the one whose value is true, or "on")',
      '  --rest <name>         what everyone else gets (default: the off variant)',
      '',
      'Raising the percentage only adds users: the split keeps its salt, so nobody flips back.',
      'Example: halyard flags rollout new-checkout 25 --env production',
      REDIS_HELP,
    ].join('\n'),
    options: ['variant', 'rest', ...REDIS_OPTIONS],
    remote: true,
    run: flagsRollout,
  },
  {
    path: ['flags', 'archive'],
    args: '<key>',
    arity: [1, 1],
    summary: 'retire a flag: SDKs stop seeing it, its history stays (undo: restore)',
    help: '',
    options: [],
    remote: true,
    run: flagsArchive,
  },
  { path: ['flags', 'restore'], args: '<key>', arity: [1, 1], summary: 'bring an archived flag back', help: '', options: [], remote: true, run: flagsRestore },
  { path: ['flags', 'delete'], args: '<key>', arity: [1, 1], summary: 'delete a flag for good (the audit log keeps its history)', help: '', options: [], remote: true, run: flagsDelete },
  {
    path: ['rollouts', 'start'],
    args: '<flag>',
    arity: [1, 1],
    summary: 'start a release plan: stepped rollout guarded by error rate, latency, metrics',
    help: [
      '  --steps <list>        percentages, e.g. 1,5,10,25,50,100',
      '  --hold <duration>     how long each step holds at least (30s, 15m, 2h, 1d; default 1h)',
      '  --max-error-rate <p>  guardrail: the new variant errors at most this share (e.g. 2%)',
      '  --min-sample <n>      outcomes per step before the guardrail decides (default 100)',
      '  --on-breach <what>    rollback (to 0%, default) or pause',
      '  --variant / --rest    the variant rolled out, and what everyone else gets',
      '  -f, --file <path>     the whole plan as JSON (linear and s-curve schedules, more guardrails; docs/release-safety.md)',
      '',
      'Example: halyard rollouts start new-checkout --steps 1,5,25,50,100 --hold 2h --max-error-rate 2% --env production',
    ].join('\n'),
    options: ['steps', 'hold', 'max-error-rate', 'min-sample', 'on-breach', 'variant', 'rest', 'file'],
    remote: true,
    run: rolloutsStart,
  },
  { path: ['rollouts', 'status'], args: '<flag>', arity: [1, 1], summary: 'the plan: timeline, current step, each guardrail against its threshold', help: '', options: [], remote: true, run: rolloutsStatus },
  { path: ['rollouts', 'pause'], args: '<flag>', arity: [1, 1], summary: 'pause the plan at its current percentage', help: '', options: [], remote: true, run: rolloutsPause },
  { path: ['rollouts', 'resume'], args: '<flag>', arity: [1, 1], summary: 'resume a paused plan (the current step starts over)', help: '', options: [], remote: true, run: rolloutsResume },
  { path: ['rollouts', 'abort'], args: '<flag>', arity: [1, 1], summary: 'abort the plan and roll back to 0%', help: '', options: [], remote: true, run: rolloutsAbort },
  {
    path: ['experiments', 'results'],
    args: '<flag>',
    arity: [1, 1],
    summary: "an experiment's results: per metric and variant, lift with CI, p-value or chance to win, SRM",
    help: 'Example: halyard experiments results new-checkout --env production [--json]',
    options: [],
    remote: true,
    run: experimentsResults,
  },
  {
    path: ['experiments', 'size'],
    args: '',
    arity: [0, 0],
    summary: 'units per variant (and days) to detect a lift in a conversion rate',
    help: [
      '  --baseline <rate>     the control conversion rate, e.g. 0.05 or 5%',
      '  --mde <effect>        minimum detectable effect: relative (10% or 0.1) or absolute percentage points (0.5pp)',
      '  --alpha <a>           significance level, two-sided (default 0.05)',
      '  --power <p>           chance to detect the effect when it is there (default 0.8)',
      '  --daily <n>           units entering the experiment per day: prints the duration',
      '  --variants <n>        variants including control (default 2)',
      '',
      'Example: halyard experiments size --baseline 0.05 --mde 10% --daily 20000',
    ].join('\n'),
    options: ['baseline', 'mde', 'alpha', 'power', 'daily', 'variants'],
    remote: false,
    run: experimentsSize,
  },
  {
    path: ['schedule', 'add'],
    args: '<flag> <time> <change> [percent]',
    arity: [3, 4],
    summary: 'schedule a change: enable, disable, archive, rollout <percent>, apply --file',
    help: ['  <time>                ISO-8601 (2026-12-24T08:00:00Z) or relative (+2h, +7d)', '', 'Examples: halyard schedule add new-checkout +1d rollout 50   halyard schedule add promo 2026-12-27T00:00:00Z disable'].join('\n'),
    options: ['file'],
    remote: true,
    run: scheduleAdd,
  },
  { path: ['schedule', 'list'], args: '[flag]', arity: [0, 1], summary: 'scheduled changes of an environment (pending, applied, failed, cancelled)', help: '', options: [], remote: true, run: scheduleList },
  { path: ['schedule', 'cancel'], args: '<id>', arity: [1, 1], summary: 'cancel a pending scheduled change', help: '', options: [], remote: true, run: scheduleCancel },
  { path: ['segments', 'list'], args: '', arity: [0, 0], summary: 'list the segments of an environment', help: '', options: [], remote: true, run: segmentsList },
  { path: ['segments', 'get'], args: '<key>', arity: [1, 1], summary: 'show one segment', help: '', options: [], remote: true, run: segmentsGet },
  {
    path: ['segments', 'create'],
    args: '<key>',
    arity: [1, 1],
    summary: 'create a segment from a file',
    help: [FILE_HELP.replace(/; the output.*/, ''), '', 'Example segment.json: { "conditions": [{ "attribute": "email", "operator": "endsWith", "values": ["@acme.com"] }] }'].join('\n'),
    options: ['file'],
    remote: true,
    run: segmentsCreate,
  },
  { path: ['segments', 'update'], args: '<key>', arity: [1, 1], summary: 'replace a segment from a file', help: FILE_HELP, options: ['file'], remote: true, run: segmentsUpdate },
  {
    path: ['segments', 'delete'],
    args: '<key>',
    arity: [1, 1],
    summary: 'delete a segment (refused while flags use it)',
    help: '',
    options: [],
    remote: true,
    run: segmentsDelete,
  },
  {
    path: ['keys', 'list'],
    args: '',
    arity: [0, 0],
    summary: 'list active API keys (no secrets)',
    help: '  -e, --env <env>       only the SDK and client keys of this environment',
    options: [],
    remote: true,
    run: keysList,
  },
  {
    path: ['keys', 'create'],
    args: '',
    arity: [0, 0],
    summary: 'create an API key; prints the token once',
    help: [
      '  --name <text>         what uses the key (required)',
      '  --type <type>         sdk (server SDKs: full rules of one environment; default), client (browsers:',
      '                        evaluation only) or admin (this CLI and the admin API)',
      '  -e, --env <env>       environment of an sdk or client key (default development)',
      '  --role <role>         role of an admin token: viewer, editor or admin',
      '',
      'The token alone goes to stdout: TOKEN=$(halyard keys create --name web --type client --env production)',
    ].join('\n'),
    options: ['name', 'type', 'role'],
    remote: true,
    run: keysCreate,
  },
  {
    path: ['keys', 'revoke'],
    args: '<id|prefix|name>',
    arity: [1, 1],
    summary: 'revoke an API key at once',
    help: '',
    options: [],
    remote: true,
    run: keysRevoke,
  },
  {
    path: ['audit'],
    args: '',
    arity: [0, 0],
    summary: 'who changed what, newest first',
    help: [
      '  --flag <key>  --segment <key>  --actor <name or key id>  --action <flag.toggle | flag.*>',
      '  --since <when>  --until <when>   ISO date or a duration back from now: 30m, 12h, 7d, 2w',
      '  --limit <n>           entries to show (default 20)',
      '  -e, --env <env>       only this environment (default: all)',
      '',
      'Example: halyard audit --flag new-checkout --since 7d',
    ].join('\n'),
    options: ['flag', 'segment', 'actor', 'action', 'since', 'until', 'limit'],
    remote: true,
    run: audit,
  },
  {
    path: ['import'],
    args: '<file>',
    arity: [1, 1],
    summary: 'write many flags and segments at once (validated, one transaction)',
    help: [
      '  --from <format>       file (a Halyard flags document; default), unleash (the JSON of Unleash\'s',
      '                        /api/client/features), growthbook (GrowthBook\'s /api/features/<client key>',
      '                        payload) or launchdarkly (the flags and segments JSON LaunchDarkly serves to',
      '                        server SDKs, /sdk/latest-all): users keep their rollout buckets and variants',
      '  --replace             make the environment exactly the file: flags and segments not in it are',
      '                        deleted (default: merge, keep them)',
      '  --dry-run             show what would change; write nothing',
      REDIS_HELP,
      '',
      'Examples:',
      '  halyard import flags.json --env staging --dry-run',
      '  curl -H "Authorization: $UNLEASH_TOKEN" $UNLEASH_URL/api/client/features > unleash.json',
      '  halyard import --from unleash unleash.json',
      '  halyard import --from growthbook growthbook.json',
      '  halyard import --from launchdarkly launchdarkly.json --env production',
      '  halyard import flags.json --redis redis://127.0.0.1:6379 --replace',
    ].join('\n'),
    options: ['from', 'replace', 'dry-run', ...REDIS_OPTIONS],
    remote: true,
    run: importCommand,
  },
  {
    path: ['export'],
    args: '',
    arity: [0, 0],
    summary: 'write an environment as a flags document (fileSource loads it; import reads it)',
    help: [
      '  -o, --output <file>   write to a file (default: stdout)',
      REDIS_HELP,
      '',
      'GitOps round trip: halyard export -o flags.json; edit; halyard validate flags.json; halyard import flags.json --replace',
    ].join('\n'),
    options: ['output', ...REDIS_OPTIONS],
    remote: true,
    run: exportCommand,
  },
  {
    path: ['validate'],
    args: '<file>',
    arity: [1, 1],
    summary: 'check a flags document offline; lists every problem with its path (exit 1)',
    help: '',
    options: [],
    remote: false,
    run: validate,
  },
  {
    path: ['lint'],
    args: '[file]',
    arity: [0, 1],
    summary: 'flag debt: fails on expired flags, warns on potentially stale ones (a document, or --env)',
    help: [
      '  [file]                a flags document; without it, the flags of --env on the service (which also',
      '                        knows when each flag was created and last changed)',
      '  --lifetime <list>     days a flag of a kind may live, e.g. release=30,experiment=60,operational=never',
      '                        (default release=40, experiment=40, operational and permission never)',
      '  --stale-days <n>      days serving one variant to everyone, unchanged, before a warning (default 30)',
      '  --unused-days <n>     with --env on a service that runs events: days no SDK evaluated a flag before a',
      '                        warning (default 30; flags younger than that are not reported)',
      '  --annotations         GitHub Actions annotations too (on by default when GITHUB_ACTIONS=true)',
      '',
      'Exit 1 on an expired flag (expiresAt passed); warnings alone exit 0.',
      'Examples: halyard lint flags.json   halyard lint --env production --json',
    ].join('\n'),
    options: ['lifetime', 'stale-days', 'unused-days', 'annotations'],
    remote: true,
    run: lint,
  },
  {
    path: ['code-refs'],
    args: '<dir…>',
    arity: [1, Infinity],
    summary: 'find the flags code reads; fails on unknown keys and on expired flags still read',
    help: [
      '  --document <file>     the flags document to check against (or --env <env>: the service\'s flags)',
      '  --pattern <regex>     also search non-TS/JS files; the key is the first group or (?<key>…),',
      '                        e.g. --pattern \'is_enabled\\("([a-z0-9_-]+)"\'',
      '  --annotations         GitHub Actions annotations too (on by default when GITHUB_ACTIONS=true)',
      '  --upload              with --env: replace this repository\'s references on the service (the dashboard',
      '                        shows where a flag is read); --repo <name> (default: the git top-level\'s name),',
      '                        --branch <name>, --commit <sha> (default: from git when available)',
      '',
      'TS/JS/TSX are read through the TypeScript AST: useFlag, useFlagValue, useVariant, useFlagDetails,',
      '<Flag name>, .isEnabled/.getValue/.getDetails/.variant/.flag (client, req.flags, getFlags()) and',
      'OpenFeature getters. Flags no code reads are listed as removal candidates.',
      'Example: halyard code-refs src --document flags.json',
    ].join('\n'),
    options: ['document', 'pattern', 'annotations', 'upload', 'repo', 'branch', 'commit'],
    remote: true,
    run: codeRefs,
  },
  {
    path: ['codegen'],
    args: '[file]',
    arity: [0, 1],
    summary: 'write the Register declaration that types flag keys and values in every package',
    help: [
      '  [file]                a flags document; without it, the flags of --env on the service',
      '  --out <path>          the declaration to write, e.g. src/flags.d.ts (required)',
      '  --check               write nothing; exit 1 when the file is missing or stale (for CI)',
      '',
      'Example: halyard codegen flags.json --out src/flags.d.ts && halyard codegen flags.json --out src/flags.d.ts --check',
    ].join('\n'),
    options: ['out', 'check', 'annotations'],
    remote: true,
    run: codegen,
  },
  {
    path: ['cleanup'],
    args: '<flag> <path…>',
    arity: [2, Infinity],
    summary: 'remove a flag from TS/TSX code, keeping one variant (prints a diff; --write applies it)',
    help: [
      '  --keep <variant>      the variant every read now gets (required); on/off need no document',
      '  --document <file>     where other variants\' values come from (or --env <env>)',
      '  --write               write the files (default: print the diff only)',
      '',
      'Reads become the kept value and what they fed is simplified (cond ? a : b, if/else, &&, early returns,',
      '<Flag on off>); imports, constants and local functions left unused go. A file that reads the flag',
      'through a key built at run time, or through getDetails/flag handles, is refused, and then nothing is',
      'written. Example: halyard cleanup old-banner --keep on src --write',
    ].join('\n'),
    options: ['keep', 'document', 'write'],
    remote: true,
    run: cleanup,
  },
  {
    path: ['login'],
    args: '',
    arity: [0, 0],
    summary: 'save the service URL and an admin token for the other commands',
    help: [
      '  --url <url>           the service (default http://127.0.0.1:4242)',
      '  --token <token>       the admin token; otherwise HALYARD_TOKEN, stdin, or a hidden prompt',
      '',
      'Saved to $HALYARD_CONFIG, else $XDG_CONFIG_HOME/halyard/config.json, else ~/.config/halyard/config.json (mode 0600).',
    ].join('\n'),
    options: [],
    remote: true,
    run: login,
  },
  { path: ['logout'], args: '', arity: [0, 0], summary: 'forget the saved token', help: '', options: [], remote: false, run: logout },
  { path: ['whoami'], args: '', arity: [0, 0], summary: 'show which token and service the CLI uses', help: '', options: [], remote: true, run: whoami },
  {
    path: ['admin', 'recover'],
    args: '',
    arity: [0, 0],
    summary: 'locked out? mint an admin token directly in the database (no service or token needed)',
    help: [
      '  --database-url <url>  the PostgreSQL of the service [DATABASE_URL]',
      '  --schema <name>       its schema, default public [HALYARD_DB_SCHEMA]',
      '  --data-dir <dir>      or its PGlite data (stop the service first: one process at a time) [HALYARD_DATA_DIR]',
      '  --name <text>         the new token\'s name, default "recovered admin"',
      '',
      'Database access is the credential. The token (role admin) is printed once on stdout and audited',
      'with actor "recovery"; running instances accept it at once (PostgreSQL notification) or within 30 s.',
      'Example: TOKEN=$(halyard admin recover --database-url "$DATABASE_URL")',
    ].join('\n'),
    options: ['database-url', 'schema', 'data-dir', 'name'],
    remote: false,
    run: adminRecover,
  },
  {
    path: ['serve'],
    args: '',
    arity: [0, 0],
    summary: 'run the flag service',
    help: [
      'Options (environment variable in brackets):',
      '  --port <n>            port to listen on, default 4242 [PORT]',
      '  --host <addr>         interface, default 127.0.0.1; 0.0.0.0 in containers [HOST]',
      '  --data-dir <dir>      embedded Postgres (PGlite) data, default ./.halyard [HALYARD_DATA_DIR]',
      '  --database-url <url>  use this PostgreSQL instead of PGlite [DATABASE_URL]',
      "  --schema <name>       Postgres schema for Halyard's tables, default public [HALYARD_DB_SCHEMA]",
      '  --redis-url <url>     also propagate changes over Redis pub/sub [REDIS_URL]',
      '  --redis-mirror <url>  keep a Redis key (what @halyard/redis reads) in step with one environment',
      '                        [HALYARD_REDIS_MIRROR_URL]',
      '  --redis-key <key>     the mirrored key, default halyard:flags [HALYARD_REDIS_MIRROR_KEY]',
      '  --redis-mirror-env <env> the environment mirrored, default development [HALYARD_REDIS_MIRROR_ENV]',
      '  --redis-seed          on start, fill an EMPTY environment from that key (moving off Redis-only',
      '                        flags without downtime; see docs/sources.md) [HALYARD_REDIS_SEED=1]',
      '  --cors-origins <list> comma-separated origins allowed to call /sdk/v1/evaluate, default * [HALYARD_CORS_ORIGINS]',
      '  --log-level <level>   silent, error, warn, info, debug; default info [HALYARD_LOG_LEVEL]',
      '  --no-dashboard        serve no admin dashboard at / (the API is unchanged) [HALYARD_DASHBOARD=0]',
      '  --connect-timeout-ms <n>   opening a PostgreSQL/Redis connection, default 5000 [HALYARD_CONNECT_TIMEOUT_MS]',
      '  --statement-timeout-ms <n> PostgreSQL statement_timeout, default 10000 [HALYARD_STATEMENT_TIMEOUT_MS]',
      '  --query-timeout-ms <n>     longest wait for a PostgreSQL answer, default statement + 2000 [HALYARD_QUERY_TIMEOUT_MS]',
    ].join('\n'),
    options: ['port', 'host', 'data-dir', 'database-url', 'schema', 'redis-url', 'redis-mirror', 'redis-key', 'redis-mirror-env', 'redis-seed', 'no-dashboard', 'cors-origins', 'log-level', 'connect-timeout-ms', 'statement-timeout-ms', 'query-timeout-ms'],
    remote: false,
    run: serve,
  },
];

const GLOBAL_HELP = `Global options:
  --url <url>           the service [HALYARD_URL; default: saved by login, else http://127.0.0.1:4242]
  --token <token>       admin token [HALYARD_TOKEN; default: saved by login]
  -e, --env <env>       environment [HALYARD_ENV; default development]
  --json                machine-readable output on stdout (errors as JSON on stderr)
  --no-color            no colours (also NO_COLOR=1; colours only on a terminal anyway)
  -h, --help            help for any command
`;

const name = (command: Command) => `halyard ${command.path.join(' ')}`;

function commandHelp(command: Command): string {
  const usage = `Usage: ${name(command)}${command.args ? ` ${command.args}` : ''} [options]`;
  const body = command.help ? `\n${command.help}\n` : '';
  return `${name(command)}: ${command.summary}\n\n${usage}\n${body}\n${command.remote ? GLOBAL_HELP : '  --json  -h, --help\n'}`;
}

function groupHelp(prefix: string[]): string {
  const commands = COMMANDS.filter((c) => prefix.every((word, i) => c.path[i] === word));
  const width = Math.max(...commands.map((c) => `${c.path.join(' ')} ${c.args}`.length));
  const lines = commands.map((c) => `  ${`${c.path.join(' ')} ${c.args}`.padEnd(width)}  ${c.summary}`);
  const title =
    prefix.length === 0
      ? 'halyard — feature flags from the terminal, and the Halyard flag service'
      : `halyard ${prefix.join(' ')}`;
  return `${title}\n\nUsage: halyard ${prefix.length ? `${prefix.join(' ')} ` : ''}<command> [options]\n\nCommands:\n${lines.join('\n')}\n\n${GLOBAL_HELP}\nRun "halyard <command> --help" for a command's options. Exit codes: 0 ok, 1 failed, 2 wrong usage.\n`;
}

function version(): string {
  for (const candidate of ['../../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@halyard/server' && pkg.version) return pkg.version;
    } catch {
      // try the next layout (source vs bundled dist/cli.js)
    }
  }
  return 'unknown';
}

export interface CliStreams {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
}

/** Runs the CLI and resolves with the exit code (`serve` resolves once the service is listening). */
export async function main(argv: string[], io: CliStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const noColor = argv.includes('--no-color');
  const jsonOutput = argv.includes('--json');
  const errColors = palette(colorEnabled(io.stderr, io.env, noColor));
  const fail = (error: unknown, command?: Command): number => {
    if (error instanceof CliError) {
      if (jsonOutput) {
        const { problems, ...rest } = error.details;
        io.stderr.write(`${JSON.stringify({ error: { message: error.message, ...rest, ...(problems ? { problems } : {}) } })}\n`);
      } else {
        io.stderr.write(`${errColors.red('halyard:')} ${error.message}\n`);
        for (const p of error.details.problems ?? []) io.stderr.write(`  ${errColors.cyan(p.path)}: ${p.message}\n`);
        if (error.exitCode === EXIT_USAGE) io.stderr.write(`\nRun "${command ? name(command) : 'halyard'} --help" for usage.\n`);
      }
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (jsonOutput) io.stderr.write(`${JSON.stringify({ error: { message, code: 'internal' } })}\n`);
    else io.stderr.write(`${errColors.red('halyard:')} unexpected error: ${message}\n${error instanceof Error && error.stack ? errColors.dim(error.stack) : ''}\n`);
    return 1;
  };

  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as unknown as { values: Values; positionals: string[] };
  } catch (error) {
    // Name the command in the hint when it can be told apart.
    const loose = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false });
    const guess = [...COMMANDS].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((word, i) => loose.positionals[i] === word));
    return fail(usageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '')), guess);
  }
  const { values, positionals } = parsed;

  if (values.version === true && positionals.length === 0) {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const words = positionals[0] === 'help' ? positionals.slice(1) : positionals;
  const wantsHelp = values.help === true || positionals[0] === 'help';
  const command = [...COMMANDS].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((word, i) => words[i] === word));

  if (!command) {
    const groups = new Set(COMMANDS.map((c) => c.path[0]!));
    if (words.length === 0) {
      io.stdout.write(groupHelp([]));
      return wantsHelp ? 0 : positionals.length === 0 && Object.keys(values).length === 0 ? 0 : EXIT_USAGE;
    }
    if (groups.has(words[0]!) && (words.length === 1 || wantsHelp)) {
      if (wantsHelp) {
        io.stdout.write(groupHelp([words[0]!]));
        return 0;
      }
      io.stderr.write(groupHelp([words[0]!]));
      return fail(usageError(`"halyard ${words[0]}" needs a command`));
    }
    const unknown = groups.has(words[0]!) ? `${words[0]} ${words[1]}` : words[0]!;
    return fail(usageError(`unknown command "${unknown}"`));
  }
  if (wantsHelp) {
    io.stdout.write(commandHelp(command));
    return 0;
  }

  try {
    for (const [option, value] of Object.entries(values)) {
      if (value === undefined || command.options.includes(option)) continue;
      if (GLOBAL.has(option) && (command.remote || LOCAL_ONLY.has(option))) continue;
      throw usageError(`${name(command)} has no option --${option}`);
    }
    const args = words.slice(command.path.length);
    const [min, max] = command.arity;
    if (args.length < min) throw usageError(`${name(command)} needs ${command.args}`);
    if (args.length > max) throw usageError(`unexpected argument "${args[max]}" (${name(command)} takes ${command.args || 'no arguments'})`);
    const colors = palette(colorEnabled(io.stdout, io.env, noColor));
    const ctx = new Context(values, args, io.stdout, io.stderr, colors, errColors, io.env);
    const code = await command.run(ctx);
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    return fail(error, command);
  }
}
