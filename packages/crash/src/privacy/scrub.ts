import {
  createTextScrubber,
  currentHomeDir,
  currentUserName,
} from '@otelspool/exporter-jsonl/write-path';

/** Replaces personal text and secrets in a string captured from the host. */
export type Scrubber = (text: string) => string;

/**
 * Builds the scrubber applied at capture time to every path, message and frame. It is the
 * shared rule set of @otelspool/exporter-jsonl (privacy/), the one `spool sync` applies too:
 * the home directory becomes `~` (also in its file:// URL and Windows forward-slash forms),
 * other users' home paths lose the account name, the user name, wherever it still appears as
 * a whole word, becomes `<user>` (not for short or generic names like 'root'), and secrets
 * are redacted by shape (tokens, keys, JWTs, PEM blocks, `password=…`, AWS keys) and by
 * value (this process's secret-named environment variables). Personal-data shapes (e-mail,
 * IPs, query strings) are left for the sync-time redactor: the local report keeps them for
 * the user's own debugging.
 */
export function createScrubber(
  home: string | undefined = currentHomeDir(),
  user: string | undefined = currentUserName(),
  env: Readonly<Record<string, string | undefined>> | false = process.env,
): Scrubber {
  return createTextScrubber({
    homeDirs: home ? [home] : [],
    userNames: user ? [user] : [],
    env,
    pii: false,
  });
}
