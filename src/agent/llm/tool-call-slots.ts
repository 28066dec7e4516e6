/**
 * Numbers streamed tool-call pieces by call, not by the provider's `index` alone. OpenAI sends `index`
 * on every piece and the id on the first; Gemini's OpenAI-compatible endpoint omits `index` (each call
 * arrives whole, with its id), and some servers send several calls at index 0, each with its own id.
 * A piece with a new id starts a new call; a piece without an id continues the call its index names,
 * or, without an index, the latest call.
 */
export class ToolCallSlots {
  private readonly byId = new Map<string, number>();
  private readonly byIndex = new Map<number, number>();
  private count = 0;
  private last = -1;

  slotOf(index: number | null | undefined, id: string | null | undefined): number {
    const hasIndex = typeof index === 'number';
    let slot: number | undefined;
    if (id) {
      slot = this.byId.get(id);
      if (slot === undefined) {
        slot = this.count++;
        this.byId.set(id, slot);
      }
    } else if (hasIndex) {
      slot = this.byIndex.get(index);
    } else if (this.last >= 0) {
      slot = this.last;
    }
    if (slot === undefined) {
      slot = this.count++;
    }
    if (hasIndex) {
      this.byIndex.set(index, slot);
    }
    this.last = slot;
    return slot;
  }
}
