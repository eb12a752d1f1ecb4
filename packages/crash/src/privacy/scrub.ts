import { homedir, userInfo } from 'node:os';

/** Replaces personal text (home directory, user name) in a string captured from the host. */
export type Scrubber = (text: string) => string;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function currentUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME;
  }
}

function currentHome(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

/**
 * Builds the scrubber applied at capture time to every path, message and frame: the home
 * directory becomes `~` (also in its file:// URL and Windows forward-slash forms) and the user
 * name, wherever it still appears as a whole word, becomes `<user>`. Short or generic user names
 * ('root', one or two letters) would mangle ordinary words, so only the home dir is replaced then.
 */
export function createScrubber(
  home: string | undefined = currentHome(),
  user: string | undefined = currentUserName(),
): Scrubber {
  const homes = new Set<string>();
  if (home && home.length > 1 && home !== '/') {
    homes.add(home);
    homes.add(home.replace(/\\/g, '/'));
  }
  const homeRe =
    homes.size > 0
      ? new RegExp(
          [...homes]
            .sort((a, b) => b.length - a.length)
            .map((h) => escapeRegExp(h))
            .join('|'),
          'g',
        )
      : undefined;
  const userRe =
    user && user.length >= 3 && !GENERIC_USERS.has(user.toLowerCase())
      ? new RegExp(`(?<![A-Za-z0-9_])${escapeRegExp(user)}(?![A-Za-z0-9_])`, 'g')
      : undefined;
  return (text: string): string => {
    if (typeof text !== 'string' || text.length === 0) return text;
    let out = homeRe ? text.replace(homeRe, '~') : text;
    if (userRe) out = out.replace(userRe, '<user>');
    return out;
  };
}

// Account names that are not personal and are also common words in messages and paths.
const GENERIC_USERS = new Set([
  'root',
  'node',
  'user',
  'admin',
  'app',
  'runner',
  'ubuntu',
  'www-data',
]);
