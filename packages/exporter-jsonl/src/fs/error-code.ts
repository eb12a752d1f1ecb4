/** The `code` of a Node system error (`ENOENT`, `ENOSPC`, …), 'EUNKNOWN' for anything else. */
export function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

/** `CODE: message` for a system error, the message or the value's text otherwise. */
export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e.message === 'string') return e.code ? `${e.code}: ${e.message}` : e.message;
  return String(err);
}
