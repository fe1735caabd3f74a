/** Latency samples of one run, in milliseconds, and what the report needs from them. */
export class Samples {
  private values: number[] = [];

  add(ms: number): void {
    this.values.push(ms);
  }

  get count(): number {
    return this.values.length;
  }

  /** Nearest-rank percentile. */
  percentile(p: number): number {
    if (this.values.length === 0) return NaN;
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  }
}

export interface RunResult {
  ops: number;
  errors: number;
  firstError?: string;
  seconds: number;
  latency: Samples;
  /** Latency of the single checkoutComplete request, for the checkout workload. */
  checkoutRequest?: Samples;
  statements: number;
}

export const perSecond = (r: RunResult): number => r.ops / r.seconds;
export const statementsPerOp = (r: RunResult): number => (r.ops ? r.statements / r.ops : NaN);

/** What one operation reports besides its duration. */
export interface OpMeasure {
  /** SQL statements sent for the operation. */
  statements: number;
  /** Duration of its checkoutComplete request, in ms (checkout journeys). */
  checkoutMs?: number;
}

/**
 * Runs `op` from `concurrency` virtual users for `warmupMs` (discarded), then for `durationMs`
 * (measured); each user starts its next operation when the last one ends (closed loop).
 */
export async function drive(
  concurrency: number,
  warmupMs: number,
  durationMs: number,
  op: (user: number, measure: OpMeasure) => Promise<void>,
): Promise<RunResult> {
  const result: RunResult = { ops: 0, errors: 0, seconds: 0, latency: new Samples(), statements: 0 };
  let measuring = false;
  let stopAt = Date.now() + warmupMs;
  const user = async (i: number) => {
    while (Date.now() < stopAt) {
      const counted = measuring;
      const measure: OpMeasure = { statements: 0 };
      const started = performance.now();
      try {
        await op(i, measure);
        if (!counted) continue;
        result.ops += 1;
        result.latency.add(performance.now() - started);
        result.statements += measure.statements;
        if (measure.checkoutMs !== undefined) (result.checkoutRequest ??= new Samples()).add(measure.checkoutMs);
      } catch (err) {
        if (!counted) continue;
        result.errors += 1;
        result.firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  // Warm-up: JIT, connection pools, caches.
  await Promise.all(Array.from({ length: concurrency }, (_, i) => user(i)));
  measuring = true;
  const started = performance.now();
  stopAt = Date.now() + durationMs;
  await Promise.all(Array.from({ length: concurrency }, (_, i) => user(i)));
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
