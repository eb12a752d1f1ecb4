import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SIGNALS, type OtlpData, type Signal } from '@otelspool/exporter-jsonl';
import {
  deadLetterDir,
  ensureDirSync,
  writeFileAtomicSync,
} from '@otelspool/exporter-jsonl/internal';

/**
 * Batches a server rejected for good (non-retryable status) are kept here with the server's
 * message instead of being dropped: `<dir>/dead-letter/<utc>_<signal>_<rand>.json`, one
 * self-contained, human-readable file per rejected request (the post-redaction request body).
 */
export interface DeadLetter {
  version: 1;
  id: string;
  signal: Signal;
  destination: string;
  url: string;
  createdAt: string;
  /** HTTP status (0 when the request could not be built). */
  status: number;
  message: string;
  records: number;
  request: OtlpData;
}

export type DeadLetterSummary = Omit<DeadLetter, 'request'> & { file: string };

export function writeDeadLetter(
  dir: string,
  letter: Omit<DeadLetter, 'version' | 'id' | 'createdAt'>,
): string {
  const now = new Date();
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  const id = `${stamp}_${letter.signal}_${randomBytes(4).toString('hex')}`;
  const file = join(deadLetterDir(dir), `${id}.json`);
  const full: DeadLetter = { version: 1, id, createdAt: now.toISOString(), ...letter };
  ensureDirSync(deadLetterDir(dir));
  writeFileAtomicSync(file, JSON.stringify(full) + '\n');
  return file;
}

/** Dead letters, oldest first; unreadable files are listed with status -1 and the reason. */
export function listDeadLetters(dir: string): DeadLetterSummary[] {
  let names: string[];
  try {
    names = readdirSync(deadLetterDir(dir))
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  const out: DeadLetterSummary[] = [];
  for (const name of names) {
    const file = join(deadLetterDir(dir), name);
    const letter = readDeadLetter(file);
    if (letter) {
      const { request: _request, ...summary } = letter;
      out.push({ ...summary, file });
    } else {
      out.push({
        version: 1,
        id: name.replace(/\.json$/, ''),
        signal: 'logs',
        destination: '',
        url: '',
        createdAt: '',
        status: -1,
        message: 'unreadable dead-letter file',
        records: 0,
        file,
      });
    }
  }
  return out;
}

export function readDeadLetter(file: string): DeadLetter | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as DeadLetter;
    if (parsed.version !== 1 || !parsed.request || !SIGNALS.includes(parsed.signal)) {
      return undefined;
    }
    return parsed;
  } catch {
    return undefined;
  }
}

export function deleteDeadLetter(file: string): void {
  rmSync(file, { force: true });
}
