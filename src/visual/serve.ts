/**
 * Browse cases locally: a small HTTP server (loopback only) listing the cases of a store and the
 * sourced datasets, serving each case's report (`/report/<case>?as-of=D`) and the procedure's
 * diagram (`/procedure.svg`). Every page is the same self-contained HTML as `report` writes.
 *
 * The pages show personal data (complainants' names), so the server answers only what a browser on
 * this machine asks for it by its own address: a request whose `Host` is not the bound address
 * (another name pointing at it — DNS rebinding) is refused, only GET and HEAD are served, and every
 * answer forbids framing, content sniffing, caching and any script but the report's own (by hash).
 * Error pages name neither files nor the store's credentials.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type IsoDate, isIsoDate } from '../../machines/dates.ts';
import { DATASETS } from '../history/dataset.ts';
import type { EventStore } from '../store/port.ts';
import { type CaseFacts, datasetCase, isDatasetName, storedCase } from './case-data.ts';
import { displayStore } from '../store/failures.ts';
import { escapeHtml, reportHtml, SCROLL_TO_CURRENT } from './report.ts';
import { renderSvg } from './svg.ts';

export interface CaseServerOptions {
  readonly store: EventStore;
  /** The store's connection string, shown on the pages without credentials. */
  readonly origin: string;
  readonly today: () => IsoDate;
}

/** The case ids of a store (streams `case-<caseId>`), in order of first appearance. */
export const storedCaseIds = async (store: EventStore): Promise<string[]> => {
  const ids = new Set<string>();
  for await (const e of store.readAll({ streamPrefix: 'case-' })) ids.add(e.streamId.slice('case-'.length));
  return [...ids];
};

const page = (title: string, body: string) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:860px;margin:32px auto;padding:0 16px;color:#0f172a}
a{color:#1d4ed8}li{margin:6px 0}.fr{color:#475569}</style></head><body>${body}</body></html>`;

/** The Content-Security-Policy of every answer: the report's one inline script, allowed by its hash. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(SCROLL_TO_CURRENT, 'utf8').digest('base64')}'`,
  // The report's CSS is inline (one self-contained page); styles cannot run code.
  "style-src 'unsafe-inline'",
  'img-src data:',
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  // Pages may show personal data: no copy in any cache.
  'cache-control': 'no-store',
} as const;

/** The names this server answers to: its loopback address and port, as a browser here writes them. */
const allowedHosts = (server: Server): Set<string> => {
  const address = server.address() as AddressInfo | null;
  if (!address) return new Set();
  const { port } = address;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
};

/** The request's path decoded, or undefined when its percent-encoding is malformed. */
const decodePath = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // URIError: e.g. `/report/%`
  }
};

export const createCaseServer = ({ store, origin: connection, today }: CaseServerOptions): Server => {
  const origin = displayStore(connection);
  const server: Server = createServer((req: IncomingMessage, res) => {
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        ...SECURITY_HEADERS,
        ...headers,
        'content-type': `${type}; charset=utf-8`,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const handle = async () => {
      if (!allowedHosts(server).has(req.headers.host ?? ''))
        return send(403, 'text/plain', 'forbidden: this server answers only to its own address');
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(405, 'text/plain', `method ${req.method ?? ''} not allowed`, { allow: 'GET, HEAD' });
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        return send(400, 'text/plain', 'malformed request target');
      }
      if (url.pathname === '/') {
        const ids = await storedCaseIds(store);
        const item = (id: string, note: string) =>
          `<li><a href="/report/${encodeURIComponent(id)}">${escapeHtml(id)}</a> <span class="fr">${escapeHtml(note)}</span></li>`;
        return send(
          200,
          'text/html',
          page(
            'Cases · Dossiers',
            `<h1>Cases <span class="fr">· Dossiers</span></h1><ul>${DATASETS.map((d) => item(d, 'sourced dataset')).join('')}` +
              `${ids.map((id) => item(id, origin)).join('')}</ul>` +
              `<p>Add <code>?as-of=YYYY-MM-DD</code> to a report for the case as it stood on that date. ` +
              `<a href="/procedure.svg">The procedure (SVG)</a></p>`,
          ),
        );
      }
      if (url.pathname === '/procedure.svg') return send(200, 'image/svg+xml', await renderSvg());
      const match = /^\/report\/([^/]+)$/.exec(url.pathname);
      if (match?.[1]) {
        const target = decodePath(match[1]);
        if (target === undefined) return send(400, 'text/plain', 'malformed percent-encoding in the path');
        const asOfParam = url.searchParams.get('as-of');
        if (asOfParam !== null && !isIsoDate(asOfParam))
          return send(400, 'text/plain', `as-of: ${asOfParam} is not a date YYYY-MM-DD`);
        const asOf = (asOfParam ?? today()) as IsoDate;
        const c: CaseFacts | null = isDatasetName(target)
          ? await datasetCase(target)
          : await storedCase(store, target, origin);
        if (!c) return send(404, 'text/plain', `no case ${target} in this store`);
        return send(200, 'text/html', await reportHtml(c, asOf));
      }
      return send(404, 'text/plain', 'not found');
    };
    handle().catch((error: unknown) => {
      // The message may name files or the store: it goes to the operator's terminal, not the page.
      const name = error instanceof Error ? error.name : 'Error';
      process.stderr.write(
        `serve: ${req.method ?? ''} ${req.url ?? ''}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      if (!res.headersSent)
        send(500, 'text/plain', `the page could not be made (${name}); see the terminal running serve`);
    });
  });
  return server;
};
