import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Issue 12, "the installed product works": what each published package.json declares must
// match what its shipped code imports. OpenTelemetry on caret ranges (no exact pins, so a
// user's own OTel install dedupes with ours), @opentelemetry/api a peer (two copies of the API
// break context) and a devDependency for the workspace, no dependency that nothing imports.
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['exporter-jsonl', 'crash', 'sdk', 'collector', 'cli'];

interface Manifest {
  name: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

/** Package names the shipped code loads: static/dynamic imports and createRequire() calls. */
function importedPackages(pkgDir: string): Set<string> {
  const found = new Set<string>();
  const dirs = ['src', 'bin'].map((d) => join(pkgDir, d));
  for (const dir of dirs) {
    let texts: string[];
    try {
      texts = sources(dir);
    } catch {
      continue;
    }
    for (const text of texts) {
      const specifiers = text.matchAll(
        /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|require(?:\.resolve)?\s*\(\s*|\)\(\s*)'([^'.][^']*)'/g,
      );
      for (const [, spec] of specifiers) {
        if (spec!.startsWith('node:') || builtinModules.includes(spec!)) continue;
        const parts = spec!.split('/');
        found.add(spec!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
  }
  return found;
}

describe('package manifests', () => {
  for (const name of PACKAGES) {
    const dir = join(REPO, 'packages', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const deps = pkg.dependencies ?? {};
    const peers = pkg.peerDependencies ?? {};
    const imported = importedPackages(dir);

    it(`${pkg.name} declares exactly what it imports`, () => {
      // Node 22 or later; a package using a newer built-in raises the minor (node:sqlite: 22.13).
      expect(pkg.engines?.node).toMatch(/^>=22(\.\d+)?$/);
      for (const spec of imported) {
        if (spec === pkg.name) continue; // a self-reference (`@otelspool/sdk/testing` in a doc example)
        expect(spec in deps || spec in peers, `${spec} is imported but not declared`).toBe(true);
      }
      for (const dep of Object.keys(deps)) {
        expect(imported.has(dep), `${dep} is a dependency but nothing imports it`).toBe(true);
      }
    });

    it(`${pkg.name} ships its Apache-2.0 licence`, () => {
      expect((pkg as { license?: string }).license).toBe('Apache-2.0');
      expect((pkg as { files?: string[] }).files).toContain('LICENSE');
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toContain('Apache License');
    });

    it(`${pkg.name} takes OpenTelemetry on caret ranges, the API as a peer`, () => {
      const optionalPeers = (
        pkg as { peerDependenciesMeta?: Record<string, { optional?: boolean }> }
      ).peerDependenciesMeta;
      for (const [dep, range] of Object.entries({ ...deps, ...peers, ...pkg.devDependencies })) {
        if (!dep.startsWith('@opentelemetry/')) continue;
        // An optional peer is the user's own copy (e.g. @opentelemetry/instrumentation, which
        // every instrumentation package brings): it may span the whole 0.x line that goes with
        // the 2.x SDK, since a caret on 0.x would pin one minor and force a second copy.
        if (optionalPeers?.[dep]?.optional === true && dep in peers && range === peers[dep])
          expect(range, dep).toMatch(/^(\^\d|>=0\.\d+\.\d+ <0\.\d+\.\d+$)/);
        else expect(range, dep).toMatch(/^\^\d/);
      }
      for (const range of Object.values(deps)) expect(range).not.toMatch(/^[<>=~]/);
      expect('@opentelemetry/api' in deps).toBe(false);
      if (imported.has('@opentelemetry/api')) {
        expect(peers['@opentelemetry/api']).toMatch(/^\^1\./);
        expect(pkg.devDependencies?.['@opentelemetry/api']).toMatch(/^\^1\./);
      }
      for (const [dep, range] of Object.entries(deps)) {
        if (
          /^@opentelemetry\/(core|resources|sdk-trace-base|sdk-metrics|context-async-hooks)$/.test(
            dep,
          )
        )
          expect(range, dep).toMatch(/^\^2\./);
      }
    });
  }
});
