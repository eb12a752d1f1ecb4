import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Tests run against the packages' TypeScript sources, not their build: every entry point a
// package.json `exports` map publishes (`./dist/x.js`) is aliased to its source
// (`./src/x.ts`). Derived from the exports maps, so a new subpath needs no test config, and no
// unpublished export condition is left in what users install. Child processes that tests spawn
// import the built dist/ (npm test builds first).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface PackageJson {
  name: string;
  exports?: Record<string, string | { default?: string }>;
}

export function sourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const dir of readdirSync(join(ROOT, 'packages'))) {
    const pkgDir = join(ROOT, 'packages', dir);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const file = typeof target === 'string' ? target : target.default;
      if (!file || !file.startsWith('./dist/') || !file.endsWith('.js')) continue;
      const source = join(pkgDir, 'src', file.slice('./dist/'.length, -'.js'.length) + '.ts');
      const specifier = subpath === '.' ? pkg.name : `${pkg.name}${subpath.slice(1)}`;
      aliases.push({ find: new RegExp(`^${escapeRegExp(specifier)}$`), replacement: source });
    }
  }
  return aliases;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
