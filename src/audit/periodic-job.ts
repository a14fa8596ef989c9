/**
 * A background job of the app process: runs `work` every `everyMs`, never two runs at once in
 * this process (a run still going when the timer fires is not doubled), and does not keep the
 * process alive. Jobs that must not overlap across instances take an advisory lock inside `work`.
 */
export function startPeriodicJob(work: () => Promise<unknown>, everyMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = work()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  }, everyMs);
  timer.unref();
  return {
    /** Stops the timer and waits for a run in progress, so the pool can be closed after it. */
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
