/** The engine never reads the wall clock itself: it is handed a clock, so that results can be replayed. */
export interface Clock {
  now(): Date;
}

/** The real clock, for the CLI and the server. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock frozen at one instant, for tests and replays. */
export function fixedClock(iso: string): Clock {
  const at = new Date(iso);
  return { now: () => new Date(at.getTime()) };
}
