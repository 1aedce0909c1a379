// The shape of a numpy-made U-Net fixture (tests/fixtures/engine): its config, input sizes and weight layout.
import type { UNetConfig } from '../../src/engine/index.ts';

export interface UNetFixture {
  config: UNetConfig;
  size: number;
  batch: number;
  t: number[];
  parameterCount: number;
  weights: Array<{ name: string; shape: number[]; offset: number }>;
}
