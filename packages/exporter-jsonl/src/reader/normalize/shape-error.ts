/**
 * Why an OTLP/JSON value was rejected, with the JSON path of the offending field
 * (`resourceSpans[0].scopeSpans[2].spans[7].traceId`). The path is assembled only when a value
 * is rejected: each container level catches, prepends its own step and rethrows, so the fast
 * path (valid data) never builds path strings.
 */
export class OtlpShapeError extends TypeError {
  readonly reason: string;
  private readonly steps: string[] = [];

  constructor(reason: string) {
    super(reason);
    this.name = 'OtlpShapeError';
    this.reason = reason;
  }

  /** The JSON path of the rejected field, outermost step first. */
  get path(): string {
    let out = '';
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i] as string;
      out += step.startsWith('[') || out === '' ? step : '.' + step;
    }
    return out;
  }

  /** Records that the rejected value sits under `step` and returns the error for rethrowing. */
  under(step: string | number): this {
    this.steps.push(typeof step === 'number' ? `[${step}]` : step);
    this.message = this.steps.length > 0 ? `${this.path}: ${this.reason}` : this.reason;
    return this;
  }
}

/** Rethrows `err` with `step` prepended to its path; other errors pass through unchanged. */
export function rethrowUnder(err: unknown, step: string | number): never {
  if (err instanceof OtlpShapeError) throw err.under(step);
  throw err;
}

/** A short, safe rendering of a rejected value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
