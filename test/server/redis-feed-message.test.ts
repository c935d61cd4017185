import { describe, expect, it } from 'vitest';
import { parseFeedMessage } from '../../src/server/redis/feed-message';
import { FEED_HEADER } from '../../src/server/redis/scripts';

const frame = (offset: number) => `{"type":"event","channel":"agent:x","offset":${offset}}`;

describe('parseFeedMessage (the Redis engine’s fan-out message)', () => {
  it('reads groups of consecutive frames per channel and epoch', () => {
    const message = [
      FEED_HEADER,
      '1700000000000',
      'agent:x',
      'e1',
      '7',
      '2',
      frame(7),
      frame(8),
      'project:p',
      'e1',
      '1',
      '1',
      '{}',
    ].join('\n');
    expect(parseFeedMessage(message)).toEqual({
      time: 1700000000000,
      groups: [
        { channel: 'agent:x', epoch: 'e1', firstOffset: 7, frames: [frame(7), frame(8)] },
        { channel: 'project:p', epoch: 'e1', firstOffset: 1, frames: ['{}'] },
      ],
    });
  });

  it('tells another release’s format from a malformed message', () => {
    // The previous format: channel, offset, epoch, time, frame.
    expect(parseFeedMessage(`agent:x\n1\ne1\n1700000000000\n${frame(1)}`)).toEqual({ dropped: 'unknown_format' });
    expect(parseFeedMessage('')).toEqual({ dropped: 'unknown_format' });
    for (const body of [
      'soon',
      '1\nagent:x\ne1\n1\n3\n{}',
      '1\nagent:x\ne1\n0\n1\n{}',
      '1\nagent:x\ne1\n1.5\n1\n{}',
      '1\nagent:x\ne1\n1\n0',
      '1\nagent:x\n\n1\n1\n{}',
      '1',
    ]) {
      expect(parseFeedMessage(`${FEED_HEADER}\n${body}`), body).toEqual({ dropped: 'malformed' });
    }
  });
});
