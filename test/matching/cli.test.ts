import { describe, expect, it } from 'vitest';
import { lossTable, readAgreements } from '../../src/cli/agreements.js';
import { runLoss } from '../../src/matching/loss.js';
import { codeOf } from '../fixtures/errors.js';

describe('agreements CLI helpers', () => {
  it('reads the committed agreements and prints a hand-checkable loss table', () => {
    const list = readAgreements('data-samples/agreements.json');
    expect(list.length).toBe(10);
    const a = list.find((x) => x.id === 'ah-4321');
    if (a === undefined) throw new Error('ah-4321');
    const lines = lossTable(
      runLoss(a, { principal: 100, unpaidPrincipal: 100, guaranteedToDate: 1000, compensatedToDate: 45 }),
    );
    expect(lines[2]).toContain('paid            80.00');
    expect(lines.at(-1)).toContain('12.500%');
    expect(lines.at(-1)).toContain('breached');
  });
  it('refuses a missing file with E_IO', () => {
    expect(codeOf(() => readAgreements('var/none.json'))).toBe('E_IO');
  });
});
