/**
 * How many subscribers want each agent's output urgent (a pane the user is
 * looking at). One owner for that count: connections add and remove their
 * interest, and the output batcher hears only the edges (0 → 1, 1 → 0).
 */
export class UrgentAgents {
  private readonly counts = new Map<string, number>();

  /** `changed(agentId, urgent)` runs when an agent gains its first or loses its last urgent subscriber. */
  constructor(private readonly changed: (agentId: string, urgent: boolean) => void) {}

  add(agentId: string): void {
    const count = (this.counts.get(agentId) ?? 0) + 1;
    this.counts.set(agentId, count);
    if (count === 1) this.changed(agentId, true);
  }

  remove(agentId: string): void {
    const count = this.counts.get(agentId);
    if (count === undefined) return;
    if (count > 1) {
      this.counts.set(agentId, count - 1);
      return;
    }
    this.counts.delete(agentId);
    this.changed(agentId, false);
  }

  isUrgent(agentId: string): boolean {
    return this.counts.has(agentId);
  }

  /** Agents with at least one urgent subscriber. */
  get size(): number {
    return this.counts.size;
  }
}

/**
 * One connection's urgent channels, at most `max` of them. Only `agent:`
 * channels count: urgency changes how agent output is batched, and nothing
 * else is batched.
 */
export class ConnectionUrgency {
  private readonly agents = new Set<string>();

  constructor(
    private readonly shared: UrgentAgents,
    private readonly max: number,
  ) {}

  /** Marks or unmarks an agent; false when marking it would pass the cap (nothing changes then). */
  set(agentId: string, urgent: boolean): boolean {
    if (urgent === this.agents.has(agentId)) return true;
    if (!urgent) {
      this.agents.delete(agentId);
      this.shared.remove(agentId);
      return true;
    }
    if (this.agents.size >= this.max) return false;
    this.agents.add(agentId);
    this.shared.add(agentId);
    return true;
  }

  has(agentId: string): boolean {
    return this.agents.has(agentId);
  }

  /** Gives back every mark (the connection closed). */
  clear(): void {
    for (const agentId of this.agents) this.shared.remove(agentId);
    this.agents.clear();
  }
}
