/**
 * Browse cases locally: a small HTTP server (loopback only) listing the cases of a store and the
 * sourced datasets, serving each case's report (`/report/<case>?as-of=D`) and the procedure's
 * diagram (`/procedure.svg`). Every report is the same self-contained HTML as `report` writes.
 *
 * The index (`/`) is answered from the read models (src/projector/case-index.ts), one page of
 * {@link DEFAULT_PAGE_SIZE} cases at a time in case-id order (`?after=<caseId>`, `?before=<caseId>`),
 * optionally in one stage (`?stage=sanction`), with the total: its cost does not grow with the event
 * log. Before each answer the read models catch up with the store from their checkpoint (one read
 * that finds nothing when nothing was recorded since), so a case recorded a moment ago is listed.
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
import { CaseId } from '../../machines/events.ts';
import { type Stage, STAGES } from '../../machines/procedure.ts';
import { DATASETS } from '../history/dataset.ts';
import {
  type CaseIndex,
  type CaseIndexRow,
  type CasePage,
  DEFAULT_PAGE_SIZE,
  openCaseIndex,
} from '../projector/case-index.ts';
import type { ReadModels } from '../projector/read-models.ts';
import { catchUp } from '../projector/runner.ts';
import type { EventStore } from '../store/port.ts';
import { type CaseFacts, datasetCase, isDatasetName, storedCase } from './case-data.ts';
import { displayStore } from '../store/failures.ts';
import { escapeHtml, reportHtml, SCROLL_TO_CURRENT } from './report.ts';
import { renderSvg } from './svg.ts';

export interface CaseServerOptions {
  /** The store the reports are read from (with the keys of personal data, to show them). */
  readonly store: EventStore;
  /**
   * The read models the index is answered from, and the store they follow (as written: the read
   * models withhold personal data and need no key; default `store`).
   */
  readonly readModels: ReadModels;
  readonly readModelsStore?: EventStore;
  /** The store's connection string, shown on the pages without credentials. */
  readonly origin: string;
  readonly today: () => IsoDate;
}

const page = (title: string, body: string) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:32px auto;padding:0 16px;color:#0f172a}
a{color:#1d4ed8}li{margin:6px 0}.fr{color:#475569}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e2e8f0}nav{margin:12px 0}
nav a,nav span{margin-right:12px}.here{font-weight:600}</style></head><body>${body}</body></html>`;

/** What the index page asks for, from its query string; a string when it is not understood. */
const indexQuery = (params: URLSearchParams): { stage?: Stage; after?: string; before?: string } | string => {
  for (const key of params.keys())
    if (!['stage', 'after', 'before'].includes(key)) return `unknown parameter ${key}`;
  const stage = params.get('stage') ?? undefined;
  if (stage !== undefined && !(STAGES as readonly string[]).includes(stage))
    return `stage: ${stage} is not one of ${STAGES.join(', ')}`;
  const after = params.get('after') ?? undefined;
  const before = params.get('before') ?? undefined;
  if (after !== undefined && before !== undefined) return 'after and before: give one of them';
  for (const [name, id] of [
    ['after', after],
    ['before', before],
  ] as const)
    if (id !== undefined && !CaseId.safeParse(id).success) return `${name}: ${id} is not a case id`;
  return {
    ...(stage !== undefined ? { stage: stage as Stage } : {}),
    ...(after !== undefined ? { after } : {}),
    ...(before !== undefined ? { before } : {}),
  };
};

const indexHref = (query: { stage?: Stage | undefined; after?: string; before?: string }): string => {
  const params = new URLSearchParams();
  if (query.stage) params.set('stage', query.stage);
  if (query.after) params.set('after', query.after);
  if (query.before) params.set('before', query.before);
  const search = params.toString();
  return search ? `/?${search}` : '/';
};

const number = (n: number): string => n.toLocaleString('en-GB');

/** The index page: the datasets, then one page of the store's cases with links to the others. */
const indexHtml = (cases: CasePage, stage: Stage | undefined, origin: string): string => {
  const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const stages = [undefined, ...STAGES].map((s) =>
    s === stage
      ? `<span class="here">${escapeHtml(s ?? 'all')}</span>`
      : link(indexHref({ stage: s }), s ?? 'all'),
  );
  const first = cases.offset + 1;
  const last = cases.offset + cases.cases.length;
  const position =
    cases.cases.length === 0
      ? `No case${stage ? ` in stage ${stage}` : ''} here (${number(cases.total)} in all).`
      : `Cases ${number(first)}–${number(last)} of ${number(cases.total)}${stage ? ` in stage ${stage}` : ''}.`;
  const pages = [
    cases.offset > 0 ? link(indexHref({ stage }), '« first') : '',
    cases.previous ? link(indexHref({ stage, before: cases.previous }), '‹ previous') : '',
    cases.next ? link(indexHref({ stage, after: cases.next }), 'next ›') : '',
  ]
    .filter(Boolean)
    .join('');
  const row = (c: CaseIndexRow) =>
    `<tr><td>${link(`/report/${encodeURIComponent(c.caseId)}`, c.caseId)}</td><td>${escapeHtml(c.controller ?? '')}</td>` +
    `<td>${escapeHtml(c.stage ?? '')}</td><td>${escapeHtml(c.lastEvent?.type ?? '')}</td>` +
    `<td>${escapeHtml(c.lastEvent?.on ?? '')}</td></tr>`;
  return page(
    'Cases · Dossiers',
    `<h1>Cases <span class="fr">· Dossiers</span></h1>` +
      `<ul>${DATASETS.map((d) => `<li>${link(`/report/${d}`, d)} <span class="fr">sourced dataset</span></li>`).join('')}</ul>` +
      `<h2>${escapeHtml(origin)}</h2><nav>Stage: ${stages.join('')}</nav>` +
      `<p data-testid="position">${escapeHtml(position)}</p>` +
      (cases.cases.length === 0
        ? ''
        : `<table><thead><tr><th>Case</th><th>Controller</th><th>Stage</th><th>Last act</th><th>On</th></tr></thead>` +
          `<tbody>${cases.cases.map(row).join('')}</tbody></table>`) +
      `<nav>${pages}</nav>` +
      `<p>Add <code>?as-of=YYYY-MM-DD</code> to a report for the case as it stood on that date. ` +
      `<a href="/procedure.svg">The procedure (SVG)</a></p>`,
  );
};

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

export const createCaseServer = ({
  store,
  readModels,
  readModelsStore = store,
  origin: connection,
  today,
}: CaseServerOptions): Server => {
  const origin = displayStore(connection);
  /**
   * The read models caught up with the store, one catch-up at a time (requests arriving meanwhile
   * wait for the next one, so that each answer includes what was recorded before it was asked).
   */
  let index: CaseIndex | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const freshIndex = (): Promise<CaseIndex> => {
    const next = running.then(async () => {
      await catchUp(readModelsStore, readModels);
      return (index ??= openCaseIndex(readModels));
    });
    running = next.catch(() => undefined);
    return next;
  };
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
        const query = indexQuery(url.searchParams);
        if (typeof query === 'string') return send(400, 'text/plain', query);
        const cases = (await freshIndex()).page({ ...query, limit: DEFAULT_PAGE_SIZE });
        return send(200, 'text/html', indexHtml(cases, query.stage, origin));
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
  server.on('close', () => {
    index?.close();
    index = undefined;
  });
  return server;
};
