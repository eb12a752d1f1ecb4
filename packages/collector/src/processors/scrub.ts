import {
  createTextScrubber,
  TEXT_SCRUB_RULE_NAMES,
  type TextScrubberOptions,
} from '@otelspool/exporter-jsonl';

/**
 * Free-text scrubbing before anything leaves the machine: the patterns that find personal
 * data and secrets inside any string (attribute values, log bodies, exception messages and
 * stack traces, span names). The rules live in @otelspool/exporter-jsonl (privacy/), shared
 * with the crash handler's capture-time scrubber, so both apply one vocabulary.
 * Hand-written rather than a library: the few maintained PII libraries for Node are
 * NLP-heavy (slow, large) or target other languages; these are linear-time anchored regexes.
 *
 * Each replacement is a fixed marker (`<email>`, `<ip>`, `<redacted>`, ...) so redacted output
 * stays readable and never carries any part of the original secret.
 */
export interface ScrubberOptions {
  /** Home directories to replace with `~` (default: this machine's os.homedir()). */
  homeDirs?: string[];
  /** User names replaced by `<user>` as whole words (default: the current user). */
  userNames?: string[];
  /**
   * Environment whose secret-named variables' values are redacted wherever they appear
   * (default: this process's environment); `false` turns that rule off.
   */
  env?: TextScrubberOptions['env'];
}

export type Scrubber = (text: string) => string;

/** A scrubber: every rule, in order, over the string; pure and allocation-free when clean. */
export function createScrubber(options: ScrubberOptions = {}): Scrubber {
  return createTextScrubber({
    ...(options.homeDirs ? { homeDirs: options.homeDirs } : {}),
    ...(options.userNames ? { userNames: options.userNames } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    pii: true,
  });
}

export const SCRUB_RULE_NAMES: readonly string[] = TEXT_SCRUB_RULE_NAMES;
