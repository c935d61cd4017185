import type { ErrorCode } from '../shared/errors';

/** An error the hub reports to its caller with a stable code (and, over HTTP, a status). */
export class HubError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}
