/** Drives `POST /api/publish` for the fuzzer: one body per request on a keep-alive agent, and checks the answer. */
import { type Agent, request as httpRequest } from 'node:http';
import { ErrorCode } from '../../src/shared/errors';
import type { RunningHub } from '../../src/server/index';
import type { PublishInput } from './fuzz-http-inputs';

const ERROR_CODES = new Set<string>(Object.values(ErrorCode));

export interface HttpAnswer {
  /** 0 when the connection failed instead of answering. */
  status: number;
  body: string;
}

/** POSTs one body to /api/publish on a keep-alive agent: with a Content-Length, or chunked. */
export function post(agent: Agent, running: RunningHub, input: PublishInput, bearer: string): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const request = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port: running.port,
        method: 'POST',
        path: '/api/publish',
        headers: {
          Authorization: `Bearer ${bearer}`,
          'Content-Type': 'application/json',
          ...(input.chunked ? {} : { 'Content-Length': input.body.length }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        response.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    request.on('error', (error) => resolve({ status: 0, body: error.message }));
    if (input.chunked) {
      const middle = Math.floor(input.body.length / 2);
      request.write(input.body.subarray(0, middle));
      request.end(input.body.subarray(middle));
    } else request.end(input.body);
  });
}

/** The channel a publish body names, as the hub reads it ('' when it names none). */
export function channelOf(body: Buffer): string {
  try {
    const channel = (JSON.parse(body.toString()) as { channel?: unknown }).channel;
    return typeof channel === 'string' ? channel : '';
  } catch {
    return '';
  }
}

/** What is wrong with a publish answer's body, if anything, and its error code. */
export function checkPublishAnswer(answer: HttpAnswer): { problem?: string; code?: string } {
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return { problem: 'not JSON' };
  }
  if (answer.status === 202) {
    const { offset, epoch } = body as { offset?: unknown; epoch?: unknown };
    return typeof offset === 'number' && typeof epoch === 'string' ? {} : { problem: 'no offset and epoch' };
  }
  const code = (body as { error?: { code?: unknown } }).error?.code;
  if (typeof code !== 'string' || !ERROR_CODES.has(code)) return { problem: 'no known error code' };
  return { code };
}
