// f-AnoGAN's default split of a run into WGAN-GP and encoder steps (no tfjs here: the workbench's main thread reads it).

/** UPD trains 30,000 WGAN-GP steps then 10,000 encoder steps on MRI: stage 1 takes this share of a run's steps by default. */
export const FANOGAN_GAN_SHARE = 0.75;

/** The WGAN-GP steps of a run of `steps` steps in all, at the reference's split (at least one step of each stage from 2 steps). */
export function defaultGanSteps(steps: number): number {
  return Math.min(Math.max(1, steps - 1), Math.max(1, Math.round(FANOGAN_GAN_SHARE * steps)));
}
