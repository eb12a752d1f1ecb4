import { homedir, userInfo } from 'node:os';
import { escapeRegExp, type ScrubRule } from './rule.js';

/**
 * The home-directory rule, shared by crash capture and sync: this user's home directory
 * becomes `~` (both slash styles on Windows, and inside file:// URLs), any other
 * `/home/<name>`, `/Users/<name>` or `C:\Users\<name>` becomes `<user>`, and the current
 * user name, wherever it still appears as a whole word, becomes `<user>`.
 */

// Account names that are not personal and are also common words in messages and paths.
export const GENERIC_USER_NAMES: readonly string[] = [
  'root',
  'node',
  'user',
  'admin',
  'app',
  'runner',
  'ubuntu',
  'www-data',
];
const GENERIC = new Set(GENERIC_USER_NAMES);

export function currentHomeDir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

export function currentUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME;
  }
}

/** `/`, `C:\` and one-letter dirs would turn every path into `~…`. */
function usableHome(home: string): boolean {
  return home.length >= 2 && home !== '/' && !/^[A-Za-z]:[\\/]?$/.test(home);
}

/** This machine's (or the given) home directories → `~`; a longer sibling (`/home/al` vs `/home/alice`) is left alone. */
export function homeLiteralRule(homes: readonly string[]): ScrubRule | undefined {
  const variants = new Set<string>();
  for (const home of homes) {
    if (typeof home !== 'string' || !usableHome(home)) continue;
    variants.add(home);
    variants.add(home.replace(/\\/g, '/'));
  }
  if (variants.size === 0) return undefined;
  const literals = [...variants].sort((a, b) => b.length - a.length);
  return {
    name: 'home-literal',
    hint: (t) => literals.some((l) => t.includes(l)),
    pattern: new RegExp(`(?:${literals.map(escapeRegExp).join('|')})(?![\\w.-])`, 'g'),
    replace: () => '~',
  };
}

/** Anyone's home directory in a path: the account name goes. */
export const HOME_PATH_RULES: readonly ScrubRule[] = [
  {
    name: 'home-unix',
    hint: (t) => t.includes('/home/') || t.includes('/Users/'),
    pattern: /(\/(?:home|Users)\/)(?!<user>)[^/\s"':]+/g,
    replace: (_m, prefix) => `${prefix}<user>`,
  },
  {
    name: 'home-windows',
    hint: (t) => t.includes(':\\') || t.includes(':/'),
    pattern:
      /(?<![A-Za-z0-9_])([A-Za-z]:(?:\\\\|\\|\/)(?:Users|Documents and Settings)(?:\\\\|\\|\/))(?!<user>)[^\\/\s"':]+/gi,
    replace: (_m, prefix) => `${prefix}<user>`,
  },
];

/** The user name as a whole word → `<user>`; skipped for short or generic names ('root', 'al'). */
export function userNameRule(names: readonly string[]): ScrubRule | undefined {
  const usable = [
    ...new Set(
      names.filter((n) => typeof n === 'string' && n.length >= 3 && !GENERIC.has(n.toLowerCase())),
    ),
  ].sort((a, b) => b.length - a.length);
  if (usable.length === 0) return undefined;
  return {
    name: 'user-name',
    hint: (t) => usable.some((n) => t.includes(n)),
    pattern: new RegExp(
      `(?<![A-Za-z0-9_])(?:${usable.map(escapeRegExp).join('|')})(?![A-Za-z0-9_])`,
      'g',
    ),
    replace: () => '<user>',
  };
}
