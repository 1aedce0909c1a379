// Where the workbench serves itk-wasm's elastix pipeline from its own origin (the build copies it there; see vite.config.ts).

/** URL path under the site's base, and the files itk-wasm loads from it (the module, and its zstd-compressed WASM). */
export const ELASTIX_PIPELINE_PATH = 'itk/elastix';
export const ELASTIX_PIPELINE_FILES = ['elastix.js', 'elastix.wasm.zst'] as const;
