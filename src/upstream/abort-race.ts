/**
 * Races platform promises against an AbortSignal. Socket reads and
 * `socket.opened` do not take a signal, and whether closing the socket settles
 * a pending read is not something to rely on: the race guarantees a transport
 * returns as soon as the signal fires.
 */

export const ABORTED: unique symbol = Symbol('aborted');

export interface AbortRace {
  /** Resolves to ABORTED when the signal fires (at once if it already has). */
  readonly aborted: Promise<typeof ABORTED>;
  /** Removes the listener; call in `finally`. */
  dispose(): void;
}

export function raceAbort(signal: AbortSignal, onAbort?: () => void): AbortRace {
  let listener: (() => void) | undefined;
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    listener = () => {
      onAbort?.();
      resolve(ABORTED);
    };
    if (signal.aborted) listener();
    else signal.addEventListener('abort', listener, { once: true });
  });
  return {
    aborted,
    dispose: () => {
      if (listener !== undefined) signal.removeEventListener('abort', listener);
    },
  };
}
