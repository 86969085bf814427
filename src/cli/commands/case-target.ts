/**
 * What the picture commands (diagram, inspect, report) draw: `clearview` — the sourced history,
 * straight from its dataset — or a case of the event store named by `--store`.
 */
import type { CaseFacts } from '../../visual/case-data.ts';
import { datasetCase, isDatasetName, storedCase } from '../../visual/case-data.ts';
import {
  type GlobalOptions,
  InvalidInputError,
  noSuchCase,
  openStore,
  parseCaseId,
  parseWholeNumber,
  storeConnection,
} from '../common.ts';

export const TARGET_HELP = 'a caseId of the store, or clearview (the sourced history, no store needed)';

export const loadCase = async (
  target: string,
  global: GlobalOptions,
  field = 'caseId',
): Promise<CaseFacts> => {
  if (isDatasetName(target)) return datasetCase(target);
  const id = parseCaseId(target);
  const connection = storeConnection(global);
  const store = await openStore(global, 'read');
  try {
    const found = await storedCase(store, id, connection);
    if (!found)
      throw noSuchCase(field, id, (await import('../../store/failures.ts')).displayStore(connection));
    return found;
  } finally {
    await store.close();
  }
};

/** A whole number of milliseconds ≥ 0, or the field is named. */
export const parseMillis = (field: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  return parseWholeNumber(field, value, { min: 0, unit: 'milliseconds' });
};

export const parsePort = (value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65_535)
    throw new InvalidInputError([{ field: '--port', message: `${value} is not a TCP port (1–65535)` }]);
  return n;
};
