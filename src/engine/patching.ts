// The pDDPM patch grid: a fixed 2 x 2 grid of 48 x 48 boxes on a 96 x 96 slice, or the whole slice for plain DDPM (SPEC 3).
import { PAPER_PROTOCOL } from '../core/protocol.ts';

/** Side of a conformed axial slice (the grid's slices are square). */
export const SLICE_SIZE = PAPER_PROTOCOL.grid[0];
/** Side of a pDDPM box. */
export const PATCH_SIZE = 48;

/** 'patched' = pDDPM (2 x 2 boxes); 'whole' = plain DDPM (one box = the whole slice). */
export type PatchingMode = 'patched' | 'whole';

/** A rectangle of a slice, rows [row0, row0 + rows) and columns [col0, col0 + cols). */
export interface PatchBox {
  row0: number;
  col0: number;
  rows: number;
  cols: number;
}

/** The boxes in row-major order (top-left, top-right, bottom-left, bottom-right for 'patched'). */
export function patchBoxes(mode: PatchingMode, size = SLICE_SIZE, patch = PATCH_SIZE): PatchBox[] {
  if (mode === 'whole') return [{ row0: 0, col0: 0, rows: size, cols: size }];
  if (size % patch !== 0) throw new RangeError(`patchBoxes: slice size ${size} is not a multiple of the box size ${patch}`);
  const boxes: PatchBox[] = [];
  for (let r = 0; r < size; r += patch) {
    for (let c = 0; c < size; c += patch) boxes.push({ row0: r, col0: c, rows: patch, cols: patch });
  }
  return boxes;
}

/** 1 inside the box, 0 outside; size * size row-major. */
export function boxMask(box: PatchBox, size = SLICE_SIZE, out: Float32Array = new Float32Array(size * size)): Float32Array {
  out.fill(0);
  for (let r = box.row0; r < box.row0 + box.rows; r++) out.fill(1, r * size + box.col0, r * size + box.col0 + box.cols);
  return out;
}
