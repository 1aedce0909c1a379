// The README's demo results for the shipped pDDPM checkpoint come back from a fresh evaluation (within their std).
import { describe } from 'vitest';
import { reproduces } from './reproduceCase.ts';

describe('README demo results: pDDPM (l1 loss)', () => {
  reproduces('pDDPM (l1 loss)', 'pddpm.fqlab', 'l1');
});
