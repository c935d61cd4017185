import { statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { type Command, Option } from 'commander';
import { DEFAULT_BOARD_RETENTION } from '../../shared/board-retention';
import { RedisEngine } from '../../server/redis/index';
import {
  DEFAULT_HISTORY,
  DEFAULT_MAX_TOKEN_TTL_SECONDS,
  DEFAULT_MEMORY_LIMITS,
  type HistoryLimits,
  type HubOptions,
  type MemoryLimits,
  type RunningHub,
  inputWebhookHandler,
  startHub,
} from '../../server/index';
import { startDemoShow } from '../demo-show';
import { UsageError } from '../errors';
import {
  parseByteSize,
  parseLifetime,
  parseListenAddress,
  parseOrigin,
  parsePort,
  parsePositiveInteger,
  parsePositiveNumber,
  readFlagFile,
  show,
} from '../flag-values';
import { demoBanner, hubBanner } from '../hub-banner';
import { LOG_LEVELS, type LogLevel, createCliLogger } from '../logger';
import { defaultWebRoot, hasIndexHtml } from '../package-root';
import { SECRET_ENV, generateSecret, readHubSecrets } from '../secret';
import { onShutdownSignal } from '../shutdown';

/** Flags as commander hands them over: text, checked by `resolveHubConfig`. */
export interface HubFlags {
  port: string;
  host: string;
  secretFile: string[];
  maxTokenTtl?: string;
  allowNonExpiringTokens?: boolean;
  tokenAudience: string[];
  tokenIssuer: string[];
  demo?: boolean;
  demoSpeed: string;
  history?: string;
  historyTtl?: string;
  historyBytes?: string;
  historyTotalBytes?: string;
  maxChannels?: string;
  finishedTtl?: string;
  tlsCert?: string;
  tlsKey?: string;
  webRoot?: string;
  allowedOrigin: string[];
  logLevel: LogLevel;
  redis?: string;
  maxConnectionsPerToken?: string;
  maxConnectionsPerAddress?: string;
  maxSsePerToken?: string;
  maxSsePerAddress?: string;
  httpPublishRate?: string;
  metricsTokenFile?: string;
  metricsListen?: string;
  inputWebhook?: string;
  inputWebhookSecretFile?: string;
}

export interface HubConfig {
  port: number;
  host: string;
  /** The secret for tokens without a kid, or null when only keyed secrets are given. */
  secret: string | null;
  /** Secrets under a kid (`--secret-file kid=file`), in the order given. */
  keys: Array<{ kid: string; secret: string }>;
  maxTokenTtlMs: number;
  allowNonExpiringTokens: boolean;
  tokenAudience: string[] | null;
  tokenIssuer: string[] | null;
  /** True when `--demo` made the secret up because none was given. */
  secretGenerated: boolean;
  /** Demo speed factor, or null without `--demo`. */
  demoSpeed: number | null;
  history: Partial<HistoryLimits>;
  /** The in-memory engine's other bounds (total history bytes, channels, retention). */
  memory: MemoryLimits;
  /** How long finished issues, quiet agents and idle tails are kept (both engines), or null for 24 h. */
  finishedTtlMs: number | null;
  tls: { cert: Buffer; key: Buffer } | null;
  webRoot: string | null;
  allowedOrigins: string[] | null;
  logLevel: LogLevel;
  /** Redis URL for the shared engine (scale-out), or null for the in-memory engine. */
  redisUrl: string | null;
  /** Caps and the HTTP publishing rate limit given by flags; the rest keep the hub's defaults. */
  limits: Pick<
    HubOptions,
    | 'maxConnectionsPerToken'
    | 'maxConnectionsPerAddress'
    | 'maxSseStreamsPerToken'
    | 'maxSseStreamsPerAddress'
    | 'httpRateLimit'
  >;
  metricsToken: string | null;
  metricsListen: { host: string; port: number } | null;
  /** Where answers to agents go (falcon-pm), signed with `secret`; null: the demo's agents, or none. */
  inputWebhook: { url: string; secret: string } | null;
}

const DEMO_TOKEN_TTL_SECONDS = 7 * 86_400;

export function registerHubCommand(program: Command): void {
  program
    .command('hub')
    .description('run the realtime hub: WebSocket, HTTP API, SSE, metrics and the web edition')
    .option('--port <port>', 'port to listen on; 0 picks a free one', '3002')
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .addOption(
      new Option(
        '--secret-file <[kid=]file>',
        `file holding a token secret (≥ 32 bytes); kid=file for tokens signed with that kid; repeatable (default: $${SECRET_ENV})`,
      )
        .argParser(collect)
        .default([]),
    )
    .option(
      '--max-token-ttl <duration>',
      `refuse tokens living longer than this, e.g. 24h, 7d (default ${DEFAULT_MAX_TOKEN_TTL_SECONDS / 86_400}d)`,
    )
    .option('--allow-non-expiring-tokens', 'accept tokens without expiry (falcon token --ttl never)')
    .addOption(
      new Option('--token-audience <aud>', "require tokens' aud to name this; repeat for more")
        .argParser(collect)
        .default([], 'not checked'),
    )
    .addOption(
      new Option('--token-issuer <iss>', "require tokens' iss to be this; repeat for more")
        .argParser(collect)
        .default([], 'not checked'),
    )
    .option('--demo', 'publish a simulated falcon-pm and print a ready-to-use token')
    .addOption(new Option('--demo-speed <factor>', 'demo pace: 1 is realistic, 10 runs ten times faster').default('1'))
    .option('--history <events>', `events kept per channel for resume (default ${DEFAULT_HISTORY.size})`)
    .option(
      '--history-ttl <duration>',
      `how long events stay resumable, e.g. 90s, 10m, 2h (default ${DEFAULT_HISTORY.ttlMs / 60_000}m)`,
    )
    .option(
      '--history-bytes <size>',
      `bytes of events kept per channel for resume, e.g. 512KiB, 8MiB (default ${mib(DEFAULT_HISTORY.maxBytes)})`,
    )
    .option(
      '--history-total-bytes <size>',
      `bytes of events kept across all channels, oldest first out (default ${mib(DEFAULT_MEMORY_LIMITS.maxHistoryBytes)}; in-memory engine)`,
    )
    .option(
      '--max-channels <count>',
      `channels whose offsets, history and tail are kept (default ${DEFAULT_MEMORY_LIMITS.maxChannels}; in-memory engine)`,
    )
    .option(
      '--finished-ttl <duration>',
      `how long finished issues, quiet agents and idle channels are kept (default ${DEFAULT_BOARD_RETENTION.finishedTtlMs / 3600_000}h)`,
    )
    .option('--tls-cert <file>', 'PEM certificate: serve https:// and wss:// (needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--redis <url>', 'share history and snapshots with other hubs through Redis (default: $REDIS_URL)')
    .option('--web-root <dir>', 'serve this web edition at / (default: out/renderer when built)')
    .addOption(
      new Option('--allowed-origin <origin>', 'browser origin allowed to connect; repeat for more')
        .argParser(collect)
        .default([], 'any'),
    )
    .option('--max-connections-per-token <n>', 'open WebSocket connections per token (default 64)')
    .option('--max-connections-per-address <n>', 'open WebSocket connections per client address (default 256)')
    .option('--max-sse-per-token <n>', 'open SSE streams per token (default 32)')
    .option('--max-sse-per-address <n>', 'open SSE streams per client address (default 128)')
    .option('--http-publish-rate <n>', 'HTTP publishes per second per token, burst twice that (default 200)')
    .option('--metrics-token-file <file>', 'file holding the bearer token /metrics requires')
    .option('--metrics-listen <host:port>', 'serve /metrics on this address instead of the main one')
    .option(
      '--input-webhook <url>',
      'POST answers to agents to falcon-pm here (signed; needs --input-webhook-secret-file)',
    )
    .option('--input-webhook-secret-file <file>', 'file holding the HMAC key (≥ 32 characters) that signs those POSTs')
    .addOption(
      new Option('--log-level <level>', 'JSON logs on stderr at this level').choices(LOG_LEVELS).default('info'),
    )
    .addHelpText(
      'after',
      `\nThe secret comes from --secret-file, else $${SECRET_ENV}; with --demo and neither, a random one is generated.\n` +
        'Rotate keys with --secret-file old-file --secret-file 2026-12=new-file and falcon token --kid 2026-12;\n' +
        'tokens without a kid use the plain secret, tokens with one use that key only.\n' +
        'Stop with Ctrl-C or SIGTERM: clients are closed with 1001 and the hub exits 0; a second signal exits at once.',
    )
    .action(async (flags: HubFlags) => runHub(resolveHubConfig(flags)));
}

/** Checks every flag before anything starts; the first bad one throws a UsageError naming it. */
export function resolveHubConfig(flags: HubFlags, env: NodeJS.ProcessEnv = process.env): HubConfig {
  const port = parsePort(flags.port);
  const host = flags.host.trim();
  if (host === '') throw new UsageError('--host must not be empty');
  const demoSpeed = flags.demo ? parsePositiveNumber(flags.demoSpeed, '--demo-speed') : null;
  const history: Partial<HistoryLimits> = {};
  if (flags.history !== undefined) history.size = parsePositiveInteger(flags.history, '--history');
  if (flags.historyTtl !== undefined) history.ttlMs = parseLifetime(flags.historyTtl, '--history-ttl') * 1000;
  if (flags.historyBytes !== undefined) history.maxBytes = parseByteSize(flags.historyBytes, '--history-bytes');
  const memory: MemoryLimits = {};
  if (flags.historyTotalBytes !== undefined)
    memory.maxHistoryBytes = parseByteSize(flags.historyTotalBytes, '--history-total-bytes');
  if (flags.maxChannels !== undefined) memory.maxChannels = parsePositiveInteger(flags.maxChannels, '--max-channels');
  const finishedTtlMs =
    flags.finishedTtl === undefined ? null : parseLifetime(flags.finishedTtl, '--finished-ttl') * 1000;
  if (finishedTtlMs !== null) memory.retention = { finishedTtlMs };
  const tls = readTls(flags.tlsCert, flags.tlsKey);
  const webRoot = flags.webRoot === undefined ? defaultWebRoot() : checkWebRoot(flags.webRoot);
  const allowedOrigins = flags.allowedOrigin.length > 0 ? flags.allowedOrigin.map((o) => parseOrigin(o)) : null;
  const secrets = readHubSecrets(flags.secretFile, env);
  const { keys } = secrets;
  let { secret } = secrets;
  const secretGenerated = secret === null && keys.length === 0 && flags.demo === true;
  if (secret === null && keys.length === 0) {
    if (!flags.demo) throw new UsageError(`no secret: pass --secret-file <file> or set ${SECRET_ENV} (or try --demo)`);
    secret = generateSecret();
  }
  const maxTokenTtlMs =
    (flags.maxTokenTtl === undefined
      ? DEFAULT_MAX_TOKEN_TTL_SECONDS
      : parseLifetime(flags.maxTokenTtl, '--max-token-ttl')) * 1000;

  const redisUrl = parseRedisUrl(flags.redis ?? env.REDIS_URL);
  const limits: HubConfig['limits'] = {};
  if (flags.maxConnectionsPerToken !== undefined)
    limits.maxConnectionsPerToken = parsePositiveInteger(flags.maxConnectionsPerToken, '--max-connections-per-token');
  if (flags.maxConnectionsPerAddress !== undefined)
    limits.maxConnectionsPerAddress = parsePositiveInteger(
      flags.maxConnectionsPerAddress,
      '--max-connections-per-address',
    );
  if (flags.maxSsePerToken !== undefined)
    limits.maxSseStreamsPerToken = parsePositiveInteger(flags.maxSsePerToken, '--max-sse-per-token');
  if (flags.maxSsePerAddress !== undefined)
    limits.maxSseStreamsPerAddress = parsePositiveInteger(flags.maxSsePerAddress, '--max-sse-per-address');
  if (flags.httpPublishRate !== undefined) {
    const perSecond = parsePositiveNumber(flags.httpPublishRate, '--http-publish-rate');
    limits.httpRateLimit = { perSecond, burst: Math.max(1, 2 * perSecond) };
  }
  const metricsToken = flags.metricsTokenFile === undefined ? null : readMetricsToken(flags.metricsTokenFile);
  const metricsListen =
    flags.metricsListen === undefined ? null : parseListenAddress(flags.metricsListen, '--metrics-listen');
  const inputWebhook = resolveInputWebhook(flags);
  return {
    inputWebhook,
    redisUrl,
    limits,
    metricsToken,
    metricsListen,
    port,
    host,
    secret,
    keys,
    maxTokenTtlMs,
    allowNonExpiringTokens: flags.allowNonExpiringTokens === true,
    tokenAudience: claimFlag(flags.tokenAudience, '--token-audience'),
    tokenIssuer: claimFlag(flags.tokenIssuer, '--token-issuer'),
    secretGenerated,
    demoSpeed,
    history,
    memory,
    finishedTtlMs,
    tls,
    webRoot,
    allowedOrigins,
    logLevel: flags.logLevel,
  };
}

function resolveInputWebhook(flags: HubFlags): HubConfig['inputWebhook'] {
  if (flags.inputWebhook === undefined) {
    if (flags.inputWebhookSecretFile !== undefined)
      throw new UsageError('--input-webhook-secret-file needs --input-webhook <url>');
    return null;
  }
  let url: URL | null = null;
  try {
    url = new URL(flags.inputWebhook);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password)
    throw new UsageError(`--input-webhook must be an http(s) URL without credentials, got ${show(flags.inputWebhook)}`);
  if (flags.inputWebhookSecretFile === undefined)
    throw new UsageError('--input-webhook needs --input-webhook-secret-file <file> (the HMAC key falcon-pm checks)');
  const secret = readFlagFile(flags.inputWebhookSecretFile, '--input-webhook-secret-file').toString('utf8').trim();
  if (secret.length < 32) throw new UsageError('--input-webhook-secret-file must hold a key of at least 32 characters');
  return { url: url.href, secret };
}

function readMetricsToken(file: string): string {
  const text = readFlagFile(file, '--metrics-token-file').toString('utf8').trim();
  if (text.length < 16) throw new UsageError('--metrics-token-file must hold a token of at least 16 characters');
  return text;
}

function mib(bytes: number): string {
  return `${bytes / (1024 * 1024)}MiB`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function claimFlag(values: string[], flag: string): string[] | null {
  const trimmed = values.map((value) => value.trim());
  if (trimmed.some((value) => value === '' || value.length > 256))
    throw new UsageError(`${flag} must be 1–256 characters`);
  return trimmed.length > 0 ? trimmed : null;
}

function parseRedisUrl(text: string | undefined): string | null {
  if (text === undefined || text.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(`--redis must be a redis://host:port URL, got ${JSON.stringify(text.slice(0, 60))}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`--redis must be a redis:// or rediss:// URL, got ${url.protocol}`);
  }
  return url.href;
}

function readTls(certFile: string | undefined, keyFile: string | undefined): HubConfig['tls'] {
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined || keyFile === undefined) {
    throw new UsageError('--tls-cert and --tls-key go together: give both or neither');
  }
  const cert = readFlagFile(certFile, '--tls-cert');
  const key = readFlagFile(keyFile, '--tls-key');
  try {
    // Fails now, with the reason, instead of when the server is created.
    createSecureContext({ cert, key });
  } catch (error) {
    throw new UsageError(`--tls-cert/--tls-key: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { cert, key };
}

function checkWebRoot(dir: string): string {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new UsageError(`--web-root ${dir} is not a directory`);
  if (!hasIndexHtml(dir)) throw new UsageError(`--web-root ${dir} has no index.html`);
  return dir;
}

async function runHub(config: HubConfig): Promise<void> {
  const logger = createCliLogger(config.logLevel);
  let engine: RedisEngine | null = null;
  if (config.redisUrl) {
    try {
      engine = await RedisEngine.connect({
        url: config.redisUrl,
        history: config.history,
        ...(config.finishedTtlMs === null ? {} : { finishedTtlMs: config.finishedTtlMs }),
        logger,
      });
    } catch (error) {
      throw new Error(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }
  let running: RunningHub;
  try {
    running = await startHub({
      ...(engine ? { engine } : {}),
      ...(config.secret !== null ? { secret: config.secret } : {}),
      keys: config.keys,
      maxTokenTtlMs: config.maxTokenTtlMs,
      allowNonExpiringTokens: config.allowNonExpiringTokens,
      ...(config.tokenAudience ? { tokenAudience: config.tokenAudience } : {}),
      ...(config.tokenIssuer ? { tokenIssuer: config.tokenIssuer } : {}),
      port: config.port,
      host: config.host,
      ...(config.tls ? { tls: config.tls } : {}),
      history: config.history,
      memory: config.memory,
      ...(config.webRoot ? { webRoot: config.webRoot } : {}),
      ...(config.allowedOrigins ? { allowedOrigins: config.allowedOrigins } : {}),
      ...config.limits,
      ...(config.metricsToken !== null ? { metricsToken: config.metricsToken } : {}),
      ...(config.metricsListen ? { metricsListen: config.metricsListen } : {}),
      logger,
      processMetrics: true,
    });
  } catch (error) {
    await engine?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${reason}`, { cause: error });
  }
  const { hub } = running;
  const addresses = {
    url: running.url,
    wsUrl: running.wsUrl,
    webServed: config.webRoot !== null,
    metricsUrl: running.metricsUrl,
  };
  logger.info(
    {
      url: running.url,
      wsUrl: running.wsUrl,
      webRoot: config.webRoot,
      demo: config.demoSpeed !== null,
      engine: hub.engine.name,
      metricsUrl: running.metricsUrl,
    },
    'hub listening',
  );
  if (running.metricsUrl === null) {
    logger.warn('metrics not served: off loopback they need --metrics-token-file or --metrics-listen');
  }
  let output = hubBanner(addresses);
  // Answers to agents go to falcon-pm when a webhook is given; otherwise, with --demo, to the demo's agents.
  const undoWebhook = config.inputWebhook ? hub.onAgentInput(inputWebhookHandler(config.inputWebhook)) : null;
  const show =
    config.demoSpeed === null
      ? null
      : startDemoShow(hub, logger, config.demoSpeed, { answer: config.inputWebhook === null });
  if (show) {
    const tokenTtlSeconds = Math.min(DEMO_TOKEN_TTL_SECONDS, config.maxTokenTtlMs / 1000);
    const token = await hub.signToken({
      user: 'demo',
      channels: ['*'],
      publish: true,
      // The demo's agents wait for answers: its token may give them.
      actOn: ['agent:*'],
      ttlSeconds: tokenTtlSeconds,
      // The printed token works against the hub as configured, audience and issuer included.
      ...(config.tokenAudience ? { audience: config.tokenAudience[0] } : {}),
      ...(config.tokenIssuer ? { issuer: config.tokenIssuer[0] } : {}),
    });
    output += demoBanner(addresses, {
      ...show,
      token,
      tokenTtlSeconds,
      generatedSecret: config.secretGenerated ? config.secret : null,
    });
  }
  process.stdout.write(output);

  onShutdownSignal(async (signal) => {
    logger.info({ signal }, 'shutting down');
    show?.stop();
    undoWebhook?.();
    await running.close();
    await engine?.close();
    logger.info('hub stopped');
  });
}
