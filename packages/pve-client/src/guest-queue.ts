// Optional per-guest serialisation of mutating calls: a call on a guest waits until the previous mutation
// on that guest, including the task it started, has finished, so the client never races its own config lock.

export class GuestQueue {
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Runs `fn` after every earlier entry for `key` has released. When `holdUntil` is given, the entry stays
   * held until the promise it returns settles (e.g. until the started task has stopped).
   */
  async run<T>(
    key: string,
    fn: () => Promise<T>,
    holdUntil?: (result: T) => Promise<unknown>,
  ): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    await previous;
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      release();
      throw err;
    }
    if (holdUntil) {
      holdUntil(result).then(release, release);
    } else {
      release();
    }
    return result;
  }

  /** Number of guests with queued or running mutations. */
  get size(): number {
    return this.#tails.size;
  }
}
