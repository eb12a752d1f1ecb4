import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Each package's manifest says exactly what its code needs: every package its src imports is a
// dependency or a peer (else an install from the registry breaks), and every dependency is
// imported somewhere in src (else users download what is never loaded).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUILTINS = new Set(builtinModules);

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  license?: string;
  files?: string[];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

// `from 'x'`, `import 'x'`, `import('x')`, `require('x')`, `require.resolve('x')` and
// `createRequire(import.meta.url)('x')` (how ESM loads a CommonJS-only package).
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+|\brequire(?:\.resolve)?\s*\(\s*|\bcreateRequire\([^)]*\)\s*\(\s*)['"]([^'"./][^'"]*)['"]/gm;

function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0] ?? '')) return;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function importedPackages(srcDir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const name = packageOf(match[1] as string);
      if (name && !found.has(name)) found.set(name, relative(ROOT, file));
    }
  }
  return found;
}

const packages = readdirSync(join(ROOT, 'packages'));

describe.each(packages)('packages/%s/package.json', (dir) => {
  const manifest = JSON.parse(
    readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8'),
  ) as Manifest;
  const imported = importedPackages(join(ROOT, 'packages', dir, 'src'));
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);

  it('declares every package its src imports', () => {
    const missing = [...imported].filter(([name]) => !declared.has(name) && name !== manifest.name);
    expect(missing.map(([name, file]) => `${name} (imported by ${file})`)).toEqual([]);
  });

  it('imports every dependency it declares', () => {
    const unused = Object.keys(manifest.dependencies ?? {}).filter((name) => !imported.has(name));
    expect(unused).toEqual([]);
  });

  it('ships its licence', () => {
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.files).toContain('LICENSE');
    expect(readFileSync(join(ROOT, 'packages', dir, 'LICENSE'), 'utf8')).toContain(
      'Apache License',
    );
  });
});
