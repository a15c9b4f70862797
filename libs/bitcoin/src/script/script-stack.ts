import { ScriptError } from './script-error.js';
import { ScriptException } from './script-num.js';

/** Bytes charged per stack item on top of its length (the reference node's ELEMENT_OVERHEAD). */
export const STACK_ELEMENT_OVERHEAD = 32;

/** Memory charged to a stack and the altstacks evaluated with it. */
export class StackMemory {
  used = 0;
  constructor(readonly max: number) {}

  charge(bytes: number): void {
    if (this.used + bytes > this.max) throw new ScriptException(ScriptError.STACK_SIZE, 'stack memory usage limit exceeded');
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }
}

/**
 * A script stack with memory accounting as the reference node's LimitedStack. Items are
 * never modified in place, so they may share buffers (with the script, or each other).
 */
export class ScriptStack {
  readonly items: Uint8Array[] = [];

  constructor(readonly memory: StackMemory) {}

  static withLimit(maxMemory: number): ScriptStack {
    return new ScriptStack(new StackMemory(maxMemory));
  }

  get length(): number {
    return this.items.length;
  }

  /** Item counted from the top: -1 is the top. */
  top(index: number): Uint8Array {
    return this.items[this.items.length + index];
  }

  push(item: Uint8Array): void {
    this.memory.charge(item.length + STACK_ELEMENT_OVERHEAD);
    this.items.push(item);
  }

  pop(): Uint8Array {
    const item = this.items.pop()!;
    this.memory.release(item.length + STACK_ELEMENT_OVERHEAD);
    return item;
  }

  /** Replace the item at `index` (from the top) with one of a different length, charging the difference. */
  replace(index: number, item: Uint8Array): void {
    const i = this.items.length + index;
    const old = this.items[i];
    if (item.length > old.length) this.memory.charge(item.length - old.length);
    else this.memory.release(old.length - item.length);
    this.items[i] = item;
  }

  /** Remove the item at `index` from the top. */
  erase(index: number): void {
    const [item] = this.items.splice(this.items.length + index, 1);
    this.memory.release(item.length + STACK_ELEMENT_OVERHEAD);
  }

  /** Insert before the item at `index` from the top (index -1 inserts below the top). */
  insert(index: number, item: Uint8Array): void {
    this.memory.charge(item.length + STACK_ELEMENT_OVERHEAD);
    this.items.splice(this.items.length + index, 0, item);
  }

  swap(i: number, j: number): void {
    const a = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = a;
  }

  /** Move the top item to `other`, which shares this stack's memory (altstack moves). */
  moveTopTo(other: ScriptStack): void {
    other.items.push(this.items.pop()!);
  }

  /** An independent copy with its own memory account at the same usage (P2SH's saved stack). */
  copy(): ScriptStack {
    const memory = new StackMemory(this.memory.max);
    memory.used = this.memory.used;
    const c = new ScriptStack(memory);
    for (const item of this.items) c.items.push(item);
    return c;
  }
}
