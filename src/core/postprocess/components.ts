// 3D connected components with 26-connectivity, and removal of small ones before Dice (SPEC 5.5).
import { PAPER_PROTOCOL } from '../protocol.ts';
import type { Dims3 } from '../volume.ts';
import { assertGridLength } from '../quality/gridCheck.ts';

/** Labelled components: labels[p] in 1..n for foreground, 0 for background; sizes[l] voxels per label, sizes[0] = background. */
export interface Components {
  labels: Int32Array;
  sizes: number[];
}

/** Root of p with path halving; roots are always the smallest index of their set. */
function findRoot(parent: Int32Array, p: number): number {
  while (parent[p] !== p) {
    parent[p] = parent[parent[p]];
    p = parent[p];
  }
  return p;
}

/** The foreground voxels in memory order, and a union-find forest over them joining 26-neighbours. */
interface LinkedForeground {
  /** parent[p] for foreground p: a smaller-or-equal voxel of the same component; roots are each set's first voxel. */
  parent: Int32Array;
  voxels: Int32Array;
  count: number;
}

/** The non-zero voxels of `binary`, in memory order, into `voxels`; returns how many. */
function nonZeroVoxels(binary: ArrayLike<number>, voxels: Int32Array): number {
  let count = 0;
  for (let p = 0; p < binary.length; p++) if (binary[p] !== 0) voxels[count++] = p;
  return count;
}

/**
 * Unions every foreground voxel (the first `count` of `voxels`, in memory order) with its 13 already-visited
 * 26-neighbours: only foreground voxels do work. `parent` is reusable as it is: only foreground entries are written
 * or read.
 */
function linkForeground(voxels: Int32Array, count: number, isForeground: (q: number) => boolean, dims: Dims3, parent: Int32Array): LinkedForeground {
  const [nx, ny] = dims;
  const area = nx * ny;
  for (let t = 0; t < count; t++) {
    const p = voxels[t];
    const k = Math.floor(p / area);
    const j = Math.floor((p - k * area) / nx);
    const i = p - k * area - j * nx;
    parent[p] = p;
    // The 13 neighbours that come earlier in memory order: previous slice (9), previous row (3), left (1).
    for (let dk = -1; dk <= 0; dk++) {
      if (k + dk < 0) continue;
      for (let dj = -1; dj <= (dk < 0 ? 1 : 0); dj++) {
        if (j + dj < 0 || j + dj >= ny) continue;
        const diMax = dk < 0 || dj < 0 ? 1 : -1;
        for (let di = -1; di <= diMax; di++) {
          if (i + di < 0 || i + di >= nx) continue;
          const q = p + di + nx * (dj + ny * dk);
          if (!isForeground(q)) continue;
          const a = findRoot(parent, p);
          const b = findRoot(parent, q);
          if (a < b) parent[b] = a;
          else if (b < a) parent[a] = b;
        }
      }
    }
  }
  return { parent, voxels, count };
}

/** linkForeground of the non-zero voxels of a binary volume, on new buffers. */
function linkNonZero(binary: ArrayLike<number>, dims: Dims3): LinkedForeground {
  const voxels = new Int32Array(binary.length);
  const count = nonZeroVoxels(binary, voxels);
  return linkForeground(voxels, count, (q) => binary[q] !== 0, dims, new Int32Array(binary.length));
}

/**
 * Labels the 26-connected components of the non-zero voxels, numbered by their first voxel in memory
 * order: scipy.ndimage.label(binary, structure=np.ones((3, 3, 3))) on the (nz, ny, nx) array.
 * sizes follows np.bincount(labels): sizes[0] counts background, sizes[l] the voxels of label l.
 * @example const { labels, sizes } = connectedComponents26(binary, [96, 96, 50]);
 */
export function connectedComponents26(binary: ArrayLike<number>, dims: Dims3): Components {
  assertGridLength(binary.length, dims, 'connectedComponents26');
  const { parent, voxels, count } = linkNonZero(binary, dims);
  const labels = new Int32Array(binary.length);
  const sizes = [binary.length - count];
  for (let t = 0; t < count; t++) {
    const p = voxels[t];
    const root = findRoot(parent, p);
    // The root is the component's first voxel, so it is labelled before any other member.
    if (root === p) {
      labels[p] = sizes.length;
      sizes.push(0);
    } else {
      labels[p] = labels[root];
    }
    sizes[labels[p]]++;
  }
  return { labels, sizes };
}

function assertMaxRemovedSize(maxRemovedSize: number, caller: string): void {
  if (!Number.isInteger(maxRemovedSize) || maxRemovedSize < 0) {
    throw new RangeError(`${caller}: maxRemovedSize must be a non-negative integer, got ${maxRemovedSize}`);
  }
}

/**
 * Keeps only 26-connected components larger than maxRemovedSize voxels (reference: <= 7 removed), as 0/1.
 * @example const cleaned = removeSmallComponents(fq > threshold, [96, 96, 50]);
 */
export function removeSmallComponents(binary: ArrayLike<number>, dims: Dims3, maxRemovedSize = PAPER_PROTOCOL.postprocess.maxRemovedComponentVoxels): Uint8Array {
  assertMaxRemovedSize(maxRemovedSize, 'removeSmallComponents');
  assertGridLength(binary.length, dims, 'removeSmallComponents');
  const { parent, voxels, count } = linkNonZero(binary, dims);
  // Component sizes, kept at each component's root voxel.
  const sizeAtRoot = new Int32Array(binary.length);
  for (let t = 0; t < count; t++) {
    const p = voxels[t];
    const root = findRoot(parent, p);
    parent[p] = root;
    sizeAtRoot[root]++;
  }
  const out = new Uint8Array(binary.length);
  for (let t = 0; t < count; t++) {
    const p = voxels[t];
    out[p] = sizeAtRoot[parent[p]] > maxRemovedSize ? 1 : 0;
  }
  return out;
}

/** Buffers of keptForegroundCounts, reused between calls (it is synchronous, so one set per thread will do). */
const reused = { parent: new Int32Array(0), voxels: new Int32Array(0), sizeAtRoot: new Int32Array(0) };

function reusedBuffers(n: number): typeof reused {
  if (reused.parent.length < n) {
    reused.parent = new Int32Array(n);
    reused.voxels = new Int32Array(n);
    reused.sizeAtRoot = new Int32Array(n);
  }
  return reused;
}

/** Voxels a filtered prediction keeps, and how many of them are labelled anomalous. */
export interface KeptForegroundCounts {
  predicted: number;
  truePositives: number;
}

/**
 * The counts of removeSmallComponents(binarize(scores, threshold)) against `labels`, without building either volume:
 * what Dice at a threshold needs, on reused buffers (no per-call allocation of volume-sized arrays).
 * @example const { predicted, truePositives } = keptForegroundCounts(map, 0.12, labels, [96, 96, 50]);
 */
export function keptForegroundCounts(
  scores: Float32Array,
  threshold: number,
  labels: Uint8Array,
  dims: Dims3,
  maxRemovedSize = PAPER_PROTOCOL.postprocess.maxRemovedComponentVoxels,
): KeptForegroundCounts {
  assertMaxRemovedSize(maxRemovedSize, 'keptForegroundCounts');
  assertGridLength(scores.length, dims, 'keptForegroundCounts scores');
  assertGridLength(labels.length, dims, 'keptForegroundCounts labels');
  const { parent, voxels, sizeAtRoot } = reusedBuffers(scores.length);
  let count = 0;
  for (let p = 0; p < scores.length; p++) if (scores[p] > threshold) voxels[count++] = p;
  linkForeground(voxels, count, (q) => scores[q] > threshold, dims, parent);
  for (let t = 0; t < count; t++) {
    const p = voxels[t];
    const root = findRoot(parent, p);
    parent[p] = root;
    sizeAtRoot[root]++;
  }
  let predicted = 0;
  let truePositives = 0;
  for (let t = 0; t < count; t++) {
    const p = voxels[t];
    if (sizeAtRoot[parent[p]] <= maxRemovedSize) continue;
    predicted++;
    if (labels[p] !== 0) truePositives++;
  }
  // Roots back to zero for the next call.
  for (let t = 0; t < count; t++) sizeAtRoot[parent[voxels[t]]] = 0;
  return { predicted, truePositives };
}
