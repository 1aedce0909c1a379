// Coalescing of slider requests: one request out at a time, the newest waiting call sent when it has answered.
import { describe, expect, it } from 'vitest';
import { oneOutLatestWaiting } from '../../src/ui/actions/latestOnly.ts';

describe('oneOutLatestWaiting', () => {
  it('sends the first call at once, holds a burst as one, and sends the newest state once the one out answered', () => {
    let alpha = 0.2;
    const sent: number[] = [];
    const answers: (() => void)[] = [];
    const move = oneOutLatestWaiting((answered) => {
      sent.push(alpha);
      answers.push(answered);
    });
    move();
    for (alpha of [0.21, 0.22, 0.23]) move();
    expect(sent).toEqual([0.2]);
    answers[0]();
    // Answering again (its study ending after its viewed case) sends nothing more.
    answers[0]();
    expect(sent).toEqual([0.2, 0.23]);
    answers[1]();
    alpha = 0.5;
    move();
    expect(sent).toEqual([0.2, 0.23, 0.5]);
  });
});
