// The README's demo results for the shipped pDDPM-IQA checkpoint come back from a fresh evaluation (within their std).
import { describe } from 'vitest';
import { reproduces } from './reproduceCase.ts';

describe('README demo results: pDDPM-IQA (FQ loss)', () => {
  reproduces('pDDPM-IQA (FQ loss)', 'pddpm-iqa.fqlab', 'fq');
});
