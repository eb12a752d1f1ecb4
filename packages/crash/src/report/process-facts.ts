import { isMainThread, threadId } from 'node:worker_threads';
import type { TextScrubber } from '@otelspool/exporter-jsonl/write-path';

/** Facts about the crashing process. Deliberately no environment variables and no argv. */
export interface ProcessFacts {
  pid: number;
  ppid: number;
  platform: string;
  arch: string;
  /** process.versions subset: node, v8, uv, openssl... */
  versions: Record<string, string>;
  /** Node flags (process.execArgv), scrubbed: they change crash behaviour (heap size, rejection mode). */
  execArgv: string[];
  uptimeSeconds: number;
  memory: {
    rss: number;
    heapTotal: number;
    heapUsed: number;
    external: number;
    arrayBuffers: number;
  };
  thread: { isMainThread: boolean; threadId: number };
}

const VERSION_KEYS = ['node', 'v8', 'uv', 'openssl', 'modules', 'napi', 'electron', 'chrome'];

export function collectProcessFacts(scrub: TextScrubber): ProcessFacts {
  const versions: Record<string, string> = {};
  for (const key of VERSION_KEYS) {
    const v = process.versions[key];
    if (typeof v === 'string') versions[key] = v;
  }
  let memory = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  try {
    const m = process.memoryUsage();
    memory = {
      rss: m.rss,
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
    };
  } catch {
    // memoryUsage() can fail (EMFILE on /proc reads); the report is still worth writing
  }
  return {
    pid: process.pid,
    ppid: process.ppid,
    platform: process.platform,
    arch: process.arch,
    versions,
    execArgv: process.execArgv.map((a) => scrub(a)),
    uptimeSeconds: Math.round(process.uptime() * 1000) / 1000,
    memory,
    thread: { isMainThread, threadId },
  };
}
