import { describe, expect, it } from 'vitest';
import { FifoQueue } from '../../src/internal.js';

describe('FifoQueue', () => {
  it('gives items back in the order they were pushed, across take, shift and takeAll', () => {
    const q = new FifoQueue<number>(4);
    for (let i = 0; i < 20; i++) q.push(i);
    expect(q.size).toBe(20);
    expect(q.take(3)).toEqual([0, 1, 2]);
    expect(q.peek()).toBe(3);
    expect(q.shift()).toBe(3);
    // past the compaction threshold: the taken slots are let go of, order is kept
    expect(q.take(8)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    q.push(20);
    expect(q.size).toBe(9);
    expect(q.takeAll()).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
    expect(q.shift()).toBeUndefined();
    expect(q.take(5)).toEqual([]);
  });

  it('matches an array used as a queue under any interleaving', () => {
    const q = new FifoQueue<number>(2);
    const model: number[] = [];
    let next = 0;
    // a fixed pseudo-random schedule (an LCG), so a failure replays exactly
    let seed = 12345;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n) | 0;
    for (let step = 0; step < 5000; step++) {
      const op = rand(4);
      if (op <= 1) {
        q.push(next);
        model.push(next++);
      } else if (op === 2) {
        expect(q.shift()).toBe(model.shift());
      } else {
        const n = rand(5);
        expect(q.take(n)).toEqual(model.splice(0, n));
      }
      expect(q.size).toBe(model.length);
      expect(q.peek()).toBe(model[0]);
    }
  });
});
