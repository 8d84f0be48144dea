// The server's "now" as the screens use it. In a clinic it is the browser's clock. A demo server
// run with a test clock (`kit serve --demo --test-clock FILE`, docs/adr/0029-test-clock.md) runs
// ahead of the real one by whole minutes and says so in GET /api/v1/info: the app then follows it,
// so that "today", the timers and the times typed as "now" agree with the server's, and every
// screen shows the TEST CLOCK banner.

let offsetMs = 0;

/** The minutes the server's clock runs ahead (0: a real clock). Set from GET /api/v1/info. */
export function followServerClock(offsetMinutes: number): void {
  offsetMs = Number.isFinite(offsetMinutes) && offsetMinutes > 0 ? offsetMinutes * 60_000 : 0;
}

/** Milliseconds since the epoch on the server's clock. */
export function nowMs(): number {
  return Date.now() + offsetMs;
}

/** The server's now as a Date. */
export function now(): Date {
  return new Date(nowMs());
}
