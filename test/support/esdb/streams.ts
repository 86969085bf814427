/**
 * `event_store.client.streams.Streams`: Read (stream and `$all` reads in both directions, `$all` reads
 * and subscriptions with a stream-name or event-type filter, subscriptions to a stream or to `$all`),
 * Append (client-streaming) and BatchAppend (one long-lived bidi call, multiplexed by correlation id).
 *
 * What a real node does that this does not is refused as UNIMPLEMENTED and recorded (see
 * ./strict.ts): link resolution, structured UUIDs, control options, Delete and Tombstone.
 * Every read, subscription and append request served is counted (./counts.ts).
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { anyPb, codePb, emptyPb, sharedPb, statusPb, streamsPb } from './generated.ts';
import { type Counter, createCounter } from './counts.ts';
import type { AppendOutcome, Expected, Log, ProposedEvent, StoredEvent } from './log.ts';
import { type Handlers, type Unimplemented } from './strict.ts';

type ReadReq = StreamsPb.ReadReq;
type ReadResp = StreamsPb.ReadResp;
type ReadOptions = StreamsPb.ReadReq.Options;
type ProposedMessage = StreamsPb.AppendReq.ProposedMessage | StreamsPb.BatchAppendReq.ProposedMessage;

const { ReadReq, ReadResp, AppendResp, BatchAppendResp } = streamsPb;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The server's default search window for filtered reads (events considered per checkpoint). */
const DEFAULT_FILTER_WINDOW = 32;

/** A request the server refuses as malformed, as a real node would (INVALID_ARGUMENT). */
class InvalidArgument extends Error {
  override readonly name = 'InvalidArgument';
}

const streamIdentifier = (streamId: string) => {
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(streamId, 'utf8'));
  return identifier;
};

const streamIdOf = (identifier: ReturnType<typeof streamIdentifier> | undefined): string => {
  if (identifier === undefined) throw new InvalidArgument('stream_identifier is missing');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
};

/** A proposed event as the log stores it; refuses what a real node refuses. */
const proposedOf = (message: ProposedMessage): ProposedEvent => {
  const uuid = message.getId();
  if (uuid?.hasStructured()) throw new InvalidArgument('structured event ids are not emulated');
  const id = uuid?.getString() ?? '';
  if (!UUID_PATTERN.test(id)) throw new InvalidArgument(`event id ${JSON.stringify(id)} is not a UUID`);
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  if (type === undefined || contentType === undefined) {
    throw new InvalidArgument('required metadata properties "type" and "content-type" are missing');
  }
  return {
    id: id.toLowerCase(),
    type,
    contentType,
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
};

const eventResponse = (event: StoredEvent): ReadResp => {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  const id = new sharedPb.UUID();
  id.setString(event.id);
  recorded.setId(id);
  recorded.setStreamIdentifier(streamIdentifier(event.streamId));
  recorded.setStreamRevision(event.revision.toString());
  recorded.setPreparePosition(event.position.toString());
  recorded.setCommitPosition(event.position.toString());
  const metadata = recorded.getMetadataMap();
  metadata.set('type', event.type);
  metadata.set('content-type', event.contentType);
  metadata.set('created', event.createdTicks.toString());
  recorded.setCustomMetadata(event.customMetadata);
  recorded.setData(event.data);
  const read = new ReadResp.ReadEvent();
  read.setEvent(recorded);
  read.setCommitPosition(event.position.toString());
  const response = new ReadResp();
  response.setEvent(read);
  return response;
};

/** The filter of a read or subscription: stream name or event type, prefixes or a regex. */
const filterOf = (options: ReadOptions): ((event: StoredEvent) => boolean) => {
  const filter = options.getFilter();
  if (!options.hasFilter() || filter === undefined) return () => true;
  const byStream = filter.hasStreamIdentifier();
  const expression = byStream ? filter.getStreamIdentifier() : filter.getEventType();
  const field = (event: StoredEvent): string => (byStream ? event.streamId : event.type);
  const prefixes = expression?.getPrefixList() ?? [];
  if (prefixes.length > 0) return (event) => prefixes.some((prefix) => field(event).startsWith(prefix));
  const regex = expression?.getRegex() ?? '';
  if (regex === '') return () => true;
  const pattern = new RegExp(regex);
  return (event) => pattern.test(field(event));
};

/** Events considered between two checkpoints of a filtered `$all` subscription. */
const checkpointIntervalOf = (options: ReadOptions): number | undefined => {
  const filter = options.getFilter();
  if (!options.hasFilter() || filter === undefined) return undefined;
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_FILTER_WINDOW;
  return Math.max(1, window * Math.max(1, filter.getCheckpointintervalmultiplier()));
};

const expectedOf = (
  kind: 'revision' | 'no-stream' | 'any' | 'stream-exists' | undefined,
  revision: string,
): Expected => {
  switch (kind) {
    case 'revision':
      return { kind: 'revision', revision: BigInt(revision) };
    case 'no-stream':
    case 'any':
    case 'stream-exists':
      return { kind };
    default:
      throw new InvalidArgument('the expected stream revision is missing');
  }
};

const invalid = (error: unknown): Partial<grpc.StatusObject> => ({
  code: grpc.status.INVALID_ARGUMENT,
  details: error instanceof Error ? error.message : String(error),
});

export const streamsService = (
  log: Log,
  unimplemented: Unimplemented,
  counter: Counter = createCounter(),
): Handlers => {
  /** Appends to the log, counting the request and what it wrote. */
  const appendCounted = (streamId: string, expected: Expected, events: readonly ProposedEvent[]) => {
    const outcome = log.append(streamId, expected, events);
    counter.appends += 1;
    if (outcome.ok) counter.appendedEvents += outcome.written;
    else counter.wrongExpectedVersions += 1;
    return outcome;
  };

  const readOnce = (options: ReadOptions): ReadResp[] => {
    const count = options.hasCount() ? BigInt(options.getCount()) : 0n;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const take = (events: readonly StoredEvent[]): ReadResp[] =>
      events
        .slice(0, Number(count < BigInt(events.length) ? count : BigInt(events.length)))
        .map(eventResponse);

    const stream = options.getStream();
    if (options.hasStream() && stream !== undefined) {
      const streamId = streamIdOf(stream.getStreamIdentifier());
      counter.streamReads += 1;
      const events = log.stream(streamId);
      if (events === undefined) {
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(streamIdentifier(streamId));
        const response = new ReadResp();
        response.setStreamNotFound(notFound);
        return [response];
      }
      const last = events.length - 1;
      if (!backwards) {
        const from = stream.hasRevision()
          ? Number(BigInt(stream.getRevision()))
          : stream.hasEnd()
            ? last + 1
            : 0;
        return take(events.slice(from));
      }
      const from = stream.hasRevision()
        ? Math.min(Number(BigInt(stream.getRevision())), last)
        : stream.hasStart()
          ? -1
          : last;
      return take(events.slice(0, from + 1).reverse());
    }

    const all = options.getAll();
    if (!options.hasAll() || all === undefined) throw new InvalidArgument('read neither a stream nor $all');
    counter.allReads += 1;
    const matches = filterOf(options);
    const position = all.hasPosition() ? BigInt(all.getPosition()?.getCommitPosition() ?? '0') : undefined;
    const events = log.all();
    if (!backwards) {
      // Forwards, a position is inclusive: it is where the next record starts.
      const from = all.hasEnd()
        ? []
        : events.filter((event) => position === undefined || event.position >= position);
      return take(from.filter(matches));
    }
    // Backwards, a position is exclusive: it is where the previous record ends.
    const from = all.hasStart()
      ? []
      : events.filter((event) => position === undefined || event.position < position);
    return take([...from].reverse().filter(matches));
  };

  const subscribe = (call: grpc.ServerWritableStream<ReadReq, ReadResp>, options: ReadOptions): void => {
    counter.subscriptions += 1;
    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(randomUUID());
    const confirmed = new ReadResp();
    confirmed.setConfirmation(confirmation);
    call.write(confirmed);

    let matches: (event: StoredEvent) => boolean;
    let history: readonly StoredEvent[];
    let checkpointInterval: number | undefined;
    const stream = options.getStream();
    const all = options.getAll();
    if (options.hasStream() && stream !== undefined) {
      const streamId = streamIdOf(stream.getStreamIdentifier());
      const events = log.stream(streamId) ?? [];
      // A subscription starts after the given revision; to a missing stream it waits for it.
      history = stream.hasEnd()
        ? []
        : stream.hasRevision()
          ? events.filter((e) => e.revision > BigInt(stream.getRevision()))
          : events;
      matches = (event) => event.streamId === streamId;
    } else if (options.hasAll() && all !== undefined) {
      const position = all.hasPosition() ? BigInt(all.getPosition()?.getCommitPosition() ?? '0') : undefined;
      const events = log.all();
      history = all.hasEnd()
        ? []
        : events.filter((event) => position === undefined || event.position > position);
      matches = filterOf(options);
      checkpointInterval = checkpointIntervalOf(options);
    } else {
      throw new InvalidArgument('subscribe to neither a stream nor $all');
    }

    let considered = 0;
    const deliver = (event: StoredEvent): void => {
      if (matches(event)) call.write(eventResponse(event));
      considered += 1;
      if (checkpointInterval !== undefined && considered % checkpointInterval === 0) {
        const checkpoint = new ReadResp.Checkpoint();
        checkpoint.setCommitPosition(event.position.toString());
        checkpoint.setPreparePosition(event.position.toString());
        const response = new ReadResp();
        response.setCheckpoint(checkpoint);
        call.write(response);
      }
    };
    // History, caught-up and the switch to live happen in one turn: no append can fall in between.
    for (const event of history) deliver(event);
    const caughtUp = new ReadResp();
    caughtUp.setCaughtUp(new ReadResp.CaughtUp());
    call.write(caughtUp);
    const stop = log.onAppend(deliver);
    call.on('cancelled', stop);
    call.on('close', stop);
    call.on('error', stop);
  };

  const appendResponse = (outcome: AppendOutcome, expected: Expected) => {
    const response = new AppendResp();
    if (outcome.ok) {
      const success = new AppendResp.Success();
      if (outcome.currentRevision === undefined) success.setNoStream(new sharedPb.Empty());
      else success.setCurrentRevision(outcome.currentRevision.toString());
      if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty());
      else {
        const position = new AppendResp.Position();
        position.setCommitPosition(outcome.position.toString());
        position.setPreparePosition(outcome.position.toString());
        success.setPosition(position);
      }
      response.setSuccess(success);
      return response;
    }
    const wrong = new AppendResp.WrongExpectedVersion();
    if (outcome.current === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
    else wrong.setCurrentRevision(outcome.current.toString());
    if (expected.kind === 'revision') wrong.setExpectedRevision(expected.revision.toString());
    else if (expected.kind === 'any') wrong.setExpectedAny(new sharedPb.Empty());
    else if (expected.kind === 'no-stream') wrong.setExpectedNoStream(new sharedPb.Empty());
    else wrong.setExpectedStreamExists(new sharedPb.Empty());
    response.setWrongExpectedVersion(wrong);
    return response;
  };

  const batchAppendResponse = (
    correlationId: StreamsPb.BatchAppendReq['getCorrelationId'] extends () => infer U ? U : never,
    streamId: string,
    expected: Expected,
    outcome: AppendOutcome,
  ) => {
    const response = new BatchAppendResp();
    response.setCorrelationId(correlationId);
    // The client reads the stream name of every response, errors included (it hangs without it).
    response.setStreamIdentifier(streamIdentifier(streamId));
    if (expected.kind === 'revision') response.setStreamPosition(expected.revision.toString());
    else if (expected.kind === 'any') response.setAny(new emptyPb.Empty());
    else if (expected.kind === 'no-stream') response.setNoStream(new emptyPb.Empty());
    else response.setStreamExists(new emptyPb.Empty());
    if (outcome.ok) {
      const success = new BatchAppendResp.Success();
      if (outcome.currentRevision === undefined) success.setNoStream(new emptyPb.Empty());
      else success.setCurrentRevision(outcome.currentRevision.toString());
      if (outcome.position === undefined) success.setNoPosition(new emptyPb.Empty());
      else {
        const position = new sharedPb.AllStreamPosition();
        position.setCommitPosition(outcome.position.toString());
        position.setPreparePosition(outcome.position.toString());
        success.setPosition(position);
      }
      response.setSuccess(success);
      return response;
    }
    // BatchAppend reports a conflict as a google.rpc.Status whose details pack the shared message.
    const wrong = new sharedPb.WrongExpectedVersion();
    if (outcome.current === undefined) wrong.setCurrentNoStream(new emptyPb.Empty());
    else wrong.setCurrentStreamRevision(outcome.current.toString());
    if (expected.kind === 'revision') wrong.setExpectedStreamPosition(expected.revision.toString());
    else if (expected.kind === 'any') wrong.setExpectedAny(new emptyPb.Empty());
    else if (expected.kind === 'no-stream') wrong.setExpectedNoStream(new emptyPb.Empty());
    else wrong.setExpectedStreamExists(new emptyPb.Empty());
    const details = new anyPb.Any();
    details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
    const status = new statusPb.Status();
    status.setCode(codePb.Code.FAILED_PRECONDITION);
    status.setMessage(`WrongExpectedVersion: stream ${streamId}`);
    status.setDetails(details);
    response.setError(status);
    return response;
  };

  return {
    read(call: grpc.ServerWritableStream<ReadReq, ReadResp>) {
      const options = call.request.getOptions();
      const refuse = (detail: string): void => {
        call.emit('error', unimplemented('/event_store.client.streams.Streams/Read', detail));
      };
      if (options === undefined) return void call.emit('error', invalid('options are missing'));
      if (options.getResolveLinks()) return refuse('resolve_links: true (link events are not emulated)');
      if (options.hasControlOption()) return refuse('control_option');
      if (options.getUuidOption()?.hasStructured()) return refuse('uuid_option: structured');
      try {
        if (options.hasSubscription()) return subscribe(call, options);
        for (const response of readOnce(options)) call.write(response);
        call.end();
      } catch (error) {
        call.emit('error', invalid(error));
      }
    },

    append(
      call: grpc.ServerReadableStream<StreamsPb.AppendReq, StreamsPb.AppendResp>,
      callback: grpc.sendUnaryData<StreamsPb.AppendResp>,
    ) {
      let options: StreamsPb.AppendReq.Options | undefined;
      const events: ProposedEvent[] = [];
      let failure: unknown;
      call.on('data', (request: StreamsPb.AppendReq) => {
        try {
          if (request.hasOptions()) options = request.getOptions();
          const message = request.getProposedMessage();
          if (request.hasProposedMessage() && message !== undefined) events.push(proposedOf(message));
        } catch (error) {
          failure ??= error;
        }
      });
      call.on('end', () => {
        try {
          if (failure !== undefined) throw failure;
          if (options === undefined) throw new InvalidArgument('the first message must hold the options');
          const kind = AppendCases[options.getExpectedStreamRevisionCase()];
          const expected = expectedOf(kind, options.getRevision());
          const streamId = streamIdOf(options.getStreamIdentifier());
          callback(null, appendResponse(appendCounted(streamId, expected, events), expected));
        } catch (error) {
          callback(invalid(error));
        }
      });
    },

    batchAppend(call: grpc.ServerDuplexStream<StreamsPb.BatchAppendReq, StreamsPb.BatchAppendResp>) {
      const pending = new Map<
        string,
        { options?: StreamsPb.BatchAppendReq.Options; events: ProposedEvent[] }
      >();
      call.on('data', (request: StreamsPb.BatchAppendReq) => {
        try {
          const correlationId = request.getCorrelationId();
          const key = correlationId?.getString() ?? '';
          if (key === '') throw new InvalidArgument('correlation_id is missing');
          const batch = pending.get(key) ?? { events: [] };
          pending.set(key, batch);
          const options = request.getOptions();
          if (request.hasOptions() && options !== undefined) batch.options = options;
          batch.events.push(...request.getProposedMessagesList().map(proposedOf));
          if (!request.getIsFinal()) return;
          pending.delete(key);
          if (batch.options === undefined)
            throw new InvalidArgument('the first message must hold the options');
          const kind = BatchAppendCases[batch.options.getExpectedStreamPositionCase()];
          const expected = expectedOf(kind, batch.options.getStreamPosition());
          const streamId = streamIdOf(batch.options.getStreamIdentifier());
          const outcome = appendCounted(streamId, expected, batch.events);
          call.write(batchAppendResponse(correlationId, streamId, expected, outcome));
        } catch (error) {
          // A malformed batch fails the whole call: the client rejects every pending append.
          call.emit('error', invalid(error));
        }
      });
      call.on('end', () => call.end());
    },
  };
};

/** The protocol's expected-revision cases, by oneof case number. */
const AppendCases: Record<number, 'revision' | 'no-stream' | 'any' | 'stream-exists'> = {
  [streamsPb.AppendReq.Options.ExpectedStreamRevisionCase.REVISION]: 'revision',
  [streamsPb.AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM]: 'no-stream',
  [streamsPb.AppendReq.Options.ExpectedStreamRevisionCase.ANY]: 'any',
  [streamsPb.AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS]: 'stream-exists',
};
const BatchAppendCases: Record<number, 'revision' | 'no-stream' | 'any' | 'stream-exists'> = {
  [streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase.STREAM_POSITION]: 'revision',
  [streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase.NO_STREAM]: 'no-stream',
  [streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase.ANY]: 'any',
  [streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase.STREAM_EXISTS]: 'stream-exists',
};
