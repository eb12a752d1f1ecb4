/**
 * Mirrors the session to disk without writing on every change: changes (breadcrumbs, app
 * state) are coalesced into at most one write per `throttleMs`, and a heartbeat rewrites the
 * file every `heartbeatMs` so the next start can tell roughly when an abnormal session died.
 * Timers are unref'd: they never keep the process alive.
 */
export class ThrottledSessionWriter {
  private pending: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastWriteMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly write: () => void,
    private readonly heartbeatMs: number,
    private readonly beforeHeartbeat: () => void,
    private readonly throttleMs = 1000,
  ) {}

  start(): void {
    if (this.stopped || this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      this.beforeHeartbeat();
      this.writeNow();
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Leading edge: the first change after a quiet period is written at once (a crash right
   * after setSessionState() still finds the state on disk); later ones within `throttleMs`
   * are coalesced into one trailing write.
   */
  schedule(): void {
    if (this.stopped || this.pending) return;
    const wait = this.lastWriteMs + this.throttleMs - Date.now();
    if (wait <= 0) {
      this.writeNow();
      return;
    }
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.writeNow();
    }, wait);
    this.pending.unref();
  }

  private writeNow(): void {
    this.lastWriteMs = Date.now();
    this.write();
  }

  stop(): void {
    this.stopped = true;
    if (this.pending) clearTimeout(this.pending);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.pending = undefined;
    this.heartbeat = undefined;
  }
}
