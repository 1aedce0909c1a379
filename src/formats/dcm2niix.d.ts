// Types for the Emscripten module inside @niivue/dcm2niix, which its exports map hides (vite.config.ts aliases the path).
declare module '@niivue/dcm2niix/dist/dcm2niix.jpeg.js' {
  import type { Dcm2niixModule, Dcm2niixOptions } from './readerTypes.ts';

  const createDcm2niix: (options: Dcm2niixOptions & { locateFile: (path: string) => string }) => Promise<Dcm2niixModule>;
  export default createDcm2niix;
}

declare module '@niivue/dcm2niix/dist/dcm2niix.jpeg.wasm?url' {
  const url: string;
  export default url;
}
