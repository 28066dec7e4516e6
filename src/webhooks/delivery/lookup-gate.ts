/** A look-up refused because too many are in flight (this user's or this replica's); retry shortly. */
export class LookupsBusy extends Error {}

/**
 * Bounds the DNS look-ups in flight on this replica, in all and per user, so hosts whose DNS never
 * answers cannot hold the resolver for everyone: past a bound a look-up is refused at once rather than
 * queued behind the ones that hang.
 */
export class LookupGate {
  private inFlight = 0;
  private readonly perUser = new Map<number, number>();

  constructor(
    private readonly maxInFlight: number,
    private readonly maxPerUser: number,
  ) {}

  /** Takes a place for `userId`; returns its release, or throws `LookupsBusy`. */
  enter(userId: number): () => void {
    const mine = this.perUser.get(userId) ?? 0;
    if (mine >= this.maxPerUser) {
      throw new LookupsBusy('too many host look-ups of this user in flight');
    }
    if (this.inFlight >= this.maxInFlight) {
      throw new LookupsBusy('too many host look-ups in flight');
    }
    this.inFlight += 1;
    this.perUser.set(userId, mine + 1);
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      this.inFlight -= 1;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) {
        this.perUser.set(userId, left);
      } else {
        this.perUser.delete(userId);
      }
    };
  }
}
