import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { apiReference } from '@scalar/express-api-reference';
import type { Request, RequestHandler, Response } from 'express';

/**
 * /docs: the Scalar API reference over /openapi.json. `@scalar/express-api-reference` 0.8 ships only the HTML
 * shell; the viewer itself (`@scalar/api-reference`'s standalone bundle) is loaded from a CDN by default,
 * which an offline machine cannot reach. So the bundle is a dependency (`@scalar/api-reference` 1.46, the
 * last release for Node 20) served from /docs/scalar.js; and the page always carries a plain server-rendered reference of every route inside the
 * element Scalar mounts on, so without the script (offline, or scripts blocked) /docs still lists each
 * route, who may call it, its parameters, body and answers.
 */

/** The standalone Scalar bundle when `@scalar/api-reference` is installed, else null. */
export function localScalarBundle(): string | null {
  try {
    const require = createRequire(import.meta.url);
    // The package exports neither package.json nor the bundle: find it beside the main entry (dist/index.js).
    const main = require.resolve('@scalar/api-reference');
    const file = join(dirname(main), 'browser', 'standalone.js');
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

const CDN = 'https://cdn.jsdelivr.net/npm/@scalar/api-reference';

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

type OpenApiDoc = {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOp>>;
};
type OpenApiOp = {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
};

function schemaName(schema: unknown): string {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref !== undefined ? (ref.split('/').pop() ?? 'object') : 'JSON';
}

/** A static HTML reference of the document: what /docs shows when the viewer script cannot load. */
export function staticReference(doc: OpenApiDoc): string {
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? [])
        .map((p) => `<code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ', required' : ''})`)
        .join(', ');
      const body = op.requestBody?.content?.['application/json']?.schema;
      const answers = Object.entries(op.responses ?? {})
        .map(([s, r]) => `<li><b>${esc(s)}</b> ${esc(r.description ?? '')}</li>`)
        .join('');
      rows.push(
        `<section><h3><code>${esc(method.toUpperCase())} ${esc(path)}</code></h3>` +
          `<p>${esc(op.summary ?? '')}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}` +
          `<p>${op.security ? 'Needs <code>Authorization: Bearer &lt;key&gt;</code>.' : 'Public.'}` +
          `${params ? ` Parameters: ${params}.` : ''}${body ? ` Body: <code>${esc(schemaName(body))}</code> (see /openapi.json).` : ''}</p>` +
          `<ul>${answers}</ul></section>`,
      );
    }
  return (
    `<main style="font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem">` +
    `<h1>${esc(doc.info.title)} ${esc(doc.info.version)}</h1>` +
    `<p>This is the plain reference (the interactive viewer could not load its script). ` +
    `The full machine-readable description is at <a href="/openapi.json">/openapi.json</a>.</p>` +
    `${rows.join('\n')}</main>`
  );
}

/** The /docs handler and, when the bundle is local, the /docs/scalar.js handler. */
export function docsHandlers(
  doc: OpenApiDoc,
  scriptUrl?: string,
): { page: RequestHandler; script: RequestHandler | null } {
  const bundle = localScalarBundle();
  const cdn = scriptUrl ?? (bundle !== null ? '/docs/scalar.js' : CDN);
  const render = apiReference({
    url: '/openapi.json',
    cdn,
    pageTitle: `${doc.info.title} API reference`,
    // Offline and private: no AI agent, no telemetry, no web fonts, no hosted toolbar.
    agent: { disabled: true },
    telemetry: false,
    withDefaultFonts: false,
    showToolbar: 'never',
    showDeveloperTools: 'never',
  } as never);
  const fallback = staticReference(doc);
  // The viewer's page is built once by Scalar's own renderer; the static reference goes inside its mount
  // point, which the viewer replaces when (and only when) its script has loaded.
  let html: string | null = null;
  const capture = (req: Request): Promise<string> =>
    new Promise((resolve) => {
      const fake = {
        type: () => fake,
        send: (s: string) => resolve(s),
      } as unknown as Response;
      (render as unknown as (q: Request, s: Response) => void)(req, fake);
    });
  const page: RequestHandler = async (req, res) => {
    html ??= (await capture(req)).replace('<div id="app"></div>', `<div id="app">${fallback}</div>`);
    // The viewer needs inline scripts and styles (and its CDN when not local): this page only.
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'self'; script-src 'self' 'unsafe-inline'${bundle === null ? ' https://cdn.jsdelivr.net' : ''}; ` +
        `style-src 'self' 'unsafe-inline' https:; img-src 'self' data: https:; font-src 'self' data: https:; connect-src 'self'`,
    );
    res.type('text/html').send(html);
  };
  const script: RequestHandler | null =
    bundle === null ? null : (_req, res) => res.type('application/javascript').sendFile(bundle);
  return { page, script };
}
