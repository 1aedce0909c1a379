// Saves bytes or text produced in the page as a file download (object URL + <a download>); nothing is uploaded.
/**
 * Offers bytes to the user as a download.
 * @example downloadBytes('fq_case1.nii.gz', bytes, 'application/gzip');
 */
export function downloadBytes(fileName: string, bytes: Uint8Array | string | Blob, mimeType = 'application/octet-stream'): void {
  const blob = bytes instanceof Blob ? bytes : new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], { type: mimeType });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe version of a case id or label. */
export function safeFileStem(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'fqlab';
}
