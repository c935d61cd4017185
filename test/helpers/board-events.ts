import fc from 'fast-check';

/** Valid board events over a few ids, so that sequences of them keep meeting the same records. */
export function boardEvents(ids: { issues: string[]; projects: string[]; agents: string[] }) {
  const issueId = fc.constantFrom(...ids.issues);
  const projectId = fc.constantFrom(...ids.projects);
  const agentId = fc.constantFrom(...ids.agents);
  const status = fc.constantFrom('todo', 'in_progress', 'done');
  const stage = fc.constantFrom('plan', 'test');
  return fc.oneof(
    fc.record({
      event: fc.constantFrom('issue_created', 'issue_updated'),
      data: fc.record(
        { issueId, projectId, title: fc.constantFrom('T', 'U'), status, agentId },
        { requiredKeys: ['issueId'] },
      ),
    }),
    fc.record({
      event: fc.constant('status_changed'),
      data: fc.record({ issueId, projectId, newStatus: status }, { requiredKeys: ['issueId', 'newStatus'] }),
    }),
    fc.record({
      event: fc.constant('stage_changed'),
      data: fc.record({ issueId, projectId, newStage: stage }, { requiredKeys: ['issueId', 'newStage'] }),
    }),
    fc.record({ event: fc.constant('agent_assigned'), data: fc.record({ issueId, agentId: fc.option(agentId) }) }),
    fc.record({
      event: fc.constant('agent_started'),
      data: fc.record({ agentId, issueId, projectId, stage }, { requiredKeys: ['agentId', 'issueId'] }),
    }),
    fc.record({
      event: fc.constant('agent_status'),
      data: fc.record(
        {
          agentId,
          status: fc.constantFrom('idle', 'working', 'waiting_for_input'),
          projectId: fc.option(projectId),
          message: fc.constantFrom('Proceed?', 'ok'),
          requestId: fc.constantFrom('r1', 'r2'),
          prompt: fc.constantFrom('Apply the patch?', 'Which file?'),
          choices: fc.constantFrom(
            [{ id: 'approve', label: 'Approve' }],
            [
              { id: 'approve', label: 'Approve' },
              { id: 'deny', label: 'Deny' },
            ],
          ),
        },
        { requiredKeys: ['agentId', 'status'] },
      ),
    }),
  );
}
