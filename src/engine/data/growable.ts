// Append-only typed arrays that double their capacity: how the LIBSVM reader collects millions of
// sparse entries without building JS arrays of boxed numbers.

type TypedArray = Uint32Array | Float32Array | Float64Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

export class Growable<T extends TypedArray> {
  private data: T;
  private size = 0;

  constructor(private readonly make: TypedArrayConstructor<T>, initialCapacity = 1024) {
    this.data = new make(initialCapacity);
  }

  get length(): number { return this.size; }

  push(value: number): void {
    if (this.size === this.data.length) {
      const bigger = new this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size++] = value;
  }

  /** The values pushed so far, in an array of exactly that length (a copy: the builder may keep growing). */
  toArray(): T {
    return this.data.slice(0, this.size) as T;
  }
}
