/**
 * After-commit hook for mail: services queue mails in their transaction and call
 * kickMailDispatch() from transaction.afterCommit(); the server registers the dispatcher at
 * start. Without one (tests, scripts), mails wait in the outbox for the next dispatch.
 */
type Dispatcher = () => Promise<unknown>;

let dispatcher: Dispatcher | undefined;
let onError: (error: unknown) => void = () => undefined;
let running: Promise<unknown> | null = null;
let again = false;

export function setMailDispatcher(next: Dispatcher | undefined, errors: (error: unknown) => void = () => undefined): void {
  dispatcher = next;
  onError = errors;
}

export function kickMailDispatch(): void {
  if (!dispatcher) return;
  if (running) {
    again = true;
    return;
  }
  const run = dispatcher;
  running = run()
    .catch(onError)
    .finally(() => {
      running = null;
      if (again) {
        again = false;
        kickMailDispatch();
      }
    });
}

/** Waits for a dispatch in progress (server shutdown). */
export async function mailDispatchIdle(): Promise<void> {
  while (running) await running;
}
