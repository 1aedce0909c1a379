// Where Debian's Chromium lives and the flags it needs here (no sandbox as root, no network chatter, WebGPU allowed).
export const chromiumPath = process.env.FQLAB_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
