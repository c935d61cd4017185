import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The hub's Prometheus metrics, in a registry of its own so several hubs can share a process. */
export class HubMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: 'falcon_hub_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
  });
  readonly subscriptions = new Gauge({
    name: 'falcon_hub_subscriptions',
    help: 'Channel subscriptions across connections',
    registers: [this.registry],
  });
  readonly urgentAgents = new Gauge({
    name: 'falcon_hub_urgent_agents',
    help: 'Agents some connection holds urgent (flushed every urgentMs instead of every intervalMs)',
    registers: [this.registry],
  });
  readonly sseStreams = new Gauge({
    name: 'falcon_hub_sse_streams',
    help: 'Open SSE streams',
    registers: [this.registry],
  });
  readonly messagesIn = new Counter({
    name: 'falcon_hub_messages_received_total',
    help: 'Client frames received',
    registers: [this.registry],
  });
  readonly bytesIn = new Counter({
    name: 'falcon_hub_bytes_received_total',
    help: 'Client frame bytes received',
    registers: [this.registry],
  });
  // Sent frames are counted in plain numbers (countSent) and folded into these counters when they are
  // read: a prom-client `inc` per delivery cost more than the rest of a delivery's bookkeeping.
  private sentFrames = 0;
  private sentBytes = 0;
  readonly messagesOut = new Counter({
    name: 'falcon_hub_messages_sent_total',
    help: 'Frames sent to clients (WebSocket and SSE)',
    registers: [this.registry],
    collect: () => {
      if (this.sentFrames > 0) this.messagesOut.inc(this.sentFrames);
      this.sentFrames = 0;
    },
  });
  readonly bytesOut = new Counter({
    name: 'falcon_hub_bytes_sent_total',
    help: 'Bytes sent to clients',
    registers: [this.registry],
    collect: () => {
      if (this.sentBytes > 0) this.bytesOut.inc(this.sentBytes);
      this.sentBytes = 0;
    },
  });
  readonly publishes = new Counter({
    name: 'falcon_hub_publishes_total',
    help: 'Events published',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly agentInputs = new Counter({
    name: 'falcon_hub_agent_inputs_total',
    help: 'Inputs to agents by outcome: accepted, or the error code they were refused with',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly inputsForwarded = new Counter({
    name: 'falcon_hub_inputs_forwarded_total',
    help: 'Inputs this hub forwarded to the hub with the input handler (Redis engine), by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly inputMessagesDropped = new Counter({
    name: 'falcon_hub_input_route_dropped_total',
    help: 'Messages on this hub’s input channel dropped at the boundary (Redis engine), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly slowConsumerCloses = new Counter({
    name: 'falcon_hub_slow_consumer_closes_total',
    help: 'Clients closed with 4008 for reading too slowly',
    registers: [this.registry],
  });
  readonly outputLags = new Counter({
    name: 'falcon_hub_output_lag_episodes_total',
    help: 'Times a subscriber fell behind on an agent channel and the hub stopped queueing its live output',
    registers: [this.registry],
  });
  readonly outputCatchUps = new Counter({
    name: 'falcon_hub_output_catch_ups_total',
    help: 'Lag episodes that ended with the subscriber back on live output',
    registers: [this.registry],
  });
  readonly outputLagging = new Gauge({
    name: 'falcon_hub_output_lagging',
    help: 'Agent-channel subscriptions currently lagging (catching up from history)',
    registers: [this.registry],
  });
  readonly outputGaps = new Counter({
    name: 'falcon_hub_output_gaps_total',
    help: 'Gap notices sent: output a lagging subscriber skipped because history no longer held it',
    registers: [this.registry],
  });
  readonly outputSkippedBytes = new Counter({
    name: 'falcon_hub_output_skipped_bytes_total',
    help: 'Bytes of event frames lagging subscribers skipped (each skip announced with a gap notice)',
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'falcon_hub_rate_limited_total',
    help: 'Client frames refused by the rate limit',
    registers: [this.registry],
  });
  readonly rateLimitCloses = new Counter({
    name: 'falcon_hub_rate_limit_closes_total',
    help: 'Clients closed with 1008 for sustained abuse',
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'falcon_hub_auth_failures_total',
    help: 'Rejected upgrades and API calls',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly protocolErrors = new Counter({
    name: 'falcon_hub_protocol_errors_total',
    help: 'Error replies by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly connectionRefusals = new Counter({
    name: 'falcon_hub_connection_refusals_total',
    help: 'WebSocket upgrades and SSE streams refused by the per-token or per-address cap',
    labelNames: ['kind', 'by'] as const,
    registers: [this.registry],
  });
  readonly httpRateLimited = new Counter({
    name: 'falcon_hub_http_rate_limited_total',
    help: 'HTTP publishes refused with 429 by the per-token rate limit',
    registers: [this.registry],
  });
  readonly outputDropped = new Counter({
    name: 'falcon_hub_output_dropped_chars_total',
    help: 'Agent output that could not be published (engine unavailable)',
    registers: [this.registry],
  });
  readonly publishToSend = new Histogram({
    name: 'falcon_hub_publish_to_send_seconds',
    help: 'Time from publish until the event was handed to the last local subscriber',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  private engineUsage: () => Record<string, number> | undefined = () => undefined;
  readonly engineKept = new Gauge({
    name: 'falcon_hub_engine_kept',
    help: 'What the in-memory engine holds against its bounds (docs/hub.md, "Memory budget")',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [kind, value] of Object.entries(this.engineUsage() ?? {})) this.engineKept.set({ kind }, value);
    },
  });

  constructor(processMetrics: boolean) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one frame of `bytes` sent to a client (`falcon_hub_messages_sent_total`, `falcon_hub_bytes_sent_total`). */
  countSent(bytes: number): void {
    this.sentFrames++;
    this.sentBytes += bytes;
  }

  /** Reports `usage()` of the engine (when it has one) in `falcon_hub_engine_kept`. */
  watchEngine(usage: () => Record<string, number> | undefined): void {
    this.engineUsage = usage;
  }
}
