import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Figures the suite measured, for RELIABILITY.md: printed, and appended as JSON lines to
 * $RELIABILITY_FIGURES (when set) so a run's numbers can be collected exactly.
 */
export function recordFigure(name: string, figure: Record<string, unknown>): void {
  const line = JSON.stringify({ name, at: new Date().toISOString(), ...figure });
  console.log(`[figure] ${line}`);
  const out = process.env.RELIABILITY_FIGURES;
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    appendFileSync(out, line + '\n');
  }
}
