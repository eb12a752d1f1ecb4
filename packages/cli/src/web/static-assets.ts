import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the dashboard serves, loaded once into memory (they are a few tens of KB). */
export interface StaticAsset {
  contentType: string;
  body: Buffer;
  etag: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Only plain file names are ever served: no separators, no dot-dot, no hidden files. */
const SERVABLE_NAME = /^[a-z0-9][a-z0-9.-]*\.(?:html|js|css|svg)$/i;

/**
 * The UI's own files live in packages/cli/web-assets/ (tsc does not copy non-TS files, so they
 * sit outside src/). This module is at src/web/ under vitest and dist/web/ once built, so the
 * same relative URL reaches the folder from both.
 */
export const WEB_ASSETS_DIR = fileURLToPath(new URL('../../web-assets/', import.meta.url));

/**
 * The dashboard's asset table: name → file. Requests are looked up by exact name in this
 * table, never joined onto a path, which is what makes path traversal impossible.
 * uPlot comes from node_modules (a dependency of @otelspool/cli) so nothing is fetched from
 * a CDN and the page works offline.
 */
export function loadStaticAssets(assetsDir: string = WEB_ASSETS_DIR): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const name of readdirSync(assetsDir)) {
    if (!SERVABLE_NAME.test(name)) continue;
    assets.set(name, toAsset(join(assetsDir, name)));
  }
  const uplotDir = uplotDistDir();
  for (const name of ['uPlot.iife.min.js', 'uPlot.min.css']) {
    assets.set(name, toAsset(join(uplotDir, name)));
  }
  return assets;
}

function uplotDistDir(): string {
  // uplot's package.json has no "exports" map, so its files resolve directly.
  const require = createRequire(import.meta.url);
  const entry = require.resolve('uplot/dist/uPlot.iife.min.js');
  return join(entry, '..');
}

function toAsset(file: string): StaticAsset {
  const body = readFileSync(file);
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { contentType, body, etag };
}
