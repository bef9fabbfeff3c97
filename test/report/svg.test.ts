import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { memoryLogger } from '../../src/core/logger.js';
import { namespaceIds, renderSvg } from '../../src/report/svg.js';

const clipped: TopLevelSpec = {
  data: {
    values: [
      { x: 0, y: 0.2 },
      { x: 1, y: 0.9 },
    ],
  },
  mark: { type: 'line', clip: true },
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
};

describe('renderSvg', () => {
  it('renders a vega-lite spec to SVG text in Node', async () => {
    const svg = await renderSvg(clipped, 'line');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
    expect(svg).toMatch(/<path[^>]+d="M/);
  });

  it('names ids after the chart, so a second render is byte-identical', async () => {
    const a = await renderSvg(clipped, 'c1');
    const b = await renderSvg(clipped, 'c1');
    expect(a).toBe(b);
    expect(a).toContain('id="c1-1"');
    expect(a).toContain('url(#c1-1)');
    expect(a).not.toMatch(/id="clip\d+"/);
  });

  it('sends vega warnings to the logger instead of the console', async () => {
    const logger = memoryLogger();
    // An unknown aggregate makes vega-lite warn and drop it; vega's own debug chatter stays out.
    const spec = {
      data: { values: [{ a: 1 }] },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative', aggregate: 'nonsense' } },
    } as unknown as TopLevelSpec;
    await renderSvg(spec, 'warned', logger);
    expect(logger.entries).toEqual([
      { level: 'warn', obj: { chart: 'warned' }, msg: 'Invalid aggregation operator "nonsense".' },
    ]);
  });

  it('refuses an unusable prefix or spec with a coded error', async () => {
    await expect(renderSvg(clipped, '1 bad')).rejects.toMatchObject({ code: 'E_OPTIONS_INVALID' });
    const broken = { data: { values: [] }, mark: 'no-such-mark' } as unknown as TopLevelSpec;
    const err = await renderSvg(broken, 'broken').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RiskError);
    expect((err as RiskError).code).toBe('E_DATA_INVALID');
  });
});

describe('namespaceIds', () => {
  it('renames ids and only the references that point at them', () => {
    const svg =
      '<svg><clipPath id="clip7"><rect/></clipPath><g clip-path="url(#clip7)"/><use href="#clip7"/><a href="#elsewhere"/></svg>';
    expect(namespaceIds(svg, 'p')).toBe(
      '<svg><clipPath id="p-1"><rect/></clipPath><g clip-path="url(#p-1)"/><use href="#p-1"/><a href="#elsewhere"/></svg>',
    );
  });
});
