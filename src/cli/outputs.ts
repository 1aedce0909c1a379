// Output files of one CLI command: paths checked before any work, contents held until it succeeds, then written atomically.
import { closeSync, mkdirSync, openSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FqlabError } from '../core/errors.ts';
import { fileTypeName, systemReason } from './io.ts';

/** The file, or null when nothing is there (a missing level, or a path through a file, which the caller finds). */
function statOrNull(path: string, requested: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new FqlabError('bad-argument', requested, `cannot be used for output (${path}: ${systemReason(error)}); choose another path.`);
  }
}

/**
 * The outputs a command will write. Paths are checked when declared (before any work: an output folder must be an
 * existing folder the user can write in, or creatable under one; an output file must not be a folder or a device),
 * contents are kept in memory, and only `commit` touches the disk: it writes every file under a temporary name beside
 * its target and then renames them all, so a command that fails, or is stopped, leaves no output behind.
 */
export class PendingOutputs {
  private readonly folders = new Map<string, string>();
  private readonly files = new Map<string, { path: string; contents: Uint8Array | string | null }>();

  /** Checks an output folder now; it is created (with missing parents) at commit. */
  folder(path: string): void {
    this.checkFolder(resolve(path), path);
  }

  /** `requested` is the path the user gave (the folder itself or a file in it), which every message names. */
  private checkFolder(folder: string, requested: string): void {
    if (this.folders.has(folder)) return;
    let existing = folder;
    let stats = statOrNull(existing, requested);
    while (stats === null) {
      existing = dirname(existing);
      stats = statOrNull(existing, requested);
    }
    if (!stats.isDirectory()) {
      const where = existing === resolve(requested) ? 'it' : existing;
      const kind = stats.isFile() ? 'a file' : fileTypeName(stats);
      throw new FqlabError('bad-argument', requested, `cannot be written: ${where} is ${kind}, not a folder; choose another path.`);
    }
    probeWritable(existing, requested);
    this.folders.set(folder, requested);
  }

  /** Checks an output file path now: not a folder or a device, in a folder that can be written. */
  file(path: string): void {
    const resolved = resolve(path);
    if (this.files.has(resolved)) {
      throw new FqlabError('bad-argument', path, 'is named for two outputs of this command; give each output its own file name.');
    }
    const stats = statOrNull(resolved, path);
    if (stats?.isDirectory()) {
      throw new FqlabError('bad-argument', path, `is a folder; give the name of the file to write (e.g. ${join(path, 'out.nii.gz')}).`);
    }
    if (stats && !stats.isFile()) {
      throw new FqlabError('bad-argument', path, `is ${fileTypeName(stats)}, not a regular file; give the name of a file to write.`);
    }
    this.checkFolder(dirname(resolved), path);
    this.files.set(resolved, { path, contents: null });
  }

  /** Keeps the contents of an output (declaring its path first if the command has not); nothing is written yet. */
  write(path: string, contents: Uint8Array | string): void {
    const resolved = resolve(path);
    if (!this.files.has(resolved)) this.file(path);
    const entry = this.files.get(resolved)!;
    if (entry.contents !== null) {
      throw new FqlabError('bad-argument', path, 'would be written twice by this command (two inputs with the same name?); rename one input.');
    }
    entry.contents = contents;
  }

  /**
   * Creates the folders, writes each file under a temporary name beside it, then renames them into place. On failure
   * it removes the temporaries and the folders it made, and throws an error naming the path that failed.
   */
  commit(): void {
    const createdFolders: string[] = [];
    const temporaries = new Map<string, string>();
    const written = [...this.files].filter(([, entry]) => entry.contents !== null);
    let current = '';
    let renamed = 0;
    try {
      for (const [folder, path] of this.folders) {
        current = path;
        createFolder(folder, createdFolders);
      }
      for (const [target, entry] of written) {
        current = entry.path;
        const temporary = join(dirname(target), `.${basename(target)}.fqlab-${process.pid}.partial`);
        writeFileSync(temporary, entry.contents!, { flag: 'wx' });
        temporaries.set(target, temporary);
      }
      for (const [target, entry] of written) {
        current = entry.path;
        renameSync(temporaries.get(target)!, target);
        temporaries.delete(target);
        renamed++;
      }
    } catch (error) {
      for (const temporary of temporaries.values()) removeQuietly(() => unlinkSync(temporary));
      if (renamed === 0) for (const folder of createdFolders.reverse()) removeQuietly(() => rmdirSync(folder));
      const left = renamed === 0 ? 'nothing was written' : `${renamed} of ${written.length} outputs were already written`;
      throw new FqlabError('bad-argument', current, `could not be written (${systemReason(error)}); ${left}.`);
    }
  }
}

/** Creating and removing a file is the only sure test: root passes access(2), and /proc or a read-only disk refuse only then. */
function probeWritable(folder: string, requested: string): void {
  const probe = join(folder, `.fqlab-write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    throw new FqlabError('bad-argument', requested,
      `cannot be written: creating a file in ${folder} fails (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose a folder on a disk you can write to.`);
  }
}

/**
 * mkdir one level at a time: Node's recursive mkdir loops forever under /proc. A folder another process made meanwhile
 * (shards of one study writing into one shared folder) is used, not an error.
 */
function createFolder(folder: string, created: string[]): void {
  const missing: string[] = [];
  for (let level = folder; statOrNull(level, folder) === null; level = dirname(level)) missing.unshift(level);
  for (const level of missing) {
    try {
      mkdirSync(level);
      created.push(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statOrNull(level, folder)?.isDirectory()) throw error;
    }
  }
}

function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // best effort: the error that made us clean up is the one to report
  }
}
