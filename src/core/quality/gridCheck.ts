// Argument checks shared by the quality-map and post-processing functions: a flat array must match its grid.
import type { Dims3 } from '../volume.ts';

/** Throws a RangeError unless dims are positive integers and `length` equals nx * ny * nz. */
export function assertGridLength(length: number, dims: Dims3, what: string): void {
  const [nx, ny, nz] = dims;
  if (![nx, ny, nz].every((d) => Number.isInteger(d) && d > 0)) {
    throw new RangeError(`${what}: grid dims must be positive integers, got [${dims.join(', ')}]`);
  }
  if (length !== nx * ny * nz) {
    throw new RangeError(`${what}: has ${length} values but the grid [${dims.join(', ')}] needs ${nx * ny * nz}`);
  }
}

/** Throws a RangeError unless two flat arrays have the same length. */
export function assertSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) {
    throw new RangeError(`${what}: inputs differ in length (${a.length} vs ${b.length})`);
  }
}
