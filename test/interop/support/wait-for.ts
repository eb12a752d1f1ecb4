import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** What is awaited, for the error message. */
  what: string;
  /** Upper bound on attempts (the loop is bounded by count, not by wall time). */
  attempts?: number;
  intervalMs?: number;
}

/** Thrown by a probe to stop waiting at once (e.g. the peer process has exited). */
export class GiveUp extends Error {}

/**
 * Polls `probe` until it returns a value other than `undefined`, at most `attempts` times.
 * Throws with the last probe error when it never does, and at once when the probe throws GiveUp.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  { what, attempts = 240, intervalMs = 250 }: WaitForOptions,
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    await sleep(intervalMs);
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`gave up waiting for ${what} after ${attempts} attempts${reason}`);
}

/** GET `url` and resolve the response when its status is 200, else `undefined` (keep waiting). */
export async function httpOk(url: string): Promise<Response | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (response.status === 200) return response;
  await response.body?.cancel();
  return undefined;
}
