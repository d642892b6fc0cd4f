import { Cron } from 'croner';
import type { Timer } from '@azure/functions';
import type { RegisteredFunction } from './functions-core';
import { invokeFunction } from './invoke';

/**
 * A timer trigger with the Functions host's semantics: a 6-field NCRONTAB schedule (seconds first) in UTC
 * unless WEBSITE_TIME_ZONE says otherwise, `runOnStartup`, and never two runs of the same timer at once (an
 * occurrence that falls while the previous run is still going is skipped, as the host's singleton lock does).
 * A failing run is logged and the schedule goes on.
 */

export interface TimerJobOptions {
  fn: RegisteredFunction;
  /** Already resolved from `%SETTING%`. */
  schedule: string;
  runOnStartup: boolean;
  /** IANA zone; the host's default is UTC. */
  timezone: string;
  log: (line: string) => void;
}

export interface TimerJob {
  readonly functionName: string;
  nextRun(): Date | null;
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

/** A paused job for the schedule; it throws a message naming the function when the schedule is invalid. */
export function parseSchedule(schedule: string, timezone: string, functionName: string): Cron {
  if (schedule.trim().split(/\s+/).length !== 6) {
    throw new Error(
      `Function "${functionName}": schedule "${schedule}" must be a 6-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}).`,
    );
  }
  try {
    // NCrontab requires both day fields to match when both are restricted; classic cron would OR them.
    return new Cron(schedule, { paused: true, mode: '6-part', timezone, domAndDow: true });
  } catch (error) {
    throw new Error(`Function "${functionName}": invalid schedule "${schedule}": ${(error as Error).message}`, { cause: error });
  }
}

export function startTimerJob(options: TimerJobOptions): TimerJob {
  const { fn, log } = options;
  const functionName = fn.metadata.name;
  const job = parseSchedule(options.schedule, options.timezone, functionName);
  let running: Promise<void> | undefined;
  let last: Date | undefined;
  let stopped = false;

  const fire = (reason: string): void => {
    if (stopped) return;
    if (running) {
      log(`Timer '${functionName}': skipping an occurrence, the previous run is still in progress.`);
      return;
    }
    const now = new Date();
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: (last ?? now).toISOString(),
        next: (job.nextRun(now) ?? now).toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    last = now;
    running = invokeFunction({ fn, input: timer, log, reason })
      .then(() => undefined)
      // invokeFunction has logged the failure; the schedule goes on.
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
      });
  };

  job.schedule(() => fire('Timer fired'));
  job.resume();
  if (options.runOnStartup) fire('Timer fired at startup (runOnStartup)');

  return {
    functionName,
    nextRun: () => job.nextRun(),
    async stop() {
      stopped = true;
      job.stop();
      await running;
    },
  };
}
