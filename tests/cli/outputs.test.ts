// In-process tests of the CLI's atomic outputs and of how failures reach the user (one line, stack only when debugging).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FqlabError } from '../../src/core/errors.ts';
import { UsageError } from '../../src/cli/args.ts';
import { describeFailure } from '../../src/cli/main.ts';
import { PendingOutputs } from '../../src/cli/outputs.ts';

describe('PendingOutputs', () => {
  it('writes nothing before commit, then every file at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fqlab-outputs-'));
    const outputs = new PendingOutputs();
    const [a, b] = [join(dir, 'new', 'a.json'), join(dir, 'new', 'b.json')];
    outputs.folder(join(dir, 'new'));
    outputs.write(a, '{"a":1}');
    outputs.write(b, new Uint8Array([1, 2, 3]));
    expect(existsSync(join(dir, 'new'))).toBe(false);
    outputs.commit();
    expect(readFileSync(a, 'utf8')).toBe('{"a":1}');
    expect([...readFileSync(b)]).toEqual([1, 2, 3]);
    expect(readdirSync(join(dir, 'new')).sort()).toEqual(['a.json', 'b.json']);
  });

  it('leaves no temporary file and no folder it made when the commit fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fqlab-outputs-'));
    const outputs = new PendingOutputs();
    outputs.write(join(dir, 'made', 'first.nii'), 'first');
    const blocked = join(dir, 'blocked', 'second.nii');
    outputs.write(blocked, 'second');
    writeFileSync(join(dir, 'blocked'), 'a file appeared where the folder should be');
    expect(() => outputs.commit()).toThrow(/second\.nii: could not be written \(.*\); nothing was written/);
    expect(readdirSync(dir)).toEqual(['blocked']);
  });

  it('refuses an output named twice and an output path that is a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fqlab-outputs-'));
    const outputs = new PendingOutputs();
    outputs.file(join(dir, 'x.nii.gz'));
    expect(() => outputs.file(join(dir, 'x.nii.gz'))).toThrow(/two outputs/);
    mkdirSync(join(dir, 'folder'));
    expect(() => outputs.file(join(dir, 'folder'))).toThrow(/is a folder/);
  });
});

describe('describeFailure', () => {
  it('shows an unexpected error as one "internal error" line, with the stack only under FQLAB_DEBUG', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'dims')\nsecond line");
    const quiet = describeFailure('quality', bug, false);
    expect(quiet.exitCode).toBe(1);
    expect(quiet.message.split('\n')).toHaveLength(1);
    expect(quiet.message).toMatch(/^fqlab quality: internal error \(TypeError: Cannot read .*\); please report it with the command you ran/);
    expect(describeFailure('quality', bug, true).message).toContain(bug.stack!.split('\n')[1]);
  });

  it('shows input and usage errors as they are, exit 1 and 2', () => {
    expect(describeFailure('metrics', new FqlabError('bad-argument', 'a.nii', 'is bad; fix it.'), false))
      .toEqual({ message: 'fqlab metrics: a.nii: is bad; fix it.', exitCode: 1 });
    expect(describeFailure('metrics', new UsageError('--map is required'), false).exitCode).toBe(2);
    expect(describeFailure('train', { code: 'busy', fileName: '', message: 'A training run is already going.' }, false).message)
      .toBe('fqlab train: A training run is already going.');
  });
});
