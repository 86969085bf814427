/**
 * The test server itself, driven by the unmodified client: the protocol behaviours the adapter does
 * not use today (backward reads, stream subscriptions, event-type filters, checkpoints) are checked
 * here so they can be relied on later.
 */
import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  jsonEvent,
  type Position,
  START,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EsdbTestServer, startEsdbTestServer } from './launch.ts';

let server: EsdbTestServer;
let client: EventStoreDBClient;

beforeAll(async () => {
  server = await startEsdbTestServer();
  client = EventStoreDBClient.connectionString(server.connectionString);
});
afterAll(async () => {
  await client.dispose();
  await server.stop();
  expect(server.unimplemented).toEqual([]);
});

const event = (n: number, type = 'Happened') => jsonEvent({ id: randomUUID(), type, data: { n } });
const numbers = async (read: AsyncIterable<{ event?: { data: unknown } }>): Promise<number[]> => {
  const all: number[] = [];
  for await (const resolved of read) all.push((resolved.event?.data as { n: number }).n);
  return all;
};

describe('the EventStoreDB test server', () => {
  it('reads a stream forwards and backwards, from a revision or an end', async () => {
    const stream = `s-${randomUUID()}`;
    await client.appendToStream(
      stream,
      [0, 1, 2, 3].map((n) => event(n)),
    );

    expect(await numbers(client.readStream(stream, { fromRevision: 1n, maxCount: 2 }))).toEqual([1, 2]);
    expect(await numbers(client.readStream(stream, { direction: BACKWARDS, fromRevision: END }))).toEqual([
      3, 2, 1, 0,
    ]);
    expect(
      await numbers(client.readStream(stream, { direction: BACKWARDS, fromRevision: 2n, maxCount: 2 })),
    ).toEqual([2, 1]);
  });

  it('reads $all backwards from the end, newest first', async () => {
    const stream = `s-${randomUUID()}`;
    await client.appendToStream(stream, [event(7), event(8)]);

    const [last, previous] = await numbers(
      client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 }),
    );

    expect([last, previous]).toEqual([8, 7]);
  });

  it('reports a conflict the same way through Append and BatchAppend', async () => {
    const stream = `s-${randomUUID()}`;
    await client.appendToStream(stream, event(0));
    const viaBatchAppend = await client
      .appendToStream(stream, event(1), { expectedRevision: 5n })
      .catch((e: unknown) => e);
    // Per-call credentials make the client use Append instead of BatchAppend.
    const viaAppend = await client
      .appendToStream(stream, event(1), {
        expectedRevision: 5n,
        credentials: { username: 'admin', password: 'changeit' },
      })
      .catch((e: unknown) => e);

    for (const error of [viaBatchAppend, viaAppend]) {
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ streamName: stream, expectedVersion: 5n, actualVersion: 0n });
    }
  });

  it('subscribes to a stream after a revision: history, caught-up, then live', async () => {
    const stream = `s-${randomUUID()}`;
    await client.appendToStream(
      stream,
      [0, 1, 2].map((n) => event(n)),
    );
    const subscription = client.subscribeToStream(stream, { fromRevision: 0n });
    const received: number[] = [];
    let caughtUpAfter = -1;
    subscription.on('caughtUp', () => {
      caughtUpAfter = received.length;
      void client.appendToStream(stream, event(3));
    });

    for await (const resolved of subscription) {
      received.push((resolved.event?.data as { n: number }).n);
      if (received.length === 3) break;
    }

    await subscription.unsubscribe();
    expect(received).toEqual([1, 2, 3]);
    expect(caughtUpAfter).toBe(2);
  });

  it('filters a $all subscription by event type and sends checkpoints', async () => {
    const type = `T${randomUUID().slice(0, 8)}`;
    const stream = `s-${randomUUID()}`;
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: eventTypeFilter({
        prefixes: [type],
        maxSearchWindow: 1,
        checkpointInterval: 1,
        checkpointReached: (_subscription, position) => {
          checkpoints.push(position);
        },
      }),
    });
    await client.appendToStream(stream, [event(1, `${type}-a`), event(2, 'Other'), event(3, `${type}-b`)]);

    const received: number[] = [];
    for await (const resolved of subscription) {
      received.push((resolved.event?.data as { n: number }).n);
      if (received.length === 2) break;
    }

    await subscription.unsubscribe();
    expect(received).toEqual([1, 3]);
    expect(checkpoints.length).toBeGreaterThan(0);
  });
});
