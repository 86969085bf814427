/**
 * A case's history streamed into the Stately inspector (@statelyai/inspect): a live actor of the
 * procedure machine — its definition attached, so the inspector draws the statechart — is sent
 * the recorded facts in order, `speedMs` apart.
 *
 * Two outlets, usable together:
 * - `serve`: a local bridge page (http://localhost:<port>) that relays the events over a
 *   WebSocket into the hosted inspector it embeds (https://stately.ai/inspect — needs internet);
 * - `record`: the inspection events written to a JSON Lines file, one event per line, for later
 *   (offline) use.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInspector, createWebSocketInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { createActor } from 'xstate';
import { describeState } from '../../machines/decider.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { casePath } from './diagram.ts';
import { HOSTED_INSPECTOR_URL } from './inspector-url.ts';

export { DEFAULT_INSPECTOR_PORT, HOSTED_INSPECTOR_URL } from './inspector-url.ts';

export interface InspectOptions {
  /** Milliseconds between two facts (0: as fast as possible). */
  readonly speedMs: number;
  /** Write the inspection events to this JSON Lines file. */
  readonly record?: string;
  /** Relay the events to the hosted inspector through a local bridge on this port. */
  readonly port?: number;
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

const checkPort = async (port: number) => {
  const probe = createServer();
  try {
    probe.listen(port);
    await once(probe, 'listening');
  } catch (error) {
    throw new PortUnavailableError(port, { cause: error });
  } finally {
    probe.close();
  }
  await once(probe, 'close').catch(() => undefined);
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

  const sinks: ((event: StatelyInspectionEvent) => void)[] = [];
  const closers: (() => Promise<void>)[] = [];
  let sent = 0;

  if (options.record !== undefined) {
    const file = createWriteStream(options.record, { encoding: 'utf8' });
    await once(file, 'open');
    sinks.push((event) => file.write(`${JSON.stringify(event)}\n`));
    closers.push(async () => {
      file.end();
      await once(file, 'finish');
    });
  }

  let url: string | null = null;
  let stopServer = async () => {};
  if (options.port !== undefined) {
    await checkPort(options.port);
    const server = createInspectorServer({ port: options.port, url: HOSTED_INSPECTOR_URL, autoOpen: false });
    const ws = createWebSocketInspector({ url: `ws://localhost:${options.port}`, autoStart: true });
    sinks.push((event) => ws.adapter.send(event));
    url = `http://localhost:${options.port}`;
    options.onListening?.(url);
    stopServer = async () => {
      ws.stop();
      server.stop();
      await sleep(10);
    };
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
  for (const fact of facts) {
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
