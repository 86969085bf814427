/**
 * `verify [--case ID] [--read-models path]` — is the record sound? SQLite integrity, contiguous
 * revisions, the hash chain, every event decodable, every key present or erased by a recorded fact,
 * read models not ahead of the store and equal to its projection. Exit 0 when sound, 1 with each
 * finding; reads only (creates no file).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { VerifyReport } from '../../integrity/verify.ts';
import { globals, openStore, parseCaseId, print, RefusedError, storeConnection } from '../common.ts';
import { type ReadModelOptions, readModelsOption, readModelsPath } from '../read-models.ts';

export const registerVerify = (program: Command): void => {
  readModelsOption(
    program
      .command('verify')
      .description(
        'check that the record is sound and unaltered: integrity, revisions, hash chain, decoding, keys, read models',
      )
      .option('--case <caseId>', 'check this case only'),
  ).action(async (opts: ReadModelOptions & { case?: string }, cmd: Command) => {
    const global = globals(cmd);
    const caseId = opts.case === undefined ? undefined : parseCaseId(opts.case);
    const connection = storeConnection(global);
    const [
      { parseStoreConnection },
      { displayStore },
      { storeIdentity },
      { verifyStore },
      { StoreUnavailableError },
    ] = await Promise.all([
      import('../../store/open.ts'),
      import('../../store/failures.ts'),
      import('../../projector/identity.ts'),
      import('../../integrity/verify.ts'),
      import('../../store/port.ts'),
    ]);
    const location = parseStoreConnection(connection);
    const shown = displayStore(connection);
    if (location.kind === 'sqlite' && !existsSync(location.path))
      throw new StoreUnavailableError(shown, 'no such store', 'nothing to verify');
    const store = await openStore(global, 'read');
    try {
      const report = await verifyStore({
        store: store.raw,
        keys: store.keys,
        storeName: shown,
        storeIdentity: storeIdentity(connection),
        ...(location.kind === 'sqlite' ? { sqlitePath: location.path } : {}),
        readModels: [readModelsPath(opts, connection)],
        ...(caseId === undefined ? {} : { caseId }),
      });
      print(global.json, report, formatReport(report));
      // Exit 1: the report (text or JSON) already lists each finding.
      if (!report.sound)
        throw new RefusedError(`the record is not sound: ${report.findings.length} finding(s)`, {}, true);
    } finally {
      await store.close();
    }
  });
};

const formatReport = (r: VerifyReport): string =>
  [
    `${r.sound ? 'Sound' : 'NOT SOUND'}: ${r.store} — ${r.cases} case(s), ${r.events} event(s), ${r.chained} chained, ${r.legacy} unchained legacy.`,
    ...r.findings.map(
      (f) =>
        `  ✗ ${f.check}: ${[
          f.caseId && `case ${f.caseId}`,
          f.revision !== undefined && `revision ${f.revision}`,
          f.file,
        ]
          .filter(Boolean)
          .join(', ')}${f.caseId || f.revision !== undefined || f.file ? ': ' : ''}${f.message}`,
    ),
    ...r.notes.map((n) => `  · ${n}`),
    ...(r.digest
      ? [
          `Digest of the ${r.heads.length} case head(s): ${r.digest} (keep it elsewhere to prove the record later)`,
        ]
      : []),
  ].join('\n');
