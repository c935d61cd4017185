import type { Hub } from '../../src/server/index';

/** The choices the hub tests offer: the protocol's own approve and deny. */
export const APPROVE_DENY = [
  { id: 'approve', label: 'Approve' },
  { id: 'deny', label: 'Deny' },
];

/** Publishes agent a1 waiting on request r1 ("Apply the patch?", Approve / Deny), as the input tests start. */
export function publishWaitingA1(hub: Hub): Promise<unknown> {
  return hub.publish('agent:a1', 'agent_status', {
    agentId: 'a1',
    status: 'waiting_for_input',
    requestId: 'r1',
    prompt: 'Apply the patch?',
    choices: APPROVE_DENY,
  });
}
