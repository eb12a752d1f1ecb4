const warned = new Set<string>();

/**
 * Tells the user once per message and process about configuration that does not apply (an
 * OTEL_* value we ignore, a propagator package that is not installed): a process warning,
 * printed on stderr by Node unless the host handles 'warning' events; never a throw.
 */
export function configWarning(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  try {
    process.emitWarning(`otelspool: ${message}`, { code: 'OTELSPOOL_CONFIG' });
  } catch {
    // a host's warning listener must not turn this into a failure
  }
}
