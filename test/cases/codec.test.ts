/**
 * Decoding stored events validates their metadata with `parseMetadata`, which validates each
 * distinct source, and each distinct set of the fields events share, once. It must say exactly what the schema says: same value (key order too),
 * same refusals with the same messages, whether the source was seen before or not.
 */
import { describe, expect, it } from 'vitest';
import { EventMetadata } from '../../machines/events.ts';
import { parseMetadata } from '../../src/cases/codec.ts';
import { loadDataset } from '../../src/history/dataset.ts';
import { generateDatasets } from '../../src/import/generate.ts';
import { loadParams } from '../../src/simulation/params.ts';

const HASH = 'a'.repeat(64);
const valid = {
  source: {
    title: 'CNIL, deliberation SAN-2022-019',
    reference: 'SAN-2022-019',
    url: 'https://www.legifrance.gouv.fr/cnil/id/CNILTEXT000046444859',
    date: 'stated',
  },
  actor: 'restricted-committee',
  recordedAt: '2026-11-23T10:00:00.000Z',
  correlationId: 'dataset:clearview@4',
  schemaVersion: 2,
  integrity: { alg: 'sha256', prev: null, hash: HASH },
};

const same = (metadata: unknown) => {
  const expected = EventMetadata.safeParse(metadata);
  const actual = parseMetadata(metadata);
  expect(actual.success).toBe(expected.success);
  if (expected.success && actual.success) {
    expect(actual.data).toEqual(expected.data);
    expect(JSON.stringify(actual.data)).toBe(JSON.stringify(expected.data));
  } else expect(actual.error?.issues).toEqual(expected.error?.issues);
  return actual;
};

describe('given the metadata of stored events', () => {
  it('the sources of the Clearview dataset and of simulated cases read as the schema reads them, first time and after', async () => {
    const clearview = await loadDataset('clearview');
    const simulated = generateDatasets({ cases: 20, seed: 3, params: await loadParams() });
    for (const round of [1, 2])
      for (const dataset of [clearview, ...simulated])
        for (const act of dataset.events)
          expect(
            same({ ...valid, source: act.source, correlationId: `round ${round}` }).success,
            `${dataset.caseId} ${act.key}`,
          ).toBe(true);
  });

  it.each([
    ['a source URL that is not http(s)', { source: { ...valid.source, url: 'ftp://example.org/x' } }],
    ['a title with a control character', { source: { ...valid.source, title: 'SAN\u0001-2022-019' } }],
    [
      'a title with surrounding spaces (trimmed, as the schema does)',
      { source: { ...valid.source, title: '  CNIL  ' } },
    ],
    ['an unknown field in the source', { source: { ...valid.source, page: 3 } }],
    ['a number where the source has text', { source: { ...valid.source, note: 3 } }],
    ['a source that is a list', { source: [valid.source] }],
    ['no source', { source: undefined }],
    ['an unknown actor, under a source already seen', { actor: 'someone' }],
    ['an unknown field beside a source already seen', { extra: true }],
    ['a malformed hash', { integrity: { alg: 'sha256', prev: null, hash: 'xyz' } }],
    ['no recording time', { recordedAt: undefined }],
    ['a recording time without its offset', { recordedAt: '2026-11-23T10:00:00' }],
    ['a recording time with an offset', { recordedAt: '2026-11-23T10:00:00+01:00' }],
    ['an empty correlation id', { correlationId: '' }],
    ['a correlation id of 101 characters', { correlationId: 'c'.repeat(101) }],
    ['a causation id', { causationId: 'c4ec2227-7689-555f-a3f9-112206e515d2' }],
    ['an empty causation id', { causationId: '' }],
    ['a causation id of 100 characters', { causationId: 'c'.repeat(100) }],
    ['a causation id of 101 characters', { causationId: 'c'.repeat(101) }],
    ['a causation id that is a number', { causationId: 7 }],
    ['schema version 0', { schemaVersion: 0 }],
    ['schema version 1.5', { schemaVersion: 1.5 }],
    ['schema version as text', { schemaVersion: '2' }],
    ['a correlation id that is a number', { correlationId: 4 }],
    ['no integrity link', { integrity: undefined }],
    ['a link after another', { integrity: { alg: 'sha256', prev: 'b'.repeat(64), hash: HASH } }],
    ['a link without its previous hash', { integrity: { alg: 'sha256', hash: HASH } }],
    ['a link with another algorithm', { integrity: { alg: 'sha512', prev: null, hash: HASH } }],
    ['a link with an upper-case hash', { integrity: { alg: 'sha256', prev: null, hash: 'A'.repeat(64) } }],
    ['a link with a short previous hash', { integrity: { alg: 'sha256', prev: 'b'.repeat(63), hash: HASH } }],
    ['a link with a field more', { integrity: { alg: 'sha256', prev: null, hash: HASH, at: 1 } }],
    ['a link that is a list', { integrity: [HASH] }],
  ])('%s: the same value or the same refusal as the schema', (_, change) => {
    same(valid); // the source of `valid` is now known
    same({ ...valid, ...change });
    same({ ...valid, ...change }); // and once more, from the cache if it was valid
  });
});
