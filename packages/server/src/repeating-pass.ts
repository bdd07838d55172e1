/**
 * Background work of the server that runs again and again (retention, alert deliveries): a pass
 * after `delayMs`, then another `intervalMs` after each one ends (never two at once). Its timer never
 * keeps the process alive; `stop()` ends the repetition and waits for the pass under way.
 */
export class RepeatingPass {
  readonly #pass: () => Promise<void>;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  /** `pass` must not reject: it says what went wrong itself. */
  constructor(pass: () => Promise<void>, intervalMs: number) {
    this.#pass = pass;
    this.#intervalMs = intervalMs;
  }

  /** True once `stop()` was called: a long pass may end early. */
  get stopped(): boolean {
    return this.#stopped;
  }

  start(delayMs: number): void {
    if (this.#stopped || this.#timer) return;
    this.#schedule(delayMs);
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#running = this.#pass().finally(() => {
        this.#running = undefined;
        if (!this.#stopped) this.#schedule(this.#intervalMs);
      });
    }, ms).unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
