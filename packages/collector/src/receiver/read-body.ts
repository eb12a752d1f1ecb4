import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes (after decompression)`);
    this.name = 'BodyTooLargeError';
  }
}

export class BadEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadEncodingError';
  }
}

/**
 * Reads a request body, inflating gzip/deflate as it streams, and stops as soon as more than
 * `limit` bytes (compressed or decompressed) arrive: a gzip bomb costs at most `limit` plus
 * one zlib chunk of memory, never its expanded size.
 */
export function readBody(
  req: IncomingMessage,
  encoding: 'identity' | 'gzip' | 'deflate',
  limit: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let rawSize = 0;
    let finished = false;
    const fail = (err: Error): void => {
      if (finished) return;
      finished = true;
      chunks.length = 0;
      req.unpipe();
      inflater?.destroy();
      // Stop reading: the socket is closed after the error response is written.
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      if (finished) return;
      size += chunk.length;
      if (size > limit) {
        fail(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (finished) return;
      finished = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };

    const inflater: Transform | undefined =
      encoding === 'identity' ? undefined : encoding === 'gzip' ? createGunzip() : createInflate();
    req.on('data', (chunk: Buffer) => {
      rawSize += chunk.length;
      if (rawSize > limit) fail(new BodyTooLargeError(limit));
    });
    req.on('error', (err) => fail(err));
    req.on('aborted', () => fail(new Error('client aborted the request')));
    if (!inflater) {
      req.on('data', onData);
      req.on('end', onEnd);
      return;
    }
    inflater.on('data', onData);
    inflater.on('end', onEnd);
    inflater.on('error', (err) =>
      fail(new BadEncodingError(`invalid ${encoding} body: ${err.message}`)),
    );
    req.pipe(inflater);
  });
}
