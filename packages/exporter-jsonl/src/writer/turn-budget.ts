/**
 * One budget of synchronous work per turn of the event loop, shared by the exporters' encoding
 * slices and the writer's drain passes. Each of them alone stays short, but several can run
 * in the same turn (setImmediate callbacks queued together run back to back, and an export
 * may start from the caller's turn), and it is their sum the host's event loop feels.
 *
 * A turn is told apart by a setImmediate that resets the count: scheduled by the first piece
 * of work of a turn, it runs at the start of the next turn's immediates, before the slices and
 * passes that the work of this turn queued.
 */
export const TURN_BUDGET_MS = 0.6;

let spentMs = 0;
let resetScheduled = false;

function resetTurn(): void {
  spentMs = 0;
  resetScheduled = false;
}

/** Milliseconds of synchronous work still available in this turn (may be ≤ 0). */
export function turnBudgetLeft(): number {
  if (!resetScheduled) {
    resetScheduled = true;
    setImmediate(resetTurn);
  }
  return TURN_BUDGET_MS - spentMs;
}

/** Records `ms` of synchronous work done in this turn. */
export function chargeTurn(ms: number): void {
  spentMs += ms;
}
