/**
 * Every display of a store — pages, reports, messages — names it without credentials.
 */
import { describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import { displayStore } from '../../src/store/failures.ts';
import { parseStoreConnection, UnsupportedStoreError } from '../../src/store/open.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { storedCase } from '../../src/visual/case-data.ts';
import { reportHtml } from '../../src/visual/report.ts';
import type { IsoDate } from '../../machines/dates.ts';
import { caseOpened } from '../support/builders.ts';

describe('a store as displayed', () => {
  it('drops the user and password (and the options) of an esdb:// connection string, keeping the hosts', () => {
    expect(displayStore('esdb://admin:changeit@db1:2113,db2:2113?tls=false')).toBe(
      'esdb://db1:2113,db2:2113',
    );
    expect(displayStore('esdb+discover://ops:p%40ss@cluster.example:2113')).toBe(
      'esdb+discover://cluster.example:2113',
    );
    expect(displayStore('sqlite:./data/cnil.db')).toBe('sqlite:./data/cnil.db');
  });

  it('an unsupported connection string is named in the error without its password', () => {
    let error: unknown;
    try {
      parseStoreConnection('postgres://admin:changeit@db/cnil');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedStoreError);
    expect((error as Error).message).not.toContain('changeit');
    expect((error as Error).message).toContain('postgres://db/cnil');
  });

  it('the HTML report of a stored case names the store without credentials', async () => {
    const store = createInMemoryEventStore();
    await createCaseService({ store, today: () => '2024-06-01' }).record('acme-sas', caseOpened());
    const c = await storedCase(store, 'acme-sas', 'esdb://admin:changeit@localhost:2113?tls=false');
    const html = await reportHtml(c ?? expect.fail('no case'), '2024-06-01' as IsoDate);
    expect(html).toContain('esdb://localhost:2113');
    expect(html).not.toContain('changeit');
    await store.close();
  });
});
