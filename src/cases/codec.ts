/**
 * Between procedure facts and store events: metadata on the way in, validation on the way out.
 * A stored event that no longer matches its schema is an `EventDeserializationError`, never a
 * silently skipped fact.
 */
import { EventMetadata, ProcedureEvent } from '../../machines/events.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import {
  EventDeserializationError,
  type JsonObject,
  type NewEvent,
  type RecordedEvent,
} from '../store/port.ts';

export const SCHEMA_VERSION = 1;

export const toNewEvent = (id: string, event: ProcedureEvent, metadata: EventMetadata): NewEvent => ({
  id,
  type: event.type,
  // Zod output is plain JSON data (ISO strings, integers, booleans, arrays, objects).
  data: event.data as unknown as JsonObject,
  metadata: metadata as unknown as JsonObject,
});

export const toFact = (recorded: RecordedEvent): RecordedFact => {
  const event = ProcedureEvent.safeParse({ type: recorded.type, data: recorded.data });
  const metadata = EventMetadata.safeParse(recorded.metadata);
  if (!event.success || !metadata.success) {
    const cause = !event.success ? event.error : metadata.error;
    throw new EventDeserializationError(recorded.streamId, recorded.revision, { cause });
  }
  return {
    event: event.data,
    metadata: metadata.data,
    eventId: recorded.id,
    revision: recorded.revision,
    position: recorded.position,
  };
};
