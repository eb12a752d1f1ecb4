import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, rename, stat, unlink } from 'node:fs/promises';

/**
 * gzips a sealed segment: writes `<path>.gz.tmp` (exclusive, owner-only), renames it to
 * `<path>.gz`, then deletes the original, so a reader sees either the plain or the compressed
 * segment with the same content, never a half-written .gz. zlib runs on the libuv pool, off
 * the event loop. Returns the compressed size, or undefined if the segment could not be
 * compressed (it is then left as it is).
 */
export async function gzipSegment(path: string): Promise<number | undefined> {
  const tmp = `${path}.gz.tmp`;
  try {
    // Loaded on the first sealed segment, not at import: zlib and the stream pipeline cost a
    // few ms of every process's start-up (bench/startup/groups.mjs), and a short CLI run never
    // seals a segment.
    const [{ pipeline }, { createGzip }] = await Promise.all([
      import('node:stream/promises'),
      import('node:zlib'),
    ]);
    await pipeline(
      createReadStream(path),
      createGzip(),
      createWriteStream(tmp, { flags: 'wx', mode: 0o600, flush: true }),
    );
    await chmod(tmp, 0o600);
    await rename(tmp, `${path}.gz`);
    await unlink(path);
    return (await stat(`${path}.gz`)).size;
  } catch {
    await unlink(tmp).catch(() => undefined);
    return undefined;
  }
}
