/**
 * A case's history streamed into the Stately inspector (@statelyai/inspect): a live actor of the
 * procedure machine — its definition attached, so the inspector draws the statechart — is sent
 * the recorded facts in order, `speedMs` apart.
 *
 * Two outlets, usable together:
 * - `serve`: a local bridge page that relays the events (Server-Sent Events, same origin) into the
 *   hosted inspector it embeds (https://stately.ai/inspect — needs internet, and is outside this
 *   machine). The bridge listens on 127.0.0.1 unless `host` widens it, answers only requests
 *   addressed to it by its own name (`Host`) from its own page (`Origin`), and only GET/HEAD;
 * - `record`: the inspection events written to a JSON Lines file (mode 0600), one event per line,
 *   for later (offline) use.
 *
 * Personal data (machines/personal-data.ts) are withheld from both outlets — the fields kept, their
 * values replaced by "[personal data withheld]" — unless `includePersonalData` is set, in which case
 * the caller must have told the person what leaves the machine.
 */
import { once } from 'node:events';
import { createWriteStream, fchmodSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createActor } from 'xstate';
import { describeState } from '../../machines/decider.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { withholdPersonalData } from '../../machines/personal-data.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { PRIVATE_MODE } from '../privacy/private-file.ts';
import { casePath } from './diagram.ts';
import { DEFAULT_INSPECTOR_HOST, HOSTED_INSPECTOR_URL } from './inspector-url.ts';

export { DEFAULT_INSPECTOR_HOST, DEFAULT_INSPECTOR_PORT, HOSTED_INSPECTOR_URL } from './inspector-url.ts';

export interface InspectOptions {
  /** Milliseconds between two facts (0: as fast as possible). */
  readonly speedMs: number;
  /** Write the inspection events to this JSON Lines file (created 0600). */
  readonly record?: string;
  /** Relay the events to the hosted inspector through a local bridge on this port. */
  readonly port?: number;
  /** The address the bridge listens on; default 127.0.0.1 (this machine only). */
  readonly host?: string;
  /** Send and record the personal fields as they are, instead of withholding them. */
  readonly includePersonalData?: boolean;
  /** Told the bridge's URL once it listens. */
  readonly onListening?: (url: string) => void;
  /** Told each fact as it is sent. */
  readonly onFact?: (fact: RecordedFact, state: string) => void;
}

export interface Inspection {
  /** Inspection events sent (to every outlet). */
  readonly events: number;
  /** The bridge's URL, when serving. */
  readonly url: string | null;
  /** Stops the bridge (when serving). */
  readonly stop: () => Promise<void>;
}

/** The live actor ended somewhere else than the fold of the same facts: a bug, never silent. */
export class InspectionMismatchError extends Error {
  override readonly name = 'InspectionMismatchError';
}

/** The port cannot be listened on (already in use, or not allowed). */
export class PortUnavailableError extends Error {
  override readonly name = 'PortUnavailableError';
  constructor(
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(`port ${port} is not available: choose another with --port`, options);
  }
}

/** The facts as the inspector may see them: personal fields withheld. */
export const withheldFacts = (facts: readonly RecordedFact[]): RecordedFact[] =>
  facts.map((f) => ({
    ...f,
    event: { ...f.event, data: withholdPersonalData(f.event.type, f.event.data) } as ProcedureEvent,
  }));

const INSPECTOR_ORIGIN = new URL(HOSTED_INSPECTOR_URL).origin;

/** The bridge page: the hosted inspector in a frame, fed by /bridge.js (no inline script). */
const BRIDGE_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Stately inspector — cnil inspect</title>
<style>*{margin:0;padding:0}html,body{height:100%}iframe{width:100%;height:100%;border:none}</style>
</head><body><iframe id="inspector" src="${HOSTED_INSPECTOR_URL}"></iframe><script src="/bridge.js"></script></body></html>`;

/**
 * Relays the events of /events to the inspector frame, once it says it is connected; until then
 * they wait in the page's `buffer` (which is all an offline page ever holds).
 */
const BRIDGE_JS = `const buffer = [];
{
  const frame = document.getElementById('inspector');
  const target = ${JSON.stringify(INSPECTOR_ORIGIN)};
  let connected = false;
  window.addEventListener('message', (e) => {
    if (e.origin !== target || !e.data || e.data.type !== '@statelyai.connected') return;
    connected = true;
    for (const event of buffer.splice(0)) frame.contentWindow.postMessage(event, target);
  });
  new EventSource('/events').onmessage = (m) => {
    const event = JSON.parse(m.data);
    if (connected) frame.contentWindow.postMessage(event, target);
    else buffer.push(event);
  };
}
`;

const BRIDGE_HEADERS = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "connect-src 'self'",
    `frame-src ${INSPECTOR_ORIGIN}`,
    "style-src 'unsafe-inline'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

const WILDCARDS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The `host:port` names a browser may use for the bridge: its address (every one, for a wildcard). */
const bridgeHosts = (host: string, port: number): Set<string> => {
  const addresses = new Set<string>([host]);
  if (LOOPBACK.has(host) || WILDCARDS.has(host)) for (const a of LOOPBACK) addresses.add(a);
  if (WILDCARDS.has(host))
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) addresses.add(a.address);
  return new Set(
    [...addresses]
      .filter((a) => !WILDCARDS.has(a))
      .map((a) => (a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`)),
  );
};

/** Whether a request comes to the bridge by its own name, from its own page (or no page). */
const isOwnRequest = (req: IncomingMessage, hosts: ReadonlySet<string>): boolean => {
  const host = req.headers.host ?? '';
  if (!hosts.has(host)) return false;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return false;
  return req.headers['sec-fetch-site'] !== 'cross-site';
};

interface Bridge {
  readonly url: string;
  readonly send: (event: StatelyInspectionEvent) => void;
  readonly stop: () => Promise<void>;
}

const startBridge = async (host: string, port: number): Promise<Bridge> => {
  const hosts = bridgeHosts(host, port);
  const sent: string[] = [];
  const clients = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const answer = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { ...BRIDGE_HEADERS, ...extra, 'content-type': `${type}; charset=utf-8` });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!isOwnRequest(req, hosts)) return answer(403, 'text/plain', "forbidden: not this bridge's own page");
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return answer(405, 'text/plain', 'method not allowed', { allow: 'GET, HEAD' });
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') return answer(200, 'text/html', BRIDGE_HTML);
    if (path === '/bridge.js') return answer(200, 'text/javascript', BRIDGE_JS);
    if (path === '/events' && req.method === 'GET') {
      res.writeHead(200, { ...BRIDGE_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' });
      for (const line of sent) res.write(`data: ${line}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return undefined;
    }
    return answer(404, 'text/plain', 'not found');
  });
  try {
    server.listen(port, host);
    await once(server, 'listening');
  } catch (error) {
    throw new PortUnavailableError(port, { cause: error });
  }
  const shown = hosts.has(`127.0.0.1:${port}`) && LOOPBACK.has(host) ? `localhost:${port}` : [...hosts][0];
  return {
    url: `http://${shown ?? `${host}:${port}`}`,
    send: (event) => {
      const line = JSON.stringify(event);
      sent.push(line);
      for (const client of clients) client.write(`data: ${line}\n\n`);
    },
    stop: async () => {
      for (const client of clients) client.end();
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
};

/**
 * Streams `facts` (a case's facts up to some date, in order) through a live actor into the
 * inspector outlets. Resolves once every fact has been sent and recorded; a bridge keeps serving
 * until `stop()`.
 */
export const inspectFacts = async (
  caseId: string,
  facts: readonly RecordedFact[],
  options: InspectOptions,
): Promise<Inspection> => {
  // The same facts folded by the decider: throws on a fact the law refuses.
  const expected = casePath(facts.map((f) => f.event));
  const shown = options.includePersonalData === true ? facts : withheldFacts(facts);

  const sinks: ((event: StatelyInspectionEvent) => void)[] = [];
  const closers: (() => Promise<void>)[] = [];
  let sent = 0;

  if (options.record !== undefined) {
    const file = createWriteStream(options.record, { encoding: 'utf8', mode: PRIVATE_MODE });
    const [fd] = (await once(file, 'open')) as [number];
    fchmodSync(fd, PRIVATE_MODE); // a file that existed keeps its mode otherwise
    sinks.push((event) => file.write(`${JSON.stringify(event)}\n`));
    closers.push(async () => {
      file.end();
      await once(file, 'finish');
    });
  }

  let url: string | null = null;
  let stopServer = async () => {};
  if (options.port !== undefined) {
    const bridge = await startBridge(options.host ?? DEFAULT_INSPECTOR_HOST, options.port);
    sinks.push(bridge.send);
    url = bridge.url;
    options.onListening?.(url);
    stopServer = bridge.stop;
  }

  const inspector = createInspector({
    send: (event) => {
      sent++;
      for (const sink of sinks) sink(event);
    },
  });
  const actor = createActor(procedureMachine, { id: caseId, inspect: inspector.inspect });
  actor.start();
  // The inspector converts events on the next tick: let it, so the registration carries the
  // initial snapshot and every event is recorded before the next one is sent.
  await sleep(0);
  for (const fact of shown) {
    if (options.speedMs > 0) await sleep(options.speedMs);
    actor.send(fact.event);
    await sleep(0);
    options.onFact?.(fact, describeState(actor.getSnapshot().value));
  }
  await sleep(0);
  const final = actor.getSnapshot();
  actor.stop();
  await sleep(0);
  for (const close of closers) await close();
  if (JSON.stringify(final.value) !== JSON.stringify(expected.state.value))
    throw new InspectionMismatchError(
      `the inspected actor ended in ${describeState(final.value)}, the fold in ${describeState(expected.state.value)}`,
    );
  return { events: sent, url, stop: stopServer };
};
