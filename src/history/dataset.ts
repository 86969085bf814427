/**
 * Sourced case histories kept as data (JSON files beside this module), and their replay through
 * the case service. Event ids are derived from the dataset, the case and the event's key, so
 * replaying a dataset twice appends nothing new.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { Actor, CaseId, EVENT_TYPES, type EventType, ProcedureEvent, Source } from '../../machines/events.ts';
import { CURRENT_VERSION, UnknownSchemaVersionError, UpcastError, upcast } from '../../machines/versions.ts';
import type { CaseService, FactInput, RecordOutcome } from '../cases/service.ts';

/**
 * An act of a dataset. Its `data` is written at the event type's current schema version, unless
 * `schemaVersion` says it is an older one: parsing then upcasts it with the same upcasters as
 * stored events (machines/versions.ts), so a dataset written before a schema change still loads,
 * and its event ids do not change. The parsed event holds data at the current version.
 */
export const DatasetEvent = z
  .strictObject({
    /** Stable key of the act within the dataset (e.g. 'F10-formal-notice'); the event id derives from it. */
    key: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/),
    type: z.enum(EVENT_TYPES as [string, ...string[]]),
    /** The schema version `data` is written at; default: the event type's current version. */
    schemaVersion: z.number().int().positive().optional(),
    actor: Actor.optional(),
    data: z.record(z.string(), z.unknown()),
    /** Every dataset event carries its source. */
    source: Source,
  })
  .transform(({ schemaVersion, ...event }, ctx) => {
    const type = event.type as EventType;
    if (schemaVersion === undefined || schemaVersion === CURRENT_VERSION[type]) return event;
    try {
      return { ...event, data: upcast(type, schemaVersion, event.data) as Record<string, unknown> };
    } catch (error) {
      if (error instanceof UnknownSchemaVersionError)
        ctx.addIssue({
          code: 'custom',
          path: ['schemaVersion'],
          message: error.message,
          input: schemaVersion,
        });
      else if (error instanceof UpcastError)
        ctx.addIssue({
          code: 'custom',
          path: error.field.split('.'),
          message: `${error.problem} (${error.eventType} schema version ${error.from}, upcast to ${error.from + 1})`,
          input: event.data,
        });
      else throw error;
      return z.NEVER;
    }
  });

export const Dataset = z.strictObject({
  dataset: z.string().regex(/^[a-z0-9-]+$/),
  version: z.number().int().positive(),
  caseId: CaseId,
  title: z.string(),
  notes: z.array(z.string()),
  events: z
    .array(DatasetEvent)
    .min(1)
    .refine((events) => new Set(events.map((e) => e.key)).size === events.length, {
      message: 'keys must be unique',
    }),
});
export type Dataset = z.infer<typeof Dataset>;

export const DATASETS = ['clearview'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Thrown when a dataset file does not match its schema. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

export const loadDataset = async (name: DatasetName): Promise<Dataset> => {
  const url = new URL(`./${name}.json`, import.meta.url);
  const parsed = Dataset.safeParse(JSON.parse(await readFile(url, 'utf8')));
  if (!parsed.success)
    throw new DatasetError(`dataset ${name} is invalid: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  return parsed.data;
};

/** A name-based UUID (RFC 9562 version 5, SHA-1) in this project's namespace. */
export const deterministicUuid = (name: string): string => {
  const namespace = Buffer.from('6f1d2c4e8a3b4e5f9c0d1e2f3a4b5c6d', 'hex');
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

export const datasetFacts = (dataset: Dataset): FactInput[] =>
  dataset.events.map((e) => ({
    type: e.type,
    data: e.data,
    eventId: deterministicUuid(`${dataset.dataset}/${dataset.caseId}/${e.key}`),
    source: e.source,
    ...(e.actor ? { actor: e.actor } : {}),
    correlationId: `dataset:${dataset.dataset}@${dataset.version}`,
  }));

/**
 * The dataset's facts as procedure events, validated, in order (data already at the current schema
 * version): what `fold` takes.
 * @example fold(datasetProcedureEvents(await loadDataset('clearview')))
 */
export const datasetProcedureEvents = (dataset: Dataset): ProcedureEvent[] =>
  dataset.events.map((e) => ProcedureEvent.parse({ type: e.type, data: e.data }));

/** Records the dataset's history (idempotent): the facts already stored are left as they are. */
export const replayDataset = (service: CaseService, dataset: Dataset): Promise<RecordOutcome> =>
  service.recordAll(dataset.caseId, datasetFacts(dataset));
