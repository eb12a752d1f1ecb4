import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  listServiceSpools,
  locateSpoolDir,
  resolveSpoolDir,
  SpoolLocationError,
  spoolRoot,
} from '../../src/index.js';

let saved: string | undefined;
let base: string;
beforeEach(() => {
  saved = process.env.XDG_DATA_HOME;
  base = mkdtempSync(join(tmpdir(), 'spool-dir-'));
  process.env.XDG_DATA_HOME = base;
});
afterEach(() => {
  if (saved === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = saved;
  rmSync(base, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('the spool-location rule', () => {
  it('dir, else $SPOOL_DIR, else <root>/<service> (sanitized), for writers and readers alike', () => {
    const root = join(base, 'otelspool');
    expect(spoolRoot()).toBe(root);
    expect(resolveSpoolDir({ dir: '/x', serviceName: 's' }, { SPOOL_DIR: '/y' })).toBe('/x');
    expect(resolveSpoolDir({ serviceName: 's' }, { SPOOL_DIR: '/y' })).toBe('/y');
    expect(resolveSpoolDir({ serviceName: 'my plugin/../x' }, {})).toBe(
      join(root, 'my_plugin_.._x'),
    );
    expect(resolveSpoolDir({}, { OTEL_SERVICE_NAME: 'env-svc' })).toBe(join(root, 'env-svc'));
    expect(locateSpoolDir({ service: 'my plugin/../x' }, {}).dir).toBe(
      resolveSpoolDir({ serviceName: 'my plugin/../x' }, {}),
    );
    expect(locateSpoolDir({}, { SPOOL_DIR: '/y' })).toEqual({ dir: '/y', source: 'env' });
  });

  it('without any of them, readers take the only spool under the root', () => {
    const root = join(base, 'otelspool');
    expect(() => locateSpoolDir({}, {})).toThrow(SpoolLocationError);
    mkdirSync(join(root, 'not-a-spool'), { recursive: true }); // no spool entries: ignored
    writeFileSync(join(root, 'stray-file'), '');
    mkdirSync(join(root, 'alpha', 'logs'), { recursive: true });
    expect(locateSpoolDir({}, {})).toEqual({ dir: join(root, 'alpha'), source: 'discovered' });
    mkdirSync(join(root, 'beta', 'crashes'), { recursive: true });
    expect(listServiceSpools()).toEqual(['alpha', 'beta']);
    try {
      locateSpoolDir({}, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SpoolLocationError);
      expect((err as SpoolLocationError).kind).toBe('ambiguous');
      expect((err as SpoolLocationError).services).toEqual(['alpha', 'beta']);
    }
  });
});
