/**
 * Clients this isolate refuses for a while, by rate-limit key: the isolate's
 * copy of what a rate limiter already decided, so that a client past its
 * budget costs no token check and no KV read here until the period ends.
 * A cache of the truth (the limiter's), never the truth: another isolate
 * learns it from the limiter on the client's next failure.
 */

/**
 * Far more clients than are ever locked out at once in one isolate; a flood
 * of distinct clients forgets the oldest lockouts first, which only costs a
 * call to the limiter, never lets anyone past it.
 */
export const MAX_LOCKED_CLIENTS = 10_000;

export class ClientLockout {
  readonly #until = new Map<string, number>();

  constructor(private readonly maxClients: number = MAX_LOCKED_CLIENTS) {}

  /** True while `client` is locked out at `now`; forgets an expired lockout. */
  isLocked(client: string, now: number): boolean {
    const until = this.#until.get(client);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(client);
    return false;
  }

  lock(client: string, until: number): void {
    this.#until.delete(client);
    this.#until.set(client, until);
    while (this.#until.size > this.maxClients) {
      const oldest = this.#until.keys().next();
      if (oldest.done === true) break;
      this.#until.delete(oldest.value);
    }
  }
}
