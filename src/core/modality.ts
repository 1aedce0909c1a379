// The MRI sequences (modalities) fqlab knows; the AIR rule (air.ts) and the file-name guesses (analysis/fileRoles.ts) key on them.

export const MODALITIES = ['T1', 'T2', 'FLAIR', 'T1CE', 'PD'] as const;

/** One MRI sequence: T1-, T2-weighted, FLAIR, contrast-enhanced T1, proton density. */
export type Modality = (typeof MODALITIES)[number];
