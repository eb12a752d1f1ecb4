import { describe, expect, it } from 'vitest';
import { BreadcrumbRing } from '../../src/session/breadcrumbs.js';

describe('BreadcrumbRing', () => {
  it('keeps the newest max entries, oldest first', () => {
    const ring = new BreadcrumbRing(3, (s) => s);
    for (let i = 0; i < 7; i++) ring.add({ message: `m${i}` });
    expect(ring.toArray().map((b) => b.message)).toEqual(['m4', 'm5', 'm6']);
  });

  it('fills timestamps, scrubs text, keeps only primitive data and bounds sizes', () => {
    const ring = new BreadcrumbRing(5, (s) => s.replaceAll('/home/bob', '~'));
    ring.add({
      message: 'opened /home/bob/a.wav' + 'x'.repeat(5000),
      category: 'file',
      data: { path: '/home/bob/a.wav', size: 3, nested: { no: 1 } as never },
    });
    const [b] = ring.toArray();
    expect(b?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(b?.message.startsWith('opened ~/a.wav')).toBe(true);
    expect(b?.message.length).toBeLessThanOrEqual(1024);
    expect(b?.data).toEqual({ path: '~/a.wav', size: 3 });
  });

  it('max 0 keeps nothing', () => {
    const ring = new BreadcrumbRing(0, (s) => s);
    ring.add({ message: 'x' });
    expect(ring.toArray()).toEqual([]);
  });
});
