/** One recent event kept for the next crash report (Sentry's "breadcrumbs"). */
export interface Breadcrumb {
  /** ISO-8601 UTC; filled in when missing. */
  timestamp?: string;
  /** Free-form area: `log`, `navigation`, `plugin`, `child_process`, `worker`, `signal`, ... */
  category?: string;
  message: string;
  level?: 'debug' | 'info' | 'warning' | 'error' | 'fatal';
  data?: Record<string, string | number | boolean>;
}

const MAX_MESSAGE = 1024;
const MAX_DATA_KEYS = 20;

/** Fixed-size ring: the newest `max` breadcrumbs, oldest first when read. Memory is bounded. */
export class BreadcrumbRing {
  private readonly items: Breadcrumb[] = [];
  private next = 0;

  constructor(
    readonly max: number,
    private readonly scrub: (s: string) => string,
  ) {}

  add(input: Breadcrumb): void {
    if (this.max <= 0 || typeof input !== 'object' || input === null) return;
    const crumb: Breadcrumb = {
      timestamp: typeof input.timestamp === 'string' ? input.timestamp : new Date().toISOString(),
      message: this.scrub(String(input.message ?? '').slice(0, MAX_MESSAGE)),
    };
    if (typeof input.category === 'string') crumb.category = input.category.slice(0, 100);
    if (typeof input.level === 'string') crumb.level = input.level;
    if (input.data && typeof input.data === 'object') {
      const data: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(input.data).slice(0, MAX_DATA_KEYS)) {
        if (typeof v === 'string') data[k] = this.scrub(v.slice(0, MAX_MESSAGE));
        else if (typeof v === 'number' || typeof v === 'boolean') data[k] = v;
      }
      crumb.data = data;
    }
    if (this.items.length < this.max) {
      this.items.push(crumb);
    } else {
      this.items[this.next] = crumb;
      this.next = (this.next + 1) % this.max;
    }
  }

  /** Oldest first. */
  toArray(): Breadcrumb[] {
    if (this.items.length < this.max) return this.items.slice();
    return this.items.slice(this.next).concat(this.items.slice(0, this.next));
  }
}
