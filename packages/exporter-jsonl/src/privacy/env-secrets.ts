import { isSecretKey } from './key-words.js';

/**
 * A bare secret copied from an environment variable into a message ("login failed: upstream
 * said Zq81vK2m… is invalid") has no shape to recognise. So the values of THIS process's
 * environment variables whose NAMES are secret-like (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY,
 * PGPASSWORD, MY_API_KEY: the attribute-key word rules) and at least MIN_ENV_SECRET_LENGTH
 * long are replaced wherever they appear. The sync process only knows its own environment;
 * crash capture runs in the app and knows the app's.
 */
export const MIN_ENV_SECRET_LENGTH = 8;

/** Secret-like by name but not secrets: the working directory, the ssh-agent socket path. */
export const ENV_SECRET_EXCEPTIONS: readonly string[] = ['PWD', 'OLDPWD', 'SSH_AUTH_SOCK'];
const EXCEPTIONS = new Set(ENV_SECRET_EXCEPTIONS);

/** Longest first, so a secret that contains another is replaced whole. */
export function secretEnvValues(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string' || value.trim().length < MIN_ENV_SECRET_LENGTH) continue;
    if (EXCEPTIONS.has(name.toUpperCase()) || !isSecretKey(name)) continue;
    values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** Literal replacement (String#includes/replaceAll, no regex): linear in the text per value. */
export function replaceEnvSecrets(values: readonly string[], text: string): string {
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.replaceAll(v, '<redacted>');
  return out;
}
