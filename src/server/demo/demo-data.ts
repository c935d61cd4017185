/**
 * The fake world the demo runs in: projects with plausible files, issue titles
 * and agent names. Separate from the simulator so the output generators and the
 * benchmark corpus draw on the same vocabulary.
 */

export interface DemoProject {
  id: string;
  /** Source files the agents read, grep and edit. */
  files: readonly string[];
  testFiles: readonly string[];
  titles: readonly string[];
}

export const DEMO_PROJECTS: readonly DemoProject[] = [
  {
    id: 'falcon-web',
    files: [
      'src/components/IssueCard.tsx',
      'src/components/TerminalPane.tsx',
      'src/stores/board.ts',
      'src/hooks/useSubscription.ts',
      'src/lib/format-duration.ts',
    ],
    testFiles: ['test/board.test.ts', 'test/terminal-pane.test.tsx', 'test/format-duration.test.ts'],
    titles: [
      'Issue board flickers when an agent changes stage',
      'Add keyboard shortcuts for switching projects',
      'Terminal pane loses scrollback after reconnect',
      'Dark mode: diff colours are unreadable',
      'Show time in current status on issue cards',
      'Virtualise the issue list for boards with 500+ issues',
      'Copy button for selected agent output',
      'Persist pane layout across restarts',
    ],
  },
  {
    id: 'falcon-api',
    files: [
      'src/routes/issues.ts',
      'src/routes/agents.ts',
      'src/realtime/broadcaster.ts',
      'src/db/migrations/0042_agent_sessions.sql',
      'src/auth/tokens.ts',
    ],
    testFiles: ['test/routes/issues.test.ts', 'test/realtime/broadcaster.test.ts', 'test/auth/tokens.test.ts'],
    titles: [
      'Rate-limit /api/issues per token',
      'Webhook retries should back off exponentially',
      'Paginate GET /projects/:id/issues',
      'Race between stage_changed and status_changed on fast agents',
      'Migrate agent_sessions to bigint ids',
      'Return 409 when assigning an agent that is already busy',
      'Structured logs for agent lifecycle events',
      'Flaky: websocket reconnect resumes from the wrong offset',
    ],
  },
  {
    id: 'billing',
    files: [
      'src/invoices/render-pdf.ts',
      'src/invoices/proration.ts',
      'src/webhooks/stripe.ts',
      'src/tax/rounding.ts',
      'src/dunning/scheduler.ts',
    ],
    testFiles: ['test/proration.test.ts', 'test/stripe-webhook.test.ts', 'test/rounding.test.ts'],
    titles: [
      'Prorate seat changes mid-cycle',
      'Invoice PDF renders CJK customer names as tofu',
      'Stripe webhook signature check fails on parsed body',
      'Round tax half-even per line item',
      'Dunning emails are sent twice after a retry',
      'Export usage CSV with a UTF-8 BOM for Excel',
    ],
  },
  {
    id: 'mobile',
    files: ['app/screens/Board.tsx', 'app/push/register.ts', 'app/offline/queue.ts'],
    testFiles: ['app/__tests__/queue.test.ts', 'app/__tests__/register.test.ts'],
    titles: [
      'Offline queue drops edits made in airplane mode',
      'Push notifications for blocked issues',
      'Pull-to-refresh on the board screen',
      'Crash on Android 15 when the keyboard opens',
    ],
  },
  {
    id: 'infra',
    files: ['terraform/hub.tf', 'k8s/hub-deployment.yaml', 'scripts/rotate-keys.sh'],
    testFiles: ['test/policy.test.ts', 'test/rotate-keys.test.ts'],
    titles: [
      'Sticky sessions for the websocket hub behind the ALB',
      'Alert when agent output lag exceeds 5 s',
      'Rotate hub signing keys without downtime',
      'Cut CI time: cache node_modules between jobs',
    ],
  },
  {
    id: 'docs',
    files: ['guide/getting-started.md', 'guide/protocol.md', 'guide/agents.md'],
    testFiles: ['test/links.test.ts'],
    titles: [
      'Document the resume-from-offset extension',
      'Screenshots for the monitor quick start',
      'Explain agent statuses and what to do when one is blocked',
    ],
  },
];

/** Agent ids are `<model>-<n>`; the model cycles so a few agents show the mix. */
export const AGENT_MODELS = ['opus', 'sonnet', 'haiku'] as const;

/** Ids for issues the demo creates start here, so they look like real tracker numbers. */
export const FIRST_ISSUE_NUMBER = 101;

/** The stages an agent works through, in order; `done` follows the last. */
export const WORK_STAGES = ['plan', 'implement', 'test', 'review'] as const;
export type WorkStage = (typeof WORK_STAGES)[number];
