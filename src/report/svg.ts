import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { RiskError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';

/**
 * vega's logger interface, forwarding messages at or above vega's Warn level (2) to our Logger: vega and
 * vega-lite would otherwise print to the console. Errors are also thrown by vega, so they are only recorded.
 */
function vegaLogger(logger: Logger, chart: string): vega.LoggerInterface {
  let threshold = 2;
  const forward = (rank: number, level: 'warn' | 'debug' | 'error') =>
    function (this: vega.LoggerInterface, ...args: unknown[]) {
      if (rank <= threshold) logger[level]({ chart }, args.map(String).join(' '));
      return this;
    };
  const self: vega.LoggerInterface = {
    level(_?: number) {
      if (_ === undefined) return threshold;
      threshold = _;
      return self;
    },
    error: forward(1, 'error'),
    warn: forward(2, 'warn'),
    info: forward(3, 'debug'),
    debug: forward(4, 'debug'),
  };
  return self;
}

/**
 * Renders a vega-lite spec to an SVG string in Node, without a browser or canvas: vega-lite compiles it to a
 * vega spec, and a headless vega View (renderer 'none') serialises its scenegraph. Element ids are renamed
 * `<prefix>-1`, `<prefix>-2`… because vega numbers clip paths with a process-wide counter: renamed, several
 * charts can sit inline in one page without clashing, and the same chart always gives the same text.
 * @param spec a vega-lite spec with inline data (`data.values`): nothing is fetched
 * @param prefix a unique, id-safe name for this chart within its page
 * @param logger receives vega's warnings (default: dropped)
 * @throws E_DATA_INVALID when vega-lite or vega rejects the spec
 * @example const svg = await renderSvg({ data: { values }, mark: 'bar', encoding }, 'roc');
 */
export async function renderSvg(
  spec: TopLevelSpec,
  prefix: string,
  logger: Logger = silentLogger,
): Promise<string> {
  if (!/^[A-Za-z][\w-]*$/.test(prefix)) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `chart prefix must be an id-safe name, received ${JSON.stringify(prefix)}`,
      {
        path: ['prefix'],
        expected: 'letters, digits, _ and -, starting with a letter',
        received: prefix,
      },
    );
  }
  let view: vega.View | undefined;
  try {
    const log = vegaLogger(logger, prefix);
    view = new vega.View(vega.parse(compile(spec, { logger: log }).spec), { renderer: 'none', logger: log });
    return namespaceIds(await view.toSVG(), prefix);
  } catch (err) {
    throw new RiskError(
      'E_DATA_INVALID',
      `chart ${prefix} could not be rendered: ${(err as Error).message}`,
      {
        path: ['spec'],
      },
      { cause: err },
    );
  } finally {
    view?.finalize();
  }
}

/** Renames every `id="…"` and its `url(#…)` / `href="#…"` references to `<prefix>-<n>` in order of first use. */
export function namespaceIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  const rename = (id: string): string => {
    let name = names.get(id);
    if (name === undefined) {
      name = `${prefix}-${names.size + 1}`;
      names.set(id, name);
    }
    return name;
  };
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) rename(m[1] as string);
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (whole, id: string) => (names.has(id) ? `url(#${rename(id)})` : whole))
    .replace(/href="#([^"]+)"/g, (whole, id: string) => (names.has(id) ? `href="#${rename(id)}"` : whole));
}
