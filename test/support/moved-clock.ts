/**
 * `.ci/run` repeats the date-sensitive tests with the clock moved forward by Debian's libfaketime
 * (LD_PRELOAD with FAKETIME="+45d" and "+400d"): this process, its children and the embedded
 * PostgreSQL it starts all live on the moved date. These helpers keep that true for children
 * started with an environment of their own, and keep it away from Chromium, which does not run
 * under libfaketime (its pages only display times; the server decides every one of them).
 */
const CLOCK_VARIABLES = /^(LD_PRELOAD|FAKETIME|FAKETIME_.+|NO_FAKE_STAT|DONT_FAKE_MONOTONIC)$/;

/** The variables that move the clock of this process, for a child with an environment of its own. */
export function movedClockEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => CLOCK_VARIABLES.test(entry[0]) && entry[1] !== undefined));
}

/** This process's environment without the moved clock. */
export function realClockEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => !CLOCK_VARIABLES.test(entry[0]) && entry[1] !== undefined),
  );
}
