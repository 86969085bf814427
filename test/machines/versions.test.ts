/**
 * Event schema versions and upcasters (machines/versions.ts): pure, no store.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, schemaOf } from '../../machines/events.ts';
import {
  CURRENT_VERSION,
  UnknownSchemaVersionError,
  UPCASTERS,
  UpcastError,
  upcast,
} from '../../machines/versions.ts';
import { caseOpened, decisionPublished, hearingHeld, sanctionImposed } from '../support/builders.ts';

/** A SanctionImposed as version 1 wrote it: orders as plain strings. */
const v1Sanction = (orders: unknown[] = ['Delete the data', 'Answer the access requests']) => {
  const { injunction, ...data } = sanctionImposed().data;
  return { ...data, injunction: { ...injunction, orders } };
};

describe('the versions of the event schemas', () => {
  it('CaseOpened, DecisionPublished, HearingHeld and SanctionImposed are at version 2; every other event type at version 1', () => {
    expect(CURRENT_VERSION.SanctionImposed).toBe(2);
    expect(CURRENT_VERSION.HearingHeld).toBe(2);
    expect(EVENT_TYPES.filter((t) => CURRENT_VERSION[t] !== 1).sort()).toEqual([
      'CaseOpened',
      'DecisionPublished',
      'HearingHeld',
      'SanctionImposed',
    ]);
  });

  it('each event type’s upcasters read versions 1, 2, … in order, and say what changed and why', () => {
    for (const [type, chain] of Object.entries(UPCASTERS)) {
      expect(
        chain.map((u) => u.from),
        type,
      ).toEqual(chain.map((_, i) => i + 1));
      for (const u of chain) {
        expect(u.what, type).not.toBe('');
        expect(u.why, type).not.toBe('');
      }
    }
  });
});

describe('upcasting SanctionImposed from version 1', () => {
  it('turns each order into { order, breaches: [] } (the articles it remedies are unknown) and leaves the rest as it was', () => {
    const data = v1Sanction();
    const upcast2 = upcast('SanctionImposed', 1, data);
    expect(upcast2).toEqual({
      ...data,
      injunction: {
        ...data.injunction,
        orders: [
          { order: 'Delete the data', breaches: [] },
          { order: 'Answer the access requests', breaches: [] },
        ],
      },
    });
    expect(schemaOf('SanctionImposed').shape.data.safeParse(upcast2).success).toBe(true);
  });

  it('leaves a sanction without injunction unchanged', () => {
    const data = sanctionImposed({ measures: ['fine'], injunction: undefined }).data;
    expect(upcast('SanctionImposed', 1, data)).toEqual(data);
  });

  it('does not touch data already at the current version', () => {
    const data = sanctionImposed().data;
    expect(upcast('SanctionImposed', 2, data)).toBe(data);
    expect(upcast('WarningIssued', 1, { on: '2024-01-01' })).toEqual({ on: '2024-01-01' });
    const opened = caseOpened().data;
    expect(upcast('CaseOpened', 2, opened)).toBe(opened);
  });

  it('refuses version-1 data that is not what version 1 wrote, naming the field', () => {
    const attempt = (data: unknown) => () => upcast('SanctionImposed', 1, data);
    expect(attempt(v1Sanction(['Delete the data', { order: 'x' }]))).toThrow(
      new UpcastError(
        'SanctionImposed',
        1,
        'data.injunction.orders.1',
        'must be a string (an order of version 1), got object',
      ),
    );
    expect(attempt({ ...v1Sanction(), injunction: { orders: 'Delete' } })).toThrow(
      /data\.injunction\.orders must be an array of strings, got string/,
    );
    expect(attempt({ ...v1Sanction(), injunction: [] })).toThrow(
      /data\.injunction must be an object, got an array/,
    );
    expect(attempt(null)).toThrow(UpcastError);
  });

  it('refuses a version newer than the code knows, or one that is not a version', () => {
    expect(() => upcast('SanctionImposed', 3, {})).toThrow(
      'SanctionImposed was written at schema version 3, but this code knows versions 1 to 2',
    );
    expect(() => upcast('CaseOpened', 3, {})).toThrow(UnknownSchemaVersionError);
    expect(() => upcast('WarningIssued', 0, {})).toThrow(
      'WarningIssued schema version 0 is not a version (1 to 1)',
    );
    expect(() => upcast('CaseOpened', 1.5, {})).toThrow(UnknownSchemaVersionError);
  });
});

describe('upcasting HearingHeld from version 1', () => {
  it('leaves a session of version 1 as it was: its convocation date is unknown, so `convenedOn` stays absent', () => {
    const data = { on: '2022-10-13' };
    const upcast2 = upcast('HearingHeld', 1, data);
    expect(upcast2).toEqual({ on: '2022-10-13' });
    expect(schemaOf('HearingHeld').shape.data.safeParse(upcast2).success).toBe(true);
  });

  it('version 2 records the convocation date (D art. 41)', () => {
    expect(hearingHeld({ convenedOn: '2024-01-03' }).data).toEqual({
      on: '2024-01-18',
      convenedOn: '2024-01-03',
    });
  });

  it('refuses version-1 data that already names a convocation date, or that is not an object', () => {
    expect(() => upcast('HearingHeld', 1, { on: '2022-10-13', convenedOn: '2022-09-01' })).toThrow(
      new UpcastError('HearingHeld', 1, 'data.convenedOn', 'is not a field of version 1'),
    );
    expect(() => upcast('HearingHeld', 1, 'x')).toThrow(/data must be an object, got string/);
  });
});

describe('upcasting CaseOpened from version 1 (LIL art. 20 III; GDPR art. 83)', () => {
  /** A CaseOpened as version 1 wrote it: no `controller.kind`. */
  const v1Opened = () => {
    const { kind: _kind, ...controller } = caseOpened().data.controller;
    return { ...caseOpened().data, controller };
  };

  it('gives the controller the kind `unspecified` (version 1 did not say) and leaves the rest as it was', () => {
    const data = v1Opened();
    const upcast2 = upcast('CaseOpened', 1, data);
    expect(upcast2).toEqual({ ...data, controller: { ...data.controller, kind: 'unspecified' } });
    expect(schemaOf('CaseOpened').shape.data.safeParse(upcast2).success).toBe(true);
  });

  it('refuses version-1 data that already has a kind, or no controller, naming the field', () => {
    expect(() => upcast('CaseOpened', 1, caseOpened().data)).toThrow(
      new UpcastError('CaseOpened', 1, 'data.controller.kind', 'is not a field of version 1'),
    );
    expect(() => upcast('CaseOpened', 1, { on: '2024-01-01' })).toThrow(
      /data\.controller must be an object, got undefined/,
    );
  });
});

describe('upcasting DecisionPublished from version 1 (CE 28 Sep 2016 n° 389448)', () => {
  it('says `periodNotStated: not-verified` where version 1 gave no anonymisation date', () => {
    const { anonymiseAfter: _a, ...data } = decisionPublished().data;
    expect(upcast('DecisionPublished', 1, data)).toEqual({ ...data, periodNotStated: 'not-verified' });
  });

  it('leaves a version-1 publication with its anonymisation date as it was', () => {
    const data = decisionPublished().data;
    expect(upcast('DecisionPublished', 1, data)).toBe(data);
  });

  it('refuses version-1 data that already says why the period is missing', () => {
    expect(() =>
      upcast('DecisionPublished', 1, { ...decisionPublished().data, periodNotStated: 'decision-silent' }),
    ).toThrow(new UpcastError('DecisionPublished', 1, 'data.periodNotStated', 'is not a field of version 1'));
  });
});
