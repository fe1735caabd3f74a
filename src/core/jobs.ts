import { describeError, type Logger } from './logger';

export interface Job {
  name: string;
  everyMs: number;
  /** Does one batch of work and returns how many things it handled. */
  run(): Promise<number>;
}

/**
 * Runs timed work in this instance. Every instance runs every job: jobs are written to be safe
 * that way (each claims its rows with FOR UPDATE SKIP LOCKED), so there is no leader to elect.
 * A job never overlaps itself within an instance; the first run waits a random part of the
 * period so that instances started together do not run in lockstep.
 */
export function startJobs(jobs: Job[], log: Logger): { stop(): Promise<void> } {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  for (const job of jobs) {
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      const run = job
        .run()
        .then((handled) => handled > 0 && log.info('job ran', { job: job.name, handled }))
        .catch((err) => log.error('job failed', { job: job.name, ...describeError(err) }))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    const first = setTimeout(
      () => {
        tick();
        const every = setInterval(tick, job.everyMs);
        every.unref();
        timers.push(every);
      },
      Math.floor(Math.random() * job.everyMs),
    );
    first.unref();
    timers.push(first);
  }
  return {
    async stop() {
      stopped = true;
      timers.forEach((t) => clearTimeout(t));
      await Promise.allSettled([...running]);
    },
  };
}
