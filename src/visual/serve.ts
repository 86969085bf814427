/**
 * Browse cases locally: a small HTTP server (loopback only) listing the cases of a store and the
 * sourced datasets, serving each case's report (`/report/<case>?as-of=D`) and the procedure's
 * diagram (`/procedure.svg`). Every page is the same self-contained HTML as `report` writes.
 */
import { createServer, type Server } from 'node:http';
import { type IsoDate, isIsoDate } from '../../machines/dates.ts';
import { DATASETS } from '../history/dataset.ts';
import type { EventStore } from '../store/port.ts';
import { type CaseFacts, datasetCase, isDatasetName, storedCase } from './case-data.ts';
import { escapeHtml, reportHtml } from './report.ts';
import { renderSvg } from './svg.ts';

export interface CaseServerOptions {
  readonly store: EventStore;
  /** The store's connection string, shown on the pages. */
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

export const createCaseServer = ({ store, origin, today }: CaseServerOptions): Server =>
  createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
      res.end(body);
    };
    const handle = async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
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
        const target = decodeURIComponent(match[1]);
        const asOfParam = url.searchParams.get('as-of');
        if (asOfParam !== null && !isIsoDate(asOfParam))
          return send(400, 'text/plain', `as-of: ${asOfParam} is not a date YYYY-MM-DD`);
        const asOf = (asOfParam ?? today()) as IsoDate;
        const c: CaseFacts | null = isDatasetName(target)
          ? await datasetCase(target)
          : await storedCase(store, target, origin);
        if (!c) return send(404, 'text/plain', `no case ${target} in ${origin}`);
        return send(200, 'text/html', await reportHtml(c, asOf));
      }
      return send(404, 'text/plain', 'not found');
    };
    handle().catch((error: unknown) =>
      send(500, 'text/plain', error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
    );
  });
