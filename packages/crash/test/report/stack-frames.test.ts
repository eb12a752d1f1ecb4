import { describe, expect, it } from 'vitest';
import { parseStack } from '../../src/report/stack-frames.js';
import { createCaptureScrubber } from '@otelspool/exporter-jsonl/write-path';

const scrub = createCaptureScrubber({ homeDirs: ['/home/alice'], userNames: ['alice'] });

const STACK = [
  'TypeError: bad',
  '    at loadPlugin (file:///home/alice/app/src/plugins.js:12:9)',
  '    at async Promise.all (index 0)',
  '    at Object.<anonymous> (/home/alice/app/node_modules/lib/index.js:3:1)',
  '    at listOnTimeout (node:internal/timers:585:17)',
  '    at new Host (/home/alice/app/src/host.js:40:5)',
  '    at /home/alice/app/src/main.js:7:3',
  '    at Array.forEach (<anonymous>)',
].join('\n');

describe('parseStack', () => {
  it('parses functions, files, positions and marks in-app frames', () => {
    const frames = parseStack(STACK, scrub);
    expect(frames).toHaveLength(7);
    expect(frames[0]).toMatchObject({
      function: 'loadPlugin',
      file: '~/app/src/plugins.js',
      line: 12,
      column: 9,
      inApp: true,
    });
    expect(frames[1]).toMatchObject({ function: 'Promise.all', async: true, inApp: false });
    expect(frames[1]?.file).toBeUndefined();
    expect(frames[2]).toMatchObject({ file: '~/app/node_modules/lib/index.js', inApp: false });
    expect(frames[3]).toMatchObject({ file: 'node:internal/timers', inApp: false });
    expect(frames[4]).toMatchObject({ function: 'Host', file: '~/app/src/host.js', inApp: true });
    expect(frames[5]).toMatchObject({ file: '~/app/src/main.js', line: 7, inApp: true });
    expect(frames[5]?.function).toBeUndefined();
    expect(frames[6]).toMatchObject({
      function: 'Array.forEach',
      file: '<anonymous>',
      inApp: false,
    });
    expect(JSON.stringify(frames)).not.toContain('alice');
  });

  it('limits in-app frames to appRoot when given', () => {
    const frames = parseStack(STACK, scrub, '/home/alice/app/src/plugins.js');
    expect(frames.filter((f) => f.inApp).map((f) => f.function)).toEqual(['loadPlugin']);
  });

  it('returns no frames for a missing or frameless stack', () => {
    expect(parseStack(undefined, scrub)).toEqual([]);
    expect(parseStack('Error: only a message\nsecond line', scrub)).toEqual([]);
  });
});
