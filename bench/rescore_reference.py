#!/usr/bin/python3
# The numpy/scipy/sklearn reference of one rescoring (FQ map, post-processing, AUPRC/AUROC/Dice), timed for bench/rescore.bench.ts.
"""Run by bench/rescore.bench.ts with Debian's python: /usr/bin/python3 bench/rescore_reference.py DIR

DIR holds what the Node bench wrote: inputs.json (dims [nx, ny, nz], alpha, threshold, erosion iterations, median
size, repeats) and raw little-endian arrays ssim_loss.f32, l1.f32, brain_mask.u8, labels.u8 in fqlab's voxel order
(i fastest), read here as (nz, ny, nx). Prints one JSON object: the median and each repeat's time in milliseconds
(labels are derived once, as the workbench does; everything else is timed) and the metrics, so the bench can check
that both sides computed the same numbers.
"""
import json
import os
import sys
import time

import numpy as np
from scipy import ndimage
from sklearn.metrics import average_precision_score, roc_auc_score

CROSS_2D = ndimage.generate_binary_structure(2, 1)
CUBE_26 = np.ones((3, 3, 3), dtype=bool)
MAX_REMOVED_COMPONENT = 7  # SPEC 5.5: 26-connected components of <= 7 voxels are dropped before Dice


def rescore(ssim_loss, l1, brain_mask, labels, alpha, threshold, erosions, median_size):
    # fqMap computes alpha * s + (1 - alpha) * l1 in float64 and stores float32.
    fq = (alpha * ssim_loss.astype(np.float64) + (1 - alpha) * l1.astype(np.float64)).astype(np.float32)
    eroded = np.zeros(brain_mask.shape, dtype=bool)
    for k in range(brain_mask.shape[0]):
        eroded[k] = ndimage.binary_erosion(brain_mask[k] != 0, structure=CROSS_2D, iterations=erosions, border_value=0)
    score = ndimage.median_filter(np.where(eroded, fq, np.float32(0)), size=median_size, mode='reflect')
    truth = labels.ravel()
    flat = score.ravel()
    auprc = average_precision_score(truth, flat)
    auroc = roc_auc_score(truth, flat)
    components, _ = ndimage.label(score > np.float32(threshold), structure=CUBE_26)
    sizes = np.bincount(components.ravel())
    keep = sizes > MAX_REMOVED_COMPONENT
    keep[0] = False
    prediction = keep[components].ravel()
    dice = 2 * np.count_nonzero(prediction & truth) / (np.count_nonzero(prediction) + np.count_nonzero(truth))
    return {'auprc': float(auprc), 'auroc': float(auroc), 'dice': float(dice)}


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, 'inputs.json')) as f:
        spec = json.load(f)
    nx, ny, nz = spec['dims']

    def read(name, dtype):
        return np.fromfile(os.path.join(folder, name), dtype=np.dtype(dtype).newbyteorder('<')).reshape(nz, ny, nx)

    ssim_loss = read('ssim_loss.f32', np.float32)
    l1 = read('l1.f32', np.float32)
    brain_mask = read('brain_mask.u8', np.uint8)
    labels = read('labels.u8', np.uint8) != 0
    args = (ssim_loss, l1, brain_mask, labels, spec['alpha'], spec['threshold'], spec['erosions'], spec['medianSize'])
    metrics = rescore(*args)  # warm-up (imports, caches)
    times = []
    for _ in range(spec['repeats']):
        start = time.perf_counter()
        rescore(*args)
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({'medianMs': float(np.median(times)), 'timesMs': times, 'metrics': metrics}))


if __name__ == '__main__':
    main()
