import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const BUILD_SCRIPT = join(REPO_ROOT, 'test/interop/peers/build-peers.sh');

/**
 * `prometheus3`: Prometheus 3 built from source into the cache (the server the tests run);
 * `prometheus`: Debian's package, for its `promtool` (rule checks and rule unit tests).
 */
export type PeerName = 'collector' | 'jaeger' | 'prometheus3' | 'prometheus' | 'docker-compose';

export function peersCacheDir(): string {
  return process.env.OTELSPOOL_PEERS_CACHE ?? join(homedir(), '.cache/otelspool-peers');
}

/**
 * Builds (first run, minutes) or finds (cached, instant) the named peers with build-peers.sh.
 * A peer that cannot be built fails the calling test with the builder's own error: the suite
 * never skips a peer silently.
 */
export function ensurePeers(...names: PeerName[]): void {
  for (const name of names) {
    const result = spawnSync('bash', [BUILD_SCRIPT, name], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().slice(-8_000);
      throw new Error(
        `PEER UNAVAILABLE: build-peers.sh ${name} failed (exit ${result.status ?? result.signal}).\n` +
          `The interop suite needs the real ${name}; fix the build, do not skip it.\n${output}`,
      );
    }
  }
}

export const peerBinaries = {
  collector: () => join(peersCacheDir(), 'bin/otelcol-otelspool'),
  jaeger: () => join(peersCacheDir(), 'bin/jaeger'),
  prometheus: () => join(peersCacheDir(), 'bin/prometheus'),
  promtool: () => findOnPath('promtool'),
  dockerCompose: () => findOnPath('docker-compose'),
};

/** Absolute path of a binary on PATH, or a loud error naming the package that provides it. */
export function findOnPath(binary: string): string {
  const result = spawnSync('bash', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  if (result.status !== 0 || path === '') {
    throw new Error(
      `PEER UNAVAILABLE: '${binary}' is not on PATH. Install it (as root: ` +
        `bash test/interop/peers/build-peers.sh all), the suite does not skip it.`,
    );
  }
  return path;
}
