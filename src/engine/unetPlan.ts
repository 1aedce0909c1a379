// The U-Net's architecture as data: every layer with its guided-diffusion state_dict name, shapes and initialisation.
import type { UNetConfig } from './unetConfig.ts';

/*
 * OpenAI guided-diffusion UNetModel with in = out = 1 channel, dropout 0, use_scale_shift_norm,
 * resblock_updown, attention only in the middle block, GroupNorm eps 1e-5, SiLU. Walked once here;
 * unet.ts creates the weights and runs the forward pass from this plan, so names, shapes and the
 * parameter count come from one place. Weight layouts are tfjs's: conv [kh, kw, in, out], linear
 * [in, out] (PyTorch: [out, in, kh, kw] and [out, in]).
 */

/** How a weight starts: PyTorch's default U(-1/sqrt(fanIn), 1/sqrt(fanIn)), zeros, or ones (GroupNorm scale). */
export type ParamInit = { kind: 'uniform'; fanIn: number } | { kind: 'zeros' } | { kind: 'ones' };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
  /** false for state the optimiser does not touch (BatchNorm running statistics of the baselines); absent = trainable. */
  trainable?: false;
}

export interface ConvLayer { kind: 'conv'; name: string; inCh: number; outCh: number; kernel: number; zeroInit: boolean }
export interface ResBlockLayer { kind: 'res'; name: string; inCh: number; outCh: number; resample: 'none' | 'down' | 'up' }
export interface AttentionLayer { kind: 'attention'; name: string; ch: number }
export type UNetLayer = ConvLayer | ResBlockLayer | AttentionLayer;

export interface UNetPlan {
  config: UNetConfig;
  /** Time embedding width 4w. */
  embDim: number;
  /** Each entry is one TimestepEmbedSequential; its output is pushed as a skip. */
  inputBlocks: UNetLayer[][];
  middleBlock: UNetLayer[];
  /** Each entry first concatenates the next popped skip. */
  outputBlocks: UNetLayer[][];
  /** Channels entering the output head (GN, SiLU, zero conv3x3 -> 1). */
  outCh: number;
}

/** The layer structure of guided-diffusion's UNetModel.__init__ for this config. */
export function unetPlan(config: UNetConfig): UNetPlan {
  const w = config.modelChannels;
  const levels = config.channelMult.length;
  let ch = config.channelMult[0] * w;
  const inputBlocks: UNetLayer[][] = [[{ kind: 'conv', name: 'input_blocks.0.0', inCh: 1, outCh: ch, kernel: 3, zeroInit: false }]];
  const skipChannels = [ch];
  for (let level = 0; level < levels; level++) {
    for (let r = 0; r < config.numResBlocks; r++) {
      const outCh = config.channelMult[level] * w;
      inputBlocks.push([{ kind: 'res', name: `input_blocks.${inputBlocks.length}.0`, inCh: ch, outCh, resample: 'none' }]);
      ch = outCh;
      skipChannels.push(ch);
    }
    if (level !== levels - 1) {
      inputBlocks.push([{ kind: 'res', name: `input_blocks.${inputBlocks.length}.0`, inCh: ch, outCh: ch, resample: 'down' }]);
      skipChannels.push(ch);
    }
  }
  const middleBlock: UNetLayer[] = config.middleAttention
    ? [
        { kind: 'res', name: 'middle_block.0', inCh: ch, outCh: ch, resample: 'none' },
        { kind: 'attention', name: 'middle_block.1', ch },
        { kind: 'res', name: 'middle_block.2', inCh: ch, outCh: ch, resample: 'none' },
      ]
    : [
        { kind: 'res', name: 'middle_block.0', inCh: ch, outCh: ch, resample: 'none' },
        { kind: 'res', name: 'middle_block.1', inCh: ch, outCh: ch, resample: 'none' },
      ];
  const outputBlocks: UNetLayer[][] = [];
  for (let level = levels - 1; level >= 0; level--) {
    for (let i = 0; i <= config.numResBlocks; i++) {
      const skip = skipChannels.pop();
      if (skip === undefined) throw new Error('unetPlan: skip stack underflow');
      const prefix = `output_blocks.${outputBlocks.length}`;
      const outCh = config.channelMult[level] * w;
      const block: UNetLayer[] = [{ kind: 'res', name: `${prefix}.0`, inCh: ch + skip, outCh, resample: 'none' }];
      ch = outCh;
      if (level > 0 && i === config.numResBlocks) block.push({ kind: 'res', name: `${prefix}.1`, inCh: ch, outCh: ch, resample: 'up' });
      outputBlocks.push(block);
    }
  }
  return { config, embDim: 4 * w, inputBlocks, middleBlock, outputBlocks, outCh: ch };
}

function uniform(fanIn: number): ParamInit {
  return { kind: 'uniform', fanIn };
}

function convParams(name: string, inCh: number, outCh: number, kernel: number, zero: boolean): ParamSpec[] {
  const fanIn = inCh * kernel * kernel;
  return [
    { name: `${name}.weight`, shape: [kernel, kernel, inCh, outCh], init: zero ? { kind: 'zeros' } : uniform(fanIn) },
    { name: `${name}.bias`, shape: [outCh], init: zero ? { kind: 'zeros' } : uniform(fanIn) },
  ];
}

function linearParams(name: string, inDim: number, outDim: number, zero = false): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [inDim, outDim], init: zero ? { kind: 'zeros' } : uniform(inDim) },
    { name: `${name}.bias`, shape: [outDim], init: zero ? { kind: 'zeros' } : uniform(inDim) },
  ];
}

function normParams(name: string, ch: number): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [ch], init: { kind: 'ones' } },
    { name: `${name}.bias`, shape: [ch], init: { kind: 'zeros' } },
  ];
}

function layerParams(layer: UNetLayer, embDim: number, scaleShift: boolean): ParamSpec[] {
  switch (layer.kind) {
    case 'conv':
      return convParams(layer.name, layer.inCh, layer.outCh, layer.kernel, layer.zeroInit);
    case 'res': {
      const p = [
        ...normParams(`${layer.name}.in_layers.0`, layer.inCh),
        ...convParams(`${layer.name}.in_layers.2`, layer.inCh, layer.outCh, 3, false),
        ...linearParams(`${layer.name}.emb_layers.1`, embDim, (scaleShift ? 2 : 1) * layer.outCh),
        ...normParams(`${layer.name}.out_layers.0`, layer.outCh),
        ...convParams(`${layer.name}.out_layers.3`, layer.outCh, layer.outCh, 3, true),
      ];
      if (layer.inCh !== layer.outCh) p.push(...convParams(`${layer.name}.skip_connection`, layer.inCh, layer.outCh, 1, false));
      return p;
    }
    case 'attention':
      return [
        ...normParams(`${layer.name}.norm`, layer.ch),
        ...linearParams(`${layer.name}.qkv`, layer.ch, 3 * layer.ch),
        ...linearParams(`${layer.name}.proj_out`, layer.ch, layer.ch, true),
      ];
  }
}

/** Every trainable tensor of the model, in a fixed order (the checkpoint's order). */
export function unetParamSpecs(plan: UNetPlan): ParamSpec[] {
  const w = plan.config.modelChannels;
  const specs: ParamSpec[] = [...linearParams('time_embed.0', w, plan.embDim), ...linearParams('time_embed.2', plan.embDim, plan.embDim)];
  for (const block of [...plan.inputBlocks, plan.middleBlock, ...plan.outputBlocks]) {
    for (const layer of block) specs.push(...layerParams(layer, plan.embDim, plan.config.scaleShift !== false));
  }
  specs.push(...normParams('out.0', plan.outCh), ...convParams('out.2', plan.outCh, 1, 3, true));
  return specs;
}

/** Number of scalars of a config's model, without allocating it. */
export function unetParameterCount(config: UNetConfig): number {
  let n = 0;
  for (const s of unetParamSpecs(unetPlan(config))) n += s.shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Forward cost of one slice in FLOP (multiply-add = 2): convolutions, linear layers and attention
 * products; normalisation and pointwise work (a few percent) are left out.
 */
export function unetForwardFlops(config: UNetConfig, size = 96): number {
  const plan = unetPlan(config);
  let pixels = size * size;
  let flops = 2 * (config.modelChannels * plan.embDim + plan.embDim * plan.embDim);
  const conv = (inCh: number, outCh: number, k: number, px: number): number => 2 * px * k * k * inCh * outCh;
  const layerFlops = (layer: UNetLayer): number => {
    switch (layer.kind) {
      case 'conv':
        return conv(layer.inCh, layer.outCh, layer.kernel, pixels);
      case 'attention':
        return 2 * pixels * layer.ch * 3 * layer.ch + 2 * 2 * pixels * pixels * layer.ch + 2 * pixels * layer.ch * layer.ch;
      case 'res': {
        if (layer.resample === 'down') pixels /= 4;
        if (layer.resample === 'up') pixels *= 4;
        let f = conv(layer.inCh, layer.outCh, 3, pixels) + conv(layer.outCh, layer.outCh, 3, pixels) + 2 * plan.embDim * (config.scaleShift === false ? 1 : 2) * layer.outCh;
        if (layer.inCh !== layer.outCh) f += conv(layer.inCh, layer.outCh, 1, pixels);
        return f;
      }
    }
  };
  for (const block of [...plan.inputBlocks, plan.middleBlock, ...plan.outputBlocks]) {
    for (const layer of block) flops += layerFlops(layer);
  }
  return flops + conv(plan.outCh, 1, 3, pixels);
}
