/**
 * Every legal rule of machines/rules.ts, at its boundary: the last lawful value is accepted and
 * the first unlawful one is refused, with the rule's id and a message naming the field.
 */
import { getNextTransitions } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { ProcedureEvent } from '../../machines/events.ts';
import type { LawfulParams } from '../../machines/procedure.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import { LAW, RULES, type RuleId } from '../../machines/rules.ts';
import {
  ACME,
  appealDecided,
  appealLodged,
  caseClosed,
  caseOpened,
  complaintReceived,
  decisionNotified,
  decisionPublished,
  formalNoticeClosed,
  formalNoticeDeadlineElapsed,
  formalNoticeDeadlineExtended,
  formalNoticeIssued,
  hearingHeld,
  history,
  injunctionComplied,
  injunctionDeadlineElapsed,
  penaltyLiquidated,
  penaltyLiquidationNotified,
  observationsSubmitted,
  personalDataErased,
  proceedingsDismissed,
  productionOrdered,
  publicationAnonymised,
  referredToOrdinaryProcedure,
  referredToRestrictedCommittee,
  rightToRemainSilentNotified,
  sanctionImposed,
  sanctionReportNotified,
  simplifiedSanctionImposed,
} from '../support/builders.ts';
import { type Accepted, given } from '../support/given.ts';
import type { RuleViolated } from '../../machines/decider.ts';

// ── Bookkeeping: every rule has an accepted and a refused case ──────────────────────────────

const coverage = new Map<RuleId, { accepted: number; refused: number }>();
const count = (id: RuleId, outcome: 'accepted' | 'refused'): void => {
  const c = coverage.get(id) ?? { accepted: 0, refused: 0 };
  c[outcome] += 1;
  coverage.set(id, c);
};

const guardRules = (guard: unknown): readonly string[] =>
  (guard as { params?: Partial<LawfulParams> } | undefined)?.params?.rules ?? [];

interface RuleSpecs {
  /** A fact the rule lets through; the test checks that the rule guarded the transition taken. */
  accepts(name: string, spec: () => Accepted): void;
  /** A fact the rule refuses (and no rule checked before it). */
  refuses(name: string, spec: () => RuleViolated): void;
}

const forRule = (id: RuleId, body: (specs: RuleSpecs) => void): void => {
  describe(`${id} (${RULES[id].basis})`, () =>
    body({
      accepts: (name, spec) => {
        count(id, 'accepted');
        it(name, () => {
          const outcome = spec();
          expect(RULES[id].check(outcome.before.context, outcome.event)).toBeNull();
          const guarded = getNextTransitions(outcome.before)
            .filter((t) => t.eventType === outcome.event.type)
            .flatMap((t) => guardRules(t.guard));
          expect(guarded, `${id} guards ${outcome.event.type} here`).toContain(id);
        });
      },
      refuses: (name, spec) => {
        count(id, 'refused');
        it(name, () => {
          expect(spec().rule).toBe(id);
        });
      },
    }));
};

/** A history of acme-sas whose controller declared a worldwide turnover. */
const withTurnover = (turnover: number): ProcedureEvent[] => [
  caseOpened({ controller: { worldwideTurnover: turnover } }),
  ...history.upToOrdinaryDeliberation().slice(1),
];

/** A history up to the deliberation of a case whose controller is of `kind`, with a declared turnover. */
const ofKind = (
  kind: 'state' | 'public-body' | 'undertaking' | 'unspecified',
  turnover?: number,
): ProcedureEvent[] => [
  caseOpened({ controller: { kind, name: 'Ministère de l’Exemple', worldwideTurnover: turnover } }),
  ...history.upToOrdinaryDeliberation().slice(1),
];

/** A case referred to the restricted committee on 1 Sep 2021, before décret 2022-517. */
const referredIn2021 = (): ProcedureEvent[] => [
  ...before2022(),
  referredToRestrictedCommittee({ on: '2021-09-01' }),
];

/** The same, with the report notified on 1 Oct 2021 (answer by 2 Nov 2021). */
const exchangesIn2021 = (): ProcedureEvent[] => [
  ...referredIn2021(),
  sanctionReportNotified({ on: '2021-10-01', responseDeadline: '2021-11-02' }),
];

/** A case whose report is notified on 1 Aug 2025, a week before Cons. const. n° 2025-1154 QPC. */
const exchangesIn2025 = (): ProcedureEvent[] => [
  caseOpened({ on: '2025-06-02' }),
  complaintReceived({ on: '2025-06-02' }),
  referredToRestrictedCommittee({ on: '2025-07-01' }),
  sanctionReportNotified({ on: '2025-08-01', responseDeadline: '2025-09-01' }),
];

/** A formal notice served on 26 Nov 2021 and elapsed on 11 Jan 2022, before loi 2022-52 took effect. */
const unansweredIn2021 = (): ProcedureEvent[] => [
  ...before2022(),
  formalNoticeIssued({ on: '2021-11-26', deadline: '2022-01-10' }),
  formalNoticeDeadlineElapsed({ on: '2022-01-11' }),
];

/** A fine without injunction, for the fine-cap tests. */
const fine = (amount: number, breaches: string[] = ['6', '12', '15', '17']) =>
  sanctionImposed({ fine: amount, breaches, measures: ['fine'], injunction: undefined });

/** A case opened before the April 2022 decree (dates of the Clearview formal notice). */
const before2022 = (): ProcedureEvent[] => [
  caseOpened({ on: '2021-05-27' }),
  complaintReceived({ on: '2021-05-27' }),
];

// ── Integrity of the record ──────────────────────────────────────────────────────────────────

forRule('caseIsOpen', ({ accepts, refuses }) => {
  accepts('a complaint on the day the case is opened is recorded (LIL art. 8)', () =>
    given(caseOpened())
      .when(complaintReceived({ on: '2023-01-16' }))
      .thenStage('complaint'),
  );

  refuses('a complaint on a case never opened is refused (LIL art. 8)', () =>
    given().when(complaintReceived()).thenRefused('caseIsOpen', { mentions: 'has not been opened' }),
  );

  refuses('a complaint on the day the case was closed is refused (LIL art. 8, 20)', () =>
    given(...history.upToComplaint(), caseClosed({ on: '2023-02-15', outcome: 'complaint-rejected' }))
      .when(complaintReceived({ on: '2023-02-15', complaintId: 'PLT-23-007000' }))
      .thenRefused('caseIsOpen', { mentions: ['closed on 2023-02-15', 'complaint-rejected'] }),
  );
});

forRule('chronology', ({ accepts, refuses }) => {
  accepts('an act dated the same day as the previous act is accepted (procedural order)', () =>
    given(...history.upToFindings())
      .when(formalNoticeIssued({ on: '2023-05-10', deadline: '2023-07-10' }))
      .thenStage('formalNotice'),
  );

  refuses('an act dated one day before the previous act is refused (procedural order)', () =>
    given(...history.upToFindings())
      .when(formalNoticeIssued({ on: '2023-05-09', deadline: '2023-07-10' }))
      .thenRefused('chronology', { mentions: ['2023-05-09', '2023-05-10'] }),
  );

  refuses('a root-level fact is dated in order too: a ruling dated before the appeal is refused', () =>
    given(...history.upToInjunctionRunning(), appealLodged())
      .when(appealDecided({ on: '2024-03-19' }))
      .thenRefused('chronology'),
  );
});

describe('a closed case (LIL art. 20)', () => {
  // The closed state enforces finality itself: it accepts only root-level facts.
  it('a closed case accepts no further act of the procedure (LIL art. 20)', () => {
    given(...history.closed())
      .when(sanctionImposed({ on: '2024-10-01', deliberation: 'SAN-2024-050' }))
      .thenRefused('TransitionNotAllowed', {
        accepts: [
          'ComplaintReceived',
          'DecisionPublished',
          'PublicationAnonymised',
          'AppealLodged',
          'AppealDecided',
          'PersonalDataErased',
          'DecisionNotified',
        ],
      });
  });
});

// ── Formal notice (LIL art. 20 II; D art. 38) ────────────────────────────────────────────────

forRule('formalNoticeMinimumPeriod', ({ accepts, refuses }) => {
  accepts('a formal notice giving exactly 10 days is accepted (D art. 38)', () =>
    given(...history.upToFindings())
      .when(formalNoticeIssued({ deadline: '2023-06-11' }))
      .thenContext({ formalNotice: { deadline: '2023-06-11' } }),
  );

  refuses('a formal notice giving 9 days without urgency is refused (D art. 38)', () =>
    given(...history.upToFindings())
      .when(formalNoticeIssued({ deadline: '2023-06-10' }))
      .thenRefused('formalNoticeMinimumPeriod', { mentions: ['less than 10 day(s)', 'data.urgency'] }),
  );

  accepts('in urgency a formal notice may give 1 day (24 hours, D art. 38)', () =>
    given(...history.upToFindings())
      .when(formalNoticeIssued({ deadline: '2023-06-02', urgency: true }))
      .thenContext({ formalNotice: { urgency: true, deadline: '2023-06-02' } }),
  );

  refuses('even in urgency a formal notice due the same day is refused (D art. 38)', () =>
    given(...history.upToFindings())
      .when(formalNoticeIssued({ deadline: '2023-06-01', urgency: true }))
      .thenRefused('formalNoticeMinimumPeriod', { mentions: 'less than 1 day(s)' }),
  );
});

forRule('formalNoticeMaximumPeriodBefore2022', ({ accepts, refuses }) => {
  accepts(
    'before 11 April 2022, a formal notice giving exactly 6 months is accepted (former D art. 38)',
    () =>
      given(...before2022())
        .when(formalNoticeIssued({ on: '2021-11-26', reference: 'MED-2021-134', deadline: '2022-05-26' }))
        .thenStage('formalNotice'),
  );

  refuses('before 11 April 2022, 6 months and 1 day is refused (former D art. 38)', () =>
    given(...before2022())
      .when(formalNoticeIssued({ on: '2021-11-26', reference: 'MED-2021-134', deadline: '2022-05-27' }))
      .thenRefused('formalNoticeMaximumPeriodBefore2022', { mentions: '6 months' }),
  );

  refuses('a formal notice served on 10 April 2022, the last day of the old rule, is still capped', () =>
    given(...before2022())
      .when(formalNoticeIssued({ on: '2022-04-10', deadline: '2022-10-11' }))
      .thenRefused('formalNoticeMaximumPeriodBefore2022'),
  );

  accepts('from 11 April 2022 (décret 2022-517) a formal notice may give more than 6 months', () =>
    given(...before2022())
      .when(formalNoticeIssued({ on: '2022-04-11', deadline: '2022-11-11' }))
      .thenStage('formalNotice'),
  );
});

forRule('formalNoticeExtendedOnce', ({ accepts, refuses }) => {
  accepts('the deadline may be extended on its last day, by one day (D art. 38)', () =>
    given(...history.upToFormalNotice())
      .when(formalNoticeDeadlineExtended({ on: '2023-08-01', newDeadline: '2023-08-02' }))
      .thenContext({ formalNotice: { deadline: '2023-08-02', extended: true } }),
  );

  refuses('an extension dated after the deadline is refused (D art. 38)', () =>
    given(...history.upToFormalNotice())
      .when(formalNoticeDeadlineExtended({ on: '2023-08-02', newDeadline: '2023-09-01' }))
      .thenRefused('formalNoticeExtendedOnce', { field: 'data.on', mentions: '2023-08-01' }),
  );

  refuses('an extension to the current deadline is no extension (D art. 38)', () =>
    given(...history.upToFormalNotice())
      .when(formalNoticeDeadlineExtended({ newDeadline: '2023-08-01' }))
      .thenRefused('formalNoticeExtendedOnce', { field: 'data.newDeadline' }),
  );

  accepts(
    'a deadline on Saturday 2 March 2024 may still be extended on Monday 4 March, its last day (D art. 38; CPC art. 642)',
    () =>
      given(...history.upToFindings(), formalNoticeIssued({ on: '2024-02-01', deadline: '2024-03-02' }))
        .when(formalNoticeDeadlineExtended({ on: '2024-03-04', newDeadline: '2024-04-02' }))
        .thenContext({ formalNotice: { deadline: '2024-04-02', extended: true } }),
  );

  refuses('a second extension is refused: the deadline is extended once (D art. 38)', () =>
    given(...history.upToFormalNotice(), formalNoticeDeadlineExtended())
      .when(formalNoticeDeadlineExtended({ on: '2023-08-25', newDeadline: '2023-10-02' }))
      .thenRefused('formalNoticeExtendedOnce', {
        mentions: `${ACME.formalNotice} has already been extended once`,
      }),
  );
});

/** A formal notice served in 2021, due Friday 30 July 2021 (before décret 2022-517). */
const noticeOf2021 = (): ProcedureEvent[] => [
  ...before2022(),
  formalNoticeIssued({ on: '2021-06-01', reference: 'MED-2021-050', deadline: '2021-07-30' }),
];

forRule('formalNoticeExtensionLimitBefore2022', ({ accepts, refuses }) => {
  accepts(
    'before 11 April 2022, a deadline renewed for exactly six more months is accepted (D art. 38, 2019 version: « renouvelé une fois dans la même limite »)',
    () =>
      given(...noticeOf2021())
        .when(formalNoticeDeadlineExtended({ on: '2021-07-20', newDeadline: '2022-01-30' }))
        .thenContext({ formalNotice: { deadline: '2022-01-30', extended: true } }),
  );

  refuses(
    'before 11 April 2022, a renewal of six months and one day is refused (D art. 38, 2019 version)',
    () =>
      given(...noticeOf2021())
        .when(formalNoticeDeadlineExtended({ on: '2021-07-20', newDeadline: '2022-01-31' }))
        .thenRefused('formalNoticeExtensionLimitBefore2022', {
          field: 'data.newDeadline',
          mentions: ['2022-01-30', '11 April 2022'],
        }),
  );

  refuses(
    'a deadline of 1 September 2021 extended to 31 December 2023 is refused (D art. 38, 2019 version; décret 2005-1309 art. 73 before it)',
    () =>
      given(...before2022(), formalNoticeIssued({ on: '2021-06-01', deadline: '2021-09-01' }))
        .when(formalNoticeDeadlineExtended({ on: '2021-08-20', newDeadline: '2023-12-31' }))
        .thenRefused('formalNoticeExtensionLimitBefore2022', { mentions: '2022-03-01' }),
  );

  accepts('from 11 April 2022 (décret 2022-517) an extension has no maximum', () =>
    given(...before2022(), formalNoticeIssued({ on: '2022-05-02', deadline: '2022-06-02' }))
      .when(formalNoticeDeadlineExtended({ on: '2022-06-01', newDeadline: '2023-12-29' }))
      .thenContext({ formalNotice: { deadline: '2023-12-29', extended: true } }),
  );
});

forRule('formalNoticeDeadlinePassed', ({ accepts, refuses }) => {
  const dueSaturday = () => [
    ...history.upToFindings(),
    formalNoticeIssued({ on: '2024-02-01', deadline: '2024-03-02' }),
  ];

  refuses(
    'a formal notice due Saturday 2 March 2024 has not elapsed on Sunday 3 March (CPC art. 642: its last day is Monday 4 March)',
    () =>
      given(...dueSaturday())
        .when(formalNoticeDeadlineElapsed({ on: '2024-03-03' }))
        .thenRefused('formalNoticeDeadlinePassed', { mentions: ['2024-03-05', '2024-03-04'] }),
  );

  refuses('nor on Monday 4 March 2024, its last day (CPC art. 642)', () =>
    given(...dueSaturday())
      .when(formalNoticeDeadlineElapsed({ on: '2024-03-04' }))
      .thenRefused('formalNoticeDeadlinePassed', { mentions: '2024-03-05' }),
  );

  accepts('it has elapsed from Tuesday 5 March 2024 (D art. 38; CPC art. 642)', () =>
    given(...dueSaturday())
      .when(formalNoticeDeadlineElapsed({ on: '2024-03-05' }))
      .thenState('formalNotice.compliance.deadlineElapsed'),
  );

  accepts('the deadline elapses on the day after it (LIL art. 20 II)', () =>
    given(...history.upToFormalNotice())
      .when(formalNoticeDeadlineElapsed({ on: '2023-08-02' }))
      .thenState('formalNotice.compliance.deadlineElapsed'),
  );

  refuses('the deadline has not elapsed on its last day (LIL art. 20 II)', () =>
    given(...history.upToFormalNotice())
      .when(formalNoticeDeadlineElapsed({ on: '2023-08-01' }))
      .thenRefused('formalNoticeDeadlinePassed', { mentions: '2023-08-01' }),
  );

  refuses('after an extension, the old deadline no longer elapses (D art. 38)', () =>
    given(...history.upToFormalNotice(), formalNoticeDeadlineExtended())
      .when(formalNoticeDeadlineElapsed({ on: '2023-08-02' }))
      .thenRefused('formalNoticeDeadlinePassed', { mentions: '2023-09-01' }),
  );

  accepts('after an extension, the new deadline elapses the day after it (D art. 38)', () =>
    given(...history.upToFormalNotice(), formalNoticeDeadlineExtended())
      .when(formalNoticeDeadlineElapsed({ on: '2023-09-02' }))
      .thenState('formalNotice.compliance.deadlineElapsed'),
  );
});

forRule('publicationOfFormalNotice', ({ accepts }) => {
  accepts('the formal notice is published once the bureau decided it (LIL art. 20 II)', () =>
    given(...history.upToPublicationDecided())
      .when(decisionPublished({ on: '2023-06-12' }))
      .thenState('formalNotice.publicity.published'),
  );

  // Through the decider the refusals are reported by decisionPublishable, checked first
  // (root-level transition); the rule's own check is tested directly.
  it('the rule objects to publishing another reference as the formal notice (LIL art. 20 II)', () => {
    count('publicationOfFormalNotice', 'refused');
    const { context } = given(...history.upToPublicationDecided()).state;
    expect(
      RULES.publicationOfFormalNotice.check(context, decisionPublished({ reference: 'MED-2023-999' })),
    ).toBe('data.reference MED-2023-999 is not the formal notice of this case');
  });

  it('the rule objects to publishing the formal notice before the bureau decided it (LIL art. 20 II)', () => {
    count('publicationOfFormalNotice', 'refused');
    const { context } = given(...history.upToFormalNotice()).state;
    expect(RULES.publicationOfFormalNotice.check(context, decisionPublished())).toBe(
      'the bureau has not decided to publish the formal notice',
    );
  });

  it('publishing the formal notice before the bureau decided it is refused (LIL art. 20 II)', () => {
    given(...history.upToFormalNotice())
      .when(decisionPublished({ on: '2023-06-12' }))
      .thenRefused('decisionPublishable', { mentions: 'the bureau has not decided to publish' });
  });
});

// ── Publication and anonymisation ────────────────────────────────────────────────────────────

forRule('decisionPublishable', ({ accepts, refuses }) => {
  accepts('a public sanction is published the day it is decided (LIL art. 20 III)', () =>
    given(...history.upToInjunctionRunning())
      .when(decisionPublished({ on: '2024-01-25', reference: ACME.sanction, anonymiseAfter: '2024-01-26' }))
      .thenState('sanction.injunctionRunning'),
  );

  refuses('an anonymisation date on the publication day is refused (CE 28 Sep 2016 n° 389448)', () =>
    given(...history.upToInjunctionRunning())
      .when(decisionPublished({ on: '2024-01-25', reference: ACME.sanction, anonymiseAfter: '2024-01-25' }))
      .thenRefused('decisionPublishable', { field: 'data.anonymiseAfter' }),
  );

  refuses('a sanction the restricted committee did not make public is not published (LIL art. 20 III)', () =>
    given(...history.upToOrdinaryDeliberation(), sanctionImposed({ public: false }))
      .when(decisionPublished({ on: '2024-01-30', reference: ACME.sanction }))
      .thenRefused('decisionPublishable', { mentions: `${ACME.sanction} was not made public` }),
  );

  refuses('a simplified-procedure decision is never published (LIL art. 22-1)', () =>
    given(...history.upToSimplifiedExchanges(), simplifiedSanctionImposed())
      .when(decisionPublished({ on: '2024-01-30', reference: ACME.simplifiedSanction }))
      .thenRefused('decisionPublishable', { mentions: 'never public' }),
  );

  refuses('a decision is published once (LIL art. 20 III)', () =>
    given(
      ...history.upToInjunctionRunning(),
      decisionPublished({ on: '2024-01-30', reference: ACME.sanction, anonymiseAfter: '2026-01-30' }),
    )
      .when(decisionPublished({ on: '2024-02-05', reference: ACME.sanction, venue: ['press'] }))
      .thenRefused('decisionPublishable', { mentions: 'already published on 2024-01-30' }),
  );

  refuses('a reference that is not a decision of the case is not published', () =>
    given(...history.upToInjunctionRunning())
      .when(decisionPublished({ on: '2024-01-30', reference: 'SAN-2024-777' }))
      .thenRefused('decisionPublishable', { field: 'data.reference' }),
  );

  refuses('the closure of a formal notice that was not public is not published (LIL art. 20 II)', () =>
    given(...history.upToFormalNotice(), formalNoticeClosed())
      .when(decisionPublished({ on: '2023-08-17', reference: ACME.formalNoticeClosure }))
      .thenRefused('decisionPublishable', { mentions: 'was not made public' }),
  );

  it('the refusal to publish a non-public ordinary sanction does not blame the simplified procedure', () => {
    const refusal = given(...history.upToOrdinaryDeliberation(), sanctionImposed({ public: false }))
      .when(decisionPublished({ on: '2024-01-30', reference: ACME.sanction }))
      .thenRefused('decisionPublishable');
    expect(refusal.reason).not.toContain('simplified');
  });
});

forRule('anonymisationDue', ({ accepts, refuses }) => {
  const publishedAndClosed = () => [...history.upToPublicFormalNotice(), formalNoticeClosed()];

  accepts('a publication is anonymised on its anonymisation date (CE 28 Sep 2016 n° 389448)', () =>
    given(...publishedAndClosed())
      .when(publicationAnonymised({ on: '2025-06-22' }))
      .thenStage('closed'),
  );

  refuses('a publication is not anonymised the day before its anonymisation date', () =>
    given(...publishedAndClosed())
      .when(publicationAnonymised({ on: '2025-06-21' }))
      .thenRefused('anonymisationDue', { field: 'data.on', mentions: '2025-06-22' }),
  );

  refuses('a decision that was never published is not anonymised', () =>
    given(...history.upToInjunctionRunning())
      .when(publicationAnonymised({ on: '2024-02-01', reference: ACME.sanction }))
      .thenRefused('anonymisationDue', { field: 'data.reference' }),
  );

  refuses('a publication is anonymised once', () =>
    given(...publishedAndClosed(), publicationAnonymised())
      .when(publicationAnonymised({ on: '2025-07-01' }))
      .thenRefused('anonymisationDue', { mentions: 'already anonymised on 2025-06-23' }),
  );
});

// ── Personal data (GDPR art. 17) ─────────────────────────────────────────────────────────────

forRule('personalDataHeld', ({ accepts, refuses }) => {
  accepts('the personal data of the complainant of the case are erased (GDPR art. 17(1))', () =>
    given(...history.upToComplaint())
      .when(personalDataErased({ on: '2023-02-01' }))
      .thenContext({ persons: [{ personId: 'person-7f3a', erasedOn: '2023-02-01' }] }),
  );

  accepts('a person who complains again after an erasure holds personal data again', () =>
    given(
      ...history.upToComplaint(),
      personalDataErased({ on: '2023-02-01' }),
      complaintReceived({ on: '2023-02-10', complaintId: 'PLT-23-009001' }),
    )
      .when(personalDataErased({ on: '2023-02-20' }))
      .thenContext({ persons: [{ personId: 'person-7f3a', erasedOn: '2023-02-20' }] }),
  );

  refuses('a person the case does not hold is not erased from it', () =>
    given(...history.upToComplaint())
      .when(personalDataErased({ on: '2023-02-01', personId: 'person-0000' }))
      .thenRefused('personalDataHeld', { field: 'data.personId', mentions: 'person-0000' }),
  );

  refuses('personal data are erased once', () =>
    given(...history.upToComplaint(), personalDataErased({ on: '2023-02-01' }))
      .when(personalDataErased({ on: '2023-02-02' }))
      .thenRefused('personalDataHeld', { mentions: 'already erased on 2023-02-01' }),
  );

  refuses('nothing is erased from a case that was never opened', () =>
    given()
      .when(personalDataErased({ on: '2023-02-01' }))
      .thenRefused('personalDataHeld', { mentions: 'has not been opened' }),
  );
});

// ── Restricted committee ─────────────────────────────────────────────────────────────────────

forRule('simplifiedProcedureInForce', ({ accepts, refuses }) => {
  refuses('a simplified referral dated 10 April 2022 is refused (LIL art. 22-1; décret 2022-517)', () =>
    given(...before2022())
      .when(referredToRestrictedCommittee({ on: '2022-04-10', procedure: 'simplified' }))
      .thenRefused('simplifiedProcedureInForce', { mentions: ['2022-04-10', '2022-04-11'] }),
  );

  accepts('a simplified referral dated 11 April 2022 is accepted (LIL art. 22-1; décret 2022-517)', () =>
    given(...before2022())
      .when(referredToRestrictedCommittee({ on: '2022-04-11', procedure: 'simplified' }))
      .thenState('restrictedCommittee.simplified.instruction'),
  );

  accepts('an ordinary referral dated 10 April 2022 is accepted (LIL art. 22)', () =>
    given(...before2022())
      .when(referredToRestrictedCommittee({ on: '2022-04-10' }))
      .thenState('restrictedCommittee.ordinary.instruction'),
  );
});

forRule('reportResponsePeriod', ({ accepts, refuses }) => {
  accepts("exactly one month to answer the rapporteur's report is accepted (D art. 40)", () =>
    given(...history.upToOrdinaryInstruction())
      .when(sanctionReportNotified({ on: '2023-11-06', responseDeadline: '2023-12-06' }))
      .thenState('restrictedCommittee.ordinary.exchanges'),
  );

  refuses('one month less a day is refused (D art. 40)', () =>
    given(...history.upToOrdinaryInstruction())
      .when(sanctionReportNotified({ on: '2023-11-06', responseDeadline: '2023-12-05' }))
      .thenRefused('reportResponsePeriod', { mentions: '2023-12-06' }),
  );

  accepts('a report notified on 31 January gives until 29 February in a leap year (D art. 40)', () =>
    given(...history.upToSimplifiedInstruction())
      .when(sanctionReportNotified({ on: '2024-01-31', responseDeadline: '2024-02-29' }))
      .thenState('restrictedCommittee.simplified.exchanges'),
  );

  refuses('a report notified on 31 January cannot be answered by 28 February 2024 (D art. 40)', () =>
    given(...history.upToSimplifiedInstruction())
      .when(sanctionReportNotified({ on: '2024-01-31', responseDeadline: '2024-02-28' }))
      .thenRefused('reportResponsePeriod', { mentions: '2024-02-29' }),
  );
});

// ── The adversarial timetable (D art. 40, 41; LIL art. 22-1) ────────────────────────────────

/** A report notified on Friday 1 March 2024, to be answered by Tuesday 2 April 2024. */
const reportOfMarch = (procedure: 'ordinary' | 'simplified') => [
  ...(procedure === 'ordinary' ? history.upToOrdinaryInstruction() : history.upToSimplifiedInstruction()),
  sanctionReportNotified({ on: '2024-03-01', responseDeadline: '2024-04-02' }),
];

forRule('responsePeriodHasRun', ({ accepts, refuses }) => {
  refuses(
    'a session on 5 March 2024 after a report notified on 1 March, answerable until 2 April, is refused (D art. 40)',
    () =>
      given(...reportOfMarch('ordinary'))
        .when(hearingHeld({ on: '2024-03-05' }))
        .thenRefused('responsePeriodHasRun', { mentions: ['2024-04-02', '2024-04-03'] }),
  );

  refuses('a session on 2 April 2024, the last day to answer, is refused (D art. 40)', () =>
    given(...reportOfMarch('ordinary'))
      .when(hearingHeld({ on: '2024-04-02' }))
      .thenRefused('responsePeriodHasRun', { field: 'data.on' }),
  );

  accepts('the session may be held on 3 April 2024, once the time to answer has run (D art. 40)', () =>
    given(...reportOfMarch('ordinary'))
      .when(hearingHeld({ on: '2024-04-03' }))
      .thenState('restrictedCommittee.ordinary.deliberation'),
  );

  const answerBySaturday = () => [
    ...history.upToOrdinaryInstruction(),
    sanctionReportNotified({ on: '2024-02-02', responseDeadline: '2024-03-02' }),
  ];

  refuses(
    'a time to answer ending on Saturday 2 March 2024 runs to Monday 4 March: no session that Monday (D art. 40; CPC art. 642)',
    () =>
      given(...answerBySaturday())
        .when(hearingHeld({ on: '2024-03-04' }))
        .thenRefused('responsePeriodHasRun', { mentions: '2024-03-05' }),
  );

  accepts('the session may be held on Tuesday 5 March 2024 (D art. 40; CPC art. 642)', () =>
    given(...answerBySaturday())
      .when(hearingHeld({ on: '2024-03-05' }))
      .thenState('restrictedCommittee.ordinary.deliberation'),
  );

  refuses(
    'a simplified-procedure sanction three days after the report is refused (LIL art. 22-1; D art. 40, 45-1)',
    () =>
      given(...reportOfMarch('simplified'))
        .when(simplifiedSanctionImposed({ on: '2024-03-04', injunction: { deadline: '2024-05-06' } }))
        .thenRefused('responsePeriodHasRun', { mentions: '2024-04-03' }),
  );

  accepts(
    'a simplified-procedure sanction without hearing, the day after the time to answer has run (LIL art. 22-1)',
    () =>
      given(...reportOfMarch('simplified'))
        .when(simplifiedSanctionImposed({ on: '2024-04-03', injunction: { deadline: '2024-06-03' } }))
        .thenStage('sanction'),
  );

  refuses('nor may the simplified procedure end in a dismissal before then (LIL art. 22-1)', () =>
    given(...reportOfMarch('simplified'))
      .when(proceedingsDismissed({ on: '2024-03-15' }))
      .thenRefused('responsePeriodHasRun'),
  );

  refuses(
    "in the simplified procedure, a hearing at the party's request is not held within the time to answer either (LIL art. 22-1)",
    () =>
      given(...reportOfMarch('simplified'))
        .when(hearingHeld({ on: '2024-04-02' }))
        .thenRefused('responsePeriodHasRun', { mentions: '2024-04-03' }),
  );
});

/** An ordinary procedure of 2021–2022: report notified 1 Oct 2021, answerable until 2 Nov 2021. */
const reportOf2021 = (): ProcedureEvent[] => [
  ...noticeOf2021(),
  formalNoticeDeadlineElapsed({ on: '2021-07-31' }),
  referredToRestrictedCommittee({ on: '2021-09-01' }),
  sanctionReportNotified({ on: '2021-10-01', responseDeadline: '2021-11-02' }),
];

forRule('convocationPeriod', ({ accepts, refuses }) => {
  accepts(
    'in 2022, a controller convened on 10 December 2021 may be heard on 10 January 2022, one month later (D art. 41, 2019 version)',
    () =>
      given(...reportOf2021())
        .when(hearingHeld({ on: '2022-01-10', convenedOn: '2021-12-10' }))
        .thenState('restrictedCommittee.ordinary.deliberation'),
  );

  refuses(
    'convened on 11 December 2021, it cannot be heard on 10 January 2022 (D art. 41, 2019 version)',
    () =>
      given(...reportOf2021())
        .when(hearingHeld({ on: '2022-01-10', convenedOn: '2021-12-11' }))
        .thenRefused('convocationPeriod', { mentions: ['one month', '2022-01-11'] }),
  );

  refuses('a convocation of 10 April 2022 falls under the old rule: a session 16 days later is refused', () =>
    given(...reportOf2021())
      .when(hearingHeld({ on: '2022-04-26', convenedOn: '2022-04-10' }))
      .thenRefused('convocationPeriod', { mentions: '2022-05-10' }),
  );

  accepts(
    'a convocation of 11 April 2022 falls under décret 2022-517: fifteen days suffice (D art. 40–41 as amended)',
    () =>
      given(...reportOf2021())
        .when(hearingHeld({ on: '2022-04-26', convenedOn: '2022-04-11' }))
        .thenState('restrictedCommittee.ordinary.deliberation'),
  );

  accepts('in 2024, convened on 3 January, the controller may be heard on 18 January (fifteen days)', () =>
    given(...history.upToOrdinaryExchanges())
      .when(hearingHeld({ convenedOn: '2024-01-03' }))
      .thenState('restrictedCommittee.ordinary.deliberation'),
  );

  refuses('convened on 4 January 2024, it cannot be heard on 18 January (fourteen days)', () =>
    given(...history.upToOrdinaryExchanges())
      .when(hearingHeld({ convenedOn: '2024-01-04' }))
      .thenRefused('convocationPeriod', { mentions: ['fifteen days', '2024-01-19'] }),
  );

  refuses('a convocation dated after the session is refused', () =>
    given(...history.upToOrdinaryExchanges())
      .when(hearingHeld({ convenedOn: '2024-01-19' }))
      .thenRefused('convocationPeriod', { field: 'data.convenedOn' }),
  );
});

// ── Sanctions (GDPR art. 83; LIL art. 20 III, 22-1) ──────────────────────────────────────────

forRule('fineCap', ({ accepts, refuses }) => {
  accepts('a fine of 20 M€ is accepted without known turnover (GDPR art. 83(5))', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(fine(20_000_000))
      .thenContext({ sanction: { fine: 20_000_000 } }),
  );

  refuses('a fine of 20 M€ + 1 € is refused without known turnover (GDPR art. 83(5))', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(fine(20_000_001))
      .thenRefused('fineCap', { mentions: ['20,000,001 €', '20,000,000 €'] }),
  );

  accepts('with a turnover of 1 bn €, the cap is 4 %: 40 M€ accepted (GDPR art. 83(5))', () =>
    given(...withTurnover(1_000_000_000))
      .when(fine(40_000_000))
      .thenContext({ sanction: { fine: 40_000_000 } }),
  );

  refuses('with a turnover of 1 bn €, 40 M€ + 1 € is refused (GDPR art. 83(5))', () =>
    given(...withTurnover(1_000_000_000))
      .when(fine(40_000_001))
      .thenRefused('fineCap', { mentions: '40,000,000 €' }),
  );

  refuses('with a turnover of 100 M€, 4 % is less than 20 M€: the cap stays 20 M€ (GDPR art. 83(5))', () =>
    given(...withTurnover(100_000_000))
      .when(fine(20_000_001))
      .thenRefused('fineCap', { mentions: '20,000,000 €' }),
  );

  accepts('breaches of art. 83(4) articles only (art. 32) are capped at 10 M€: 10 M€ accepted', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(fine(10_000_000, ['32']))
      .thenStage('sanction'),
  );

  refuses('breaches of art. 83(4) articles only (art. 32): 10 M€ + 1 € is refused (GDPR art. 83(4))', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(fine(10_000_001, ['32']))
      .thenRefused('fineCap', { mentions: '10,000,000 €' }),
  );

  accepts('art. 83(4) breaches with a turnover of 1 bn €: 2 % = 20 M€ accepted (GDPR art. 83(4))', () =>
    given(...withTurnover(1_000_000_000))
      .when(fine(20_000_000, ['25', '32']))
      .thenStage('sanction'),
  );

  refuses('art. 83(4) breaches with a turnover of 1 bn €: 20 M€ + 1 € refused (GDPR art. 83(4))', () =>
    given(...withTurnover(1_000_000_000))
      .when(fine(20_000_001, ['25', '32']))
      .thenRefused('fineCap', { mentions: '20,000,000 €' }),
  );

  refuses('every art. 83(4) article of the controller (8, 11, 25–39, 42, 43) is in the lower tier', () => {
    for (const article of ['8', '11', '25', '28(3)', '39', '42', '43'])
      given(...history.upToOrdinaryDeliberation())
        .when(fine(10_000_001, [article]))
        .thenRefused('fineCap', { mentions: '10,000,000 €' });
    return given(...history.upToOrdinaryDeliberation())
      .when(fine(10_000_001, ['33']))
      .thenRefused('fineCap');
  });

  accepts('one art. 83(5) breach (art. 6) with art. 32 lifts the cap to 20 M€ (GDPR art. 83(3), 83(5))', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(fine(20_000_000, ['32', '6']))
      .thenStage('sanction'),
  );

  accepts('arts 5, 40 and 58 are not art. 83(4) articles: 20 M€ accepted (GDPR art. 83(5))', () => {
    for (const article of ['5(1)(a)', '40'])
      given(...history.upToOrdinaryDeliberation())
        .when(fine(20_000_000, [article]))
        .thenStage('sanction');
    return given(...history.upToOrdinaryDeliberation())
      .when(fine(20_000_000, ['58']))
      .thenStage('sanction');
  });

  it('a breach of art. 41(4) alone (monitoring body) is capped at 10 M€ (GDPR art. 83(4)(c))', () => {
    given(...history.upToOrdinaryDeliberation())
      .when(fine(10_000_001, ['41(4)']))
      .thenRefused('fineCap');
  });
});

forRule('penaltyCap', ({ accepts, refuses }) => {
  accepts('a penalty of 100 000 € per day of delay is accepted (LIL art. 20 III)', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ injunction: { penaltyPerDay: 100_000 } }))
      .thenContext({ injunction: { penaltyPerDay: 100_000 } }),
  );

  refuses('a penalty of 100 001 € per day is refused (LIL art. 20 III)', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ injunction: { penaltyPerDay: 100_001 } }))
      .thenRefused('penaltyCap', { mentions: '100,000 €' }),
  );
});

forRule('simplifiedSanctionLimits', ({ accepts, refuses }) => {
  accepts('a simplified-procedure fine of 20 000 € is accepted (LIL art. 22-1)', () =>
    given(...history.upToSimplifiedExchanges())
      .when(simplifiedSanctionImposed({ fine: 20_000 }))
      .thenContext({ sanction: { fine: 20_000, procedure: 'simplified' } }),
  );

  refuses('a simplified-procedure fine of 20 001 € is refused (LIL art. 22-1)', () =>
    given(...history.upToSimplifiedExchanges())
      .when(simplifiedSanctionImposed({ fine: 20_001 }))
      .thenRefused('simplifiedSanctionLimits', { field: 'data.fine', mentions: '20,000 €' }),
  );

  accepts('a simplified-procedure penalty of 100 € per day is accepted (LIL art. 22-1)', () =>
    given(...history.upToSimplifiedDeliberation())
      .when(simplifiedSanctionImposed({ injunction: { penaltyPerDay: 100 } }))
      .thenContext({ injunction: { penaltyPerDay: 100 } }),
  );

  refuses('a simplified-procedure penalty of 101 € per day is refused (LIL art. 22-1)', () =>
    given(...history.upToSimplifiedDeliberation())
      .when(simplifiedSanctionImposed({ injunction: { penaltyPerDay: 101 } }))
      .thenRefused('simplifiedSanctionLimits', { field: 'data.injunction.penaltyPerDay', mentions: '100 €' }),
  );

  refuses('a simplified-procedure decision is never public (LIL art. 22-1)', () =>
    given(...history.upToSimplifiedExchanges())
      .when(simplifiedSanctionImposed({ public: true }))
      .thenRefused('simplifiedSanctionLimits', { field: 'data.public' }),
  );

  refuses('a ban is not a measure of the simplified procedure (LIL art. 22-1)', () =>
    given(...history.upToSimplifiedExchanges())
      .when(simplifiedSanctionImposed({ measures: ['fine', 'injunction', 'ban'] }))
      .thenRefused('simplifiedSanctionLimits', { field: 'data.measures', mentions: 'ban' }),
  );

  accepts('a reprimand alone is a measure of the simplified procedure (LIL art. 22-1)', () =>
    given(...history.upToSimplifiedExchanges())
      .when(simplifiedSanctionImposed({ fine: 0, measures: ['reprimand'], injunction: undefined }))
      .thenState('sanction.decided'),
  );

  accepts('once switched back to the ordinary procedure, the ordinary limits apply (LIL art. 22, 22-1)', () =>
    given(
      ...history.upToSimplifiedInstruction(),
      referredToOrdinaryProcedure(),
      ...history.upToOrdinaryDeliberation().slice(-3),
    )
      .when(sanctionImposed())
      .thenContext({ sanction: { procedure: 'ordinary', fine: 150_000, public: true } }),
  );
});

forRule('sanctionConsistent', ({ accepts, refuses }) => {
  accepts('an injunction due the day after the decision is accepted (LIL art. 20 III)', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ injunction: { deadline: '2024-01-26' } }))
      .thenState('sanction.injunctionRunning'),
  );

  refuses('an injunction due on the day of the decision is refused (LIL art. 20 III)', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ injunction: { deadline: '2024-01-25' } }))
      .thenRefused('sanctionConsistent', { field: 'data.injunction.deadline' }),
  );

  refuses('a fine above zero must be listed among the measures (LIL art. 20 III)', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ measures: ['injunction'] }))
      .thenRefused('sanctionConsistent', { field: 'data.measures', mentions: "'fine'" }),
  );

  refuses("a fine of 0 € is not listed as a 'fine' measure (LIL art. 20 III)", () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ fine: 0 }))
      .thenRefused('sanctionConsistent', { field: 'data.fine' }),
  );

  refuses('an injunction must be listed among the measures (LIL art. 20 III)', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ measures: ['fine'] }))
      .thenRefused('sanctionConsistent', { field: 'data.injunction' }),
  );

  refuses('an injunction listed among the measures must be given (LIL art. 20 III)', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ injunction: undefined }))
      .thenRefused('sanctionConsistent', { field: 'data.injunction' }),
  );

  refuses('a decision without any measure is a dismissal, not a sanction (LIL art. 22)', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ fine: 0, measures: [], injunction: undefined }))
      .thenRefused('sanctionConsistent', { field: 'data.measures', mentions: 'ProceedingsDismissed' }),
  );

  accepts('a reprimand without fine is a sanction (LIL art. 20 III)', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(sanctionImposed({ fine: 0, measures: ['reprimand'], injunction: undefined }))
      .thenState('sanction.decided'),
  );
});

// ── Injunction and penalty (LIL art. 20 III; D art. 44) ──────────────────────────────────────

forRule('injunctionDeadlinePassed', ({ accepts, refuses }) => {
  refuses('the injunction deadline has not elapsed on its last day (LIL art. 20 III)', () =>
    given(...history.upToInjunctionRunning())
      .when(injunctionDeadlineElapsed({ on: '2024-03-25' }))
      .thenRefused('injunctionDeadlinePassed', { mentions: '2024-03-25' }),
  );

  accepts('the penalty runs from the day after the injunction deadline (LIL art. 20 III)', () =>
    given(...history.upToInjunctionRunning())
      .when(injunctionDeadlineElapsed({ on: '2024-03-26' }))
      .thenContext({ injunction: { delayFrom: '2024-03-26' } }),
  );

  // The one exception to the calendar rule, as the restricted committee applied it in SAN-2023-005:
  // SAN-2022-019's two months ended on Sunday 18 Dec 2022 and the penalty ran from Monday 19 Dec.
  const dueSunday = () => [
    ...history.upToOrdinaryDeliberation(),
    sanctionImposed({ injunction: { deadline: '2024-03-24' } }),
  ];

  accepts(
    'an injunction due Sunday 24 March 2024 is late from Monday 25 March: the deadline is not moved (SAN-2023-005)',
    () =>
      given(...dueSunday())
        .when(injunctionDeadlineElapsed({ on: '2024-03-25' }))
        .thenContext({ injunction: { delayFrom: '2024-03-25' } }),
  );

  refuses('it has not elapsed on Sunday 24 March 2024, its last day (LIL art. 20 III)', () =>
    given(...dueSunday())
      .when(injunctionDeadlineElapsed({ on: '2024-03-24' }))
      .thenRefused('injunctionDeadlinePassed', { mentions: '2024-03-24' }),
  );
});

forRule('complianceBeforeDeadline', ({ accepts, refuses }) => {
  accepts('compliance on the last day of the injunction is in time (D art. 44)', () =>
    given(...history.upToInjunctionRunning())
      .when(injunctionComplied({ on: '2024-03-25' }))
      .thenState('sanction.decided'),
  );

  refuses(
    'compliance the day after the deadline needs the deadline recorded as elapsed first (D art. 44)',
    () =>
      given(...history.upToInjunctionRunning())
        .when(injunctionComplied({ on: '2024-03-26' }))
        .thenRefused('complianceBeforeDeadline', { mentions: 'InjunctionDeadlineElapsed' }),
  );
});

forRule('complianceOnce', ({ accepts, refuses }) => {
  accepts('compliance proven while a liquidation is pending stops the penalty (D art. 44)', () =>
    given(...history.upToLiquidationNotified())
      .when(injunctionComplied({ on: '2024-05-10' }))
      .thenState('penaltyLiquidation.liquidationNotified')
      .thenContext((c) => expect(c.injunction?.compliedOn).toBe('2024-05-10')),
  );

  refuses('compliance already established is not established again later (D art. 44)', () =>
    given(
      ...history.upToPenaltyComplied(),
      penaltyLiquidationNotified({
        on: '2024-07-10',
        periodFrom: '2024-05-06',
        periodTo: '2024-07-01',
        proposedAmount: 28_000,
      }),
    )
      .when(injunctionComplied({ on: '2024-07-20' }))
      .thenRefused('complianceOnce', { mentions: 'already complied with on 2024-07-01' }),
  );
});

forRule('liquidationWithinDelay', ({ accepts, refuses }) => {
  accepts('a liquidation from the first day of delay up to the act is accepted (D art. 44)', () =>
    given(...history.upToPenaltyAccruing())
      .when(penaltyLiquidationNotified({ periodFrom: '2024-03-26', periodTo: '2024-05-06' }))
      .thenState('penaltyLiquidation.liquidationNotified'),
  );

  refuses('a liquidation starting the day before the first day of delay is refused (D art. 44)', () =>
    given(...history.upToPenaltyAccruing())
      .when(penaltyLiquidationNotified({ periodFrom: '2024-03-25', proposedAmount: 20_000 }))
      .thenRefused('liquidationWithinDelay', { field: 'data.periodFrom', mentions: '2024-03-26' }),
  );

  refuses('a liquidation of days after the act is refused (D art. 44)', () =>
    given(...history.upToPenaltyAccruing())
      .when(penaltyLiquidationNotified({ periodTo: '2024-05-07' }))
      .thenRefused('liquidationWithinDelay', { field: 'data.periodTo' }),
  );

  refuses('an empty period is refused (D art. 44)', () =>
    given(...history.upToPenaltyAccruing())
      .when(
        penaltyLiquidationNotified({ periodFrom: '2024-05-06', periodTo: '2024-05-06', proposedAmount: 0 }),
      )
      .thenRefused('liquidationWithinDelay', { field: 'data.periodFrom' }),
  );

  accepts('after compliance, days up to compliance are liquidated (D art. 44)', () =>
    given(...history.upToPenaltyAccruing(), injunctionComplied({ on: '2024-04-15' }))
      .when(penaltyLiquidationNotified({ periodTo: '2024-04-15', proposedAmount: 10_000 }))
      .thenState('penaltyLiquidation.liquidationNotified'),
  );

  refuses('the day of compliance and later are not days of delay (D art. 44)', () =>
    given(...history.upToPenaltyAccruing(), injunctionComplied({ on: '2024-04-15' }))
      .when(penaltyLiquidationNotified({ periodTo: '2024-04-16', proposedAmount: 10_000 }))
      .thenRefused('liquidationWithinDelay', {
        field: 'data.periodTo',
        mentions: 'compliance on 2024-04-15',
      }),
  );

  accepts('a second liquidation starting where the first one ended is accepted (D art. 44)', () =>
    given(...history.upToPenaltyLiquidated())
      .when(
        penaltyLiquidationNotified({
          on: '2024-06-20',
          periodFrom: '2024-05-06',
          periodTo: '2024-06-20',
          proposedAmount: 22_500,
        }),
      )
      .thenState('penaltyLiquidation.liquidationNotified'),
  );

  refuses('a second liquidation overlapping the first by one day is refused (D art. 44)', () =>
    given(...history.upToPenaltyLiquidated())
      .when(
        penaltyLiquidationNotified({
          on: '2024-06-20',
          periodFrom: '2024-05-05',
          periodTo: '2024-06-20',
          proposedAmount: 22_500,
        }),
      )
      .thenRefused('liquidationWithinDelay', { field: 'data.periodFrom', mentions: 'overlaps' }),
  );

  refuses('the liquidation decision itself covers days of delay only (D art. 44)', () =>
    given(...history.upToLiquidationNotified())
      .when(penaltyLiquidated({ periodFrom: '2024-03-25' }))
      .thenRefused('liquidationWithinDelay', { field: 'data.periodFrom' }),
  );
});

forRule('liquidationCap', ({ accepts, refuses }) => {
  accepts(
    'a proposed liquidation of exactly rate × days of delay is accepted: 41 × 500 € (LIL art. 20 III)',
    () =>
      given(...history.upToPenaltyAccruing())
        .when(penaltyLiquidationNotified({ proposedAmount: 20_500 }))
        .thenContext({ liquidationNotice: { proposedAmount: 20_500 } }),
  );

  refuses('one euro more than rate × days of delay is refused (LIL art. 20 III)', () =>
    given(...history.upToPenaltyAccruing())
      .when(penaltyLiquidationNotified({ proposedAmount: 20_501 }))
      .thenRefused('liquidationCap', { mentions: ['41 days', '500 €', '20,500 €'] }),
  );

  const clearviewLike = () => [
    ...history.upToOrdinaryDeliberation(),
    sanctionImposed({ fine: 20_000_000, injunction: { penaltyPerDay: 100_000 } }),
    injunctionDeadlineElapsed(),
  ];

  accepts('Clearview-like: 52 days at 100 000 €/day, 5 200 000 € accepted (LIL art. 20 III)', () =>
    given(...clearviewLike())
      .when(
        penaltyLiquidationNotified({ on: '2024-05-17', periodTo: '2024-05-17', proposedAmount: 5_200_000 }),
      )
      .thenState('penaltyLiquidation.liquidationNotified'),
  );

  refuses('Clearview-like: 5 200 001 € for 52 days at 100 000 €/day is refused (LIL art. 20 III)', () =>
    given(...clearviewLike())
      .when(
        penaltyLiquidationNotified({ on: '2024-05-17', periodTo: '2024-05-17', proposedAmount: 5_200_001 }),
      )
      .thenRefused('liquidationCap', { mentions: '52 days' }),
  );

  accepts('the restricted committee may liquidate less than the maximum (D art. 44)', () =>
    given(...history.upToLiquidationNotified())
      .when(penaltyLiquidated({ amount: 12_000 }))
      .thenContext({ liquidations: [{ amount: 12_000 }] }),
  );

  refuses('a liquidation decided above rate × days of delay is refused (LIL art. 20 III)', () =>
    given(...history.upToLiquidationNotified())
      .when(penaltyLiquidated({ amount: 20_501 }))
      .thenRefused('liquidationCap'),
  );
});

forRule('liquidationAfterObservations', ({ accepts, refuses }) => {
  accepts(
    'notified on 6 May 2024, the penalty is liquidated from 22 May, once the 15 days have run (D art. 44)',
    () =>
      given(...history.upToLiquidationNotified())
        .when(penaltyLiquidated({ on: '2024-05-22' }))
        .thenState('penaltyLiquidation.accruing'),
  );

  refuses('the penalty is not liquidated on 21 May 2024, the last day for observations (D art. 44)', () =>
    given(...history.upToLiquidationNotified())
      .when(penaltyLiquidated({ on: '2024-05-21' }))
      .thenRefused('liquidationAfterObservations', {
        field: 'data.on',
        mentions: ['2024-05-21', '2024-05-22'],
      }),
  );

  /** Notified Friday 12 April 2024: the 15 days end on Saturday 27 April, so on Monday 29 April. */
  const notifiedOn12April = () => [
    ...history.upToPenaltyAccruing(),
    penaltyLiquidationNotified({ on: '2024-04-12', periodTo: '2024-04-12', proposedAmount: 8_500 }),
  ];

  refuses(
    'fifteen days ending on Saturday 27 April 2024 run to Monday 29 April: no liquidation that Monday (D art. 44; CPC art. 642)',
    () =>
      given(...notifiedOn12April())
        .when(penaltyLiquidated({ on: '2024-04-29', periodTo: '2024-04-12', amount: 8_500 }))
        .thenRefused('liquidationAfterObservations', { mentions: '2024-04-30' }),
  );

  accepts('the penalty may be liquidated on Tuesday 30 April 2024 (D art. 44; CPC art. 642)', () =>
    given(...notifiedOn12April())
      .when(penaltyLiquidated({ on: '2024-04-30', periodTo: '2024-04-12', amount: 8_500 }))
      .thenState('penaltyLiquidation.accruing'),
  );

  refuses('the liquidated amount does not exceed the notified amount (D art. 44)', () =>
    given(...history.upToPenaltyAccruing(), penaltyLiquidationNotified({ proposedAmount: 10_000 }))
      .when(penaltyLiquidated({ amount: 10_001 }))
      .thenRefused('liquidationAfterObservations', { field: 'data.amount', mentions: '10,000 €' }),
  );

  refuses('the liquidated period stays within the notified period (D art. 44)', () =>
    given(
      ...history.upToPenaltyAccruing(),
      penaltyLiquidationNotified({ periodTo: '2024-04-25', proposedAmount: 14_500 }),
    )
      .when(penaltyLiquidated({ amount: 14_500 }))
      .thenRefused('liquidationAfterObservations', { mentions: 'outside the notified period' }),
  );
});

// ── Appeal (LIL art. 21; CJA art. R421-1) ────────────────────────────────────────────────────

forRule('appealTimeLimit', ({ accepts, refuses }) => {
  accepts('an appeal lodged on the last day of the 2 months is accepted (CJA R421-1)', () =>
    given(...history.upToInjunctionRunning())
      .when(appealLodged({ on: '2024-03-25' }))
      .thenContext({ appeals: [{ decision: ACME.sanction, lodgedOn: '2024-03-25' }] }),
  );

  refuses('an appeal lodged the day after the 2 months is refused (CJA R421-1)', () =>
    given(...history.upToInjunctionRunning())
      .when(appealLodged({ on: '2024-03-26' }))
      .thenRefused('appealTimeLimit', { field: 'data.on', mentions: '2024-03-25' }),
  );

  const decidedOn18March = () => [
    ...history.upToOrdinaryDeliberation(),
    sanctionImposed({ on: '2024-03-18', injunction: { deadline: '2024-06-18' } }),
  ];

  accepts(
    'a time limit ending on Saturday 18 May 2024 rolls over Sunday and Whit Monday to Tuesday 21 May (CPC art. 642)',
    () =>
      given(...decidedOn18March())
        .when(appealLodged({ on: '2024-05-21' }))
        .thenStage('sanction'),
  );

  refuses('after the rolled-over time limit, Wednesday 22 May 2024, the appeal is late (CJA R421-1)', () =>
    given(...decidedOn18March())
      .when(appealLodged({ on: '2024-05-22' }))
      .thenRefused('appealTimeLimit', { field: 'data.on', mentions: '2024-05-21' }),
  );

  accepts('the formal notice may be appealed within 2 months too (CJA R421-1)', () =>
    given(...history.upToFormalNotice())
      .when(appealLodged({ on: '2023-08-01', decision: ACME.formalNotice }))
      .thenStage('formalNotice'),
  );

  refuses('an appeal against a reference that is not a decision of the case is refused', () =>
    given(...history.upToInjunctionRunning())
      .when(appealLodged({ decision: 'SAN-2024-777' }))
      .thenRefused('appealTimeLimit', { field: 'data.decision' }),
  );

  /** acme-sas with its head office in `country`, sanctioned on 25 Jan 2024, late from 26 Mar 2024. */
  const sanctionedIn = (country: string, notifiedOn = '2024-01-26') => [
    caseOpened({ controller: { country, euEstablishment: country === 'FR' } }),
    ...history.upToInjunctionRunning().slice(1),
    decisionNotified({ on: notifiedOn }),
    injunctionDeadlineElapsed(),
  ];

  accepts(
    'notified on 5 February 2024, the sanction may be appealed until 5 April 2024: two months from notification (CJA R421-1)',
    () =>
      given(...sanctionedIn('FR', '2024-02-05'))
        .when(appealLodged({ on: '2024-04-05' }))
        .thenContext({ appeals: [{ decision: ACME.sanction, lodgedOn: '2024-04-05' }] }),
  );

  refuses('notified on 5 February 2024, an appeal on Monday 8 April is late (CJA R421-1)', () =>
    given(...sanctionedIn('FR', '2024-02-05'))
      .when(appealLodged({ on: '2024-04-08' }))
      .thenRefused('appealTimeLimit', { mentions: ['2024-04-05', 'notification on 2024-02-05'] }),
  );

  accepts(
    'a controller residing abroad (US) has two more months: notified 26 Jan 2024, until Monday 27 May (Sunday 26 May rolls over) (CJA R421-7)',
    () =>
      given(...sanctionedIn('US'))
        .when(appealLodged({ on: '2024-05-27' }))
        .thenStage('penaltyLiquidation'),
  );

  refuses('abroad, an appeal on 28 May 2024 is late (CJA R421-1, R421-7)', () =>
    given(...sanctionedIn('US'))
      .when(appealLodged({ on: '2024-05-28' }))
      .thenRefused('appealTimeLimit', { mentions: ['2024-05-27', '4 months'] }),
  );

  accepts('a controller residing in La Réunion has one more month: until 26 April 2024 (CJA R421-7)', () =>
    given(...sanctionedIn('RE'))
      .when(appealLodged({ on: '2024-04-26' }))
      .thenStage('penaltyLiquidation'),
  );

  refuses('from La Réunion, an appeal on Monday 29 April 2024 is late (CJA R421-7)', () =>
    given(...sanctionedIn('RE'))
      .when(appealLodged({ on: '2024-04-29' }))
      .thenRefused('appealTimeLimit', { mentions: ['2024-04-26', '3 months'] }),
  );

  refuses('a decision is appealed once (CJA R421-1)', () =>
    given(...history.upToInjunctionRunning(), appealLodged())
      .when(appealLodged({ on: '2024-03-21' }))
      .thenRefused('appealTimeLimit', { mentions: `against ${ACME.sanction} was already lodged` }),
  );
});

forRule('decisionNotifiable', ({ accepts, refuses }) => {
  accepts('the sanction is notified the day after the deliberation (CJA R421-1; D art. 44)', () =>
    given(...history.upToInjunctionRunning())
      .when(decisionNotified())
      .thenState('sanction.injunctionRunning'),
  );

  accepts('the formal notice is notified on the day it is served (D art. 38)', () =>
    given(...history.upToFormalNotice())
      .when(decisionNotified({ on: '2023-06-01', reference: ACME.formalNotice }))
      .thenStage('formalNotice'),
  );

  refuses('a reference that is not a decision of the case is refused', () =>
    given(...history.upToInjunctionRunning())
      .when(decisionNotified({ reference: 'SAN-2024-777' }))
      .thenRefused('decisionNotifiable', { field: 'data.reference' }),
  );

  refuses('a decision is notified once: the time limit for appeal runs from the first notification', () =>
    given(...history.upToInjunctionRunning(), decisionNotified())
      .when(decisionNotified({ on: '2024-02-01' }))
      .thenRefused('decisionNotifiable', { mentions: 'already notified on 2024-01-26' }),
  );
});

forRule('appealPending', ({ accepts, refuses }) => {
  const appealed = () => [...history.upToInjunctionRunning(), appealLodged()];

  accepts("the Conseil d'État decides a pending appeal (LIL art. 21)", () =>
    given(...appealed())
      .when(appealDecided({ on: '2024-03-22' }))
      .thenStage('sanction'),
  );

  refuses("the Conseil d'État does not decide an appeal that was never lodged (LIL art. 21)", () =>
    given(...history.upToInjunctionRunning())
      .when(appealDecided({ on: '2024-03-22' }))
      .thenRefused('appealPending', { mentions: `no pending appeal against ${ACME.sanction}` }),
  );

  refuses('an appeal is decided once (LIL art. 21)', () =>
    given(...appealed(), appealDecided({ on: '2024-03-22' }))
      .when(appealDecided({ on: '2024-03-29' }))
      .thenRefused('appealPending'),
  );

  refuses('a reformed fine must be given (LIL art. 21)', () =>
    given(...appealed())
      .when(appealDecided({ on: '2024-03-22', outcome: 'reformed' }))
      .thenRefused('appealPending', { field: 'data.fine' }),
  );

  refuses('a fine is given only when the outcome is reformed (LIL art. 21)', () =>
    given(...appealed())
      .when(appealDecided({ on: '2024-03-22', outcome: 'rejected', fine: 100_000 }))
      .thenRefused('appealPending', { field: 'data.fine' }),
  );

  accepts('a reformed fine equal to the fine under appeal is accepted', () =>
    given(...appealed())
      .when(appealDecided({ on: '2024-03-22', outcome: 'reformed', fine: 150_000 }))
      .thenContext({ sanction: { fine: 150_000 } }),
  );

  it('a reformed liquidation is checked against the liquidated amount, not the fine of the sanction', () => {
    given(...history.upToPenaltyLiquidated(), appealLodged({ on: '2024-07-15', decision: ACME.liquidation }))
      .when(
        appealDecided({ on: '2024-12-10', decision: ACME.liquidation, outcome: 'reformed', fine: 100_000 }),
      )
      .thenRefused('appealPending', { field: 'data.fine' });
  });

  refuses('a reformed fine above the fine under appeal is refused', () =>
    given(...appealed())
      .when(appealDecided({ on: '2024-03-22', outcome: 'reformed', fine: 150_001 }))
      .thenRefused('appealPending', { field: 'data.fine', mentions: '150,001 €' }),
  );
});

// ── The State and public bodies (LIL art. 20 III; GDPR art. 83) ──────────────────────────────

forRule('noFineNorPenaltyAgainstTheState', ({ accepts, refuses }) => {
  accepts(
    'a reprimand and an injunction without penalty against a ministry are accepted (LIL art. 20 III)',
    () =>
      given(...ofKind('state'))
        .when(
          sanctionImposed({
            fine: 0,
            measures: ['reprimand', 'injunction'],
            injunction: { penaltyPerDay: 0 },
          }),
        )
        .thenStage('sanction'),
  );

  refuses('a 1 M€ fine against a ministry is refused (LIL art. 20 III 7°)', () =>
    given(...ofKind('state'))
      .when(fine(1_000_000))
      .thenRefused('noFineNorPenaltyAgainstTheState', { field: 'data.fine', mentions: 'State' }),
  );

  refuses('a 50 000 €/day penalty against a ministry is refused (LIL art. 20 III 2°)', () =>
    given(...ofKind('state'))
      .when(sanctionImposed({ fine: 0, measures: ['injunction'], injunction: { penaltyPerDay: 50_000 } }))
      .thenRefused('noFineNorPenaltyAgainstTheState', { field: 'data.injunction.penaltyPerDay' }),
  );

  accepts('a public body other than the State may be fined (GDPR art. 83(7); LIL art. 20 III)', () =>
    given(...ofKind('public-body'))
      .when(fine(1_000_000))
      .thenContext({ sanction: { fine: 1_000_000 } }),
  );
});

describe('fineCap: the turnover share is for undertakings (GDPR art. 83(4)-(6))', () => {
  it('a public body’s declared budget is no turnover: above 20 M€ is refused', () => {
    given(...ofKind('public-body', 1_000_000_000))
      .when(fine(20_000_001))
      .thenRefused('fineCap', { mentions: '20,000,000 €' });
  });

  it('an undertaking with the same turnover may be fined 40 M€', () => {
    given(...ofKind('undertaking', 1_000_000_000))
      .when(fine(40_000_000))
      .thenStage('sanction');
  });

  it('a controller of unspecified kind (records of CaseOpened version 1) is taken at its declared turnover', () => {
    given(...ofKind('unspecified', 1_000_000_000))
      .when(fine(40_000_000))
      .thenStage('sanction');
  });
});

// ── Publication period (CE 28 Sep 2016 n° 389448) ───────────────────────────────────────────

forRule('anonymisationPeriodStated', ({ accepts, refuses }) => {
  accepts('a published sanction with its anonymisation date is accepted', () =>
    given(...history.upToInjunctionRunning())
      .when(decisionPublished({ on: '2024-01-30', reference: ACME.sanction, anonymiseAfter: '2026-01-30' }))
      .thenContext((c) =>
        expect(c.decisions.find((d) => d.kind === 'sanction')?.anonymiseAfter).toBe('2026-01-30'),
      ),
  );

  accepts('a sanction whose deliberation is silent is published saying so (periodNotStated)', () =>
    given(...history.upToInjunctionRunning())
      .when(
        decisionPublished({
          on: '2024-01-30',
          reference: ACME.sanction,
          anonymiseAfter: undefined,
          periodNotStated: 'decision-silent',
        }),
      )
      .thenContext((c) =>
        expect(c.decisions.find((d) => d.kind === 'sanction')?.periodNotStated).toBe('decision-silent'),
      ),
  );

  refuses('a published sanction without anonymisation date and without a word is refused', () =>
    given(...history.upToInjunctionRunning())
      .when(decisionPublished({ on: '2024-01-30', reference: ACME.sanction, anonymiseAfter: undefined }))
      .thenRefused('anonymisationPeriodStated', { field: 'data.anonymiseAfter', mentions: ACME.sanction }),
  );

  refuses('a publication giving a date and saying none is stated is refused', () =>
    given(...history.upToPublicationDecided())
      .when(decisionPublished({ periodNotStated: 'not-verified' }))
      .thenRefused('anonymisationPeriodStated', { field: 'data.periodNotStated' }),
  );

  accepts('the bureau’s publication of a formal notice may leave the period to its deliberation', () =>
    given(...history.upToPublicationDecided())
      .when(decisionPublished({ anonymiseAfter: undefined }))
      .thenState('formalNotice.compliance.running + formalNotice.publicity.published'),
  );

  accepts('the bureau’s deliberation is published with the notice, with its own anonymisation date', () =>
    given(...history.upToPublicFormalNotice())
      .when(decisionPublished({ reference: ACME.publicationDeliberation }))
      .thenContext((c) =>
        expect(c.decisions.find((d) => d.kind === 'publicationDeliberation')).toMatchObject({
          reference: ACME.publicationDeliberation,
          publishedOn: '2023-06-22',
          anonymiseAfter: '2025-06-22',
        }),
      ),
  );
});

// ── Rules of their era ───────────────────────────────────────────────────────────────────────

forRule('productionOrderLawful', ({ accepts, refuses }) => {
  accepts('an order to produce within 15 days at 100 € per day is accepted (LIL art. 20 II)', () =>
    given(...history.upToFormalNoticeElapsed())
      .when(productionOrdered())
      .thenContext({ productionOrder: { penaltyPerDay: 100 } }),
  );

  refuses('101 € per day is refused (LIL art. 20 II: at most 100 € per day)', () =>
    given(...history.upToFormalNoticeElapsed())
      .when(productionOrdered({ penaltyPerDay: 101 }))
      .thenRefused('productionOrderLawful', { field: 'data.penaltyPerDay', mentions: '100 €' }),
  );

  refuses('an order to produce on 25 Jan 2022, before loi 2022-52, is refused', () =>
    given(...unansweredIn2021())
      .when(productionOrdered({ on: '2022-01-25', deadline: '2022-02-10' }))
      .thenRefused('productionOrderLawful', { mentions: '2022-01-26' }),
  );

  accepts('an order to produce on 26 Jan 2022, the day loi 2022-52 took effect, is accepted', () =>
    given(...unansweredIn2021())
      .when(productionOrdered({ on: '2022-01-26', deadline: '2022-02-10' }))
      .thenContext({ productionOrder: { on: '2022-01-26' } }),
  );

  refuses('a second order to produce is refused', () =>
    given(...history.upToFormalNoticeElapsed(), productionOrdered())
      .when(productionOrdered({ on: '2023-09-01', deadline: '2023-09-15' }))
      .thenRefused('productionOrderLawful', { mentions: 'already' }),
  );

  refuses('an order to produce due the day it is made is refused', () =>
    given(...history.upToFormalNoticeElapsed())
      .when(productionOrdered({ deadline: '2023-08-16' }))
      .thenRefused('productionOrderLawful', { field: 'data.deadline' }),
  );
});

forRule('closureByRapporteurFrom2022', ({ accepts, refuses }) => {
  refuses('the rapporteur’s closure on 10 April 2022 is refused (décret 2022-517 not yet in force)', () =>
    given(...referredIn2021())
      .when(caseClosed({ on: '2022-04-10', outcome: 'closed-by-rapporteur' }))
      .thenRefused('closureByRapporteurFrom2022', { mentions: '2022-04-11' }),
  );

  accepts('the rapporteur’s closure on 11 April 2022 is accepted (D art. 39 as amended)', () =>
    given(...referredIn2021())
      .when(caseClosed({ on: '2022-04-11', outcome: 'closed-by-rapporteur' }))
      .thenStage('closed'),
  );

  refuses('a closure during the instruction that is not the rapporteur’s is refused', () =>
    given(...history.upToOrdinaryInstruction())
      .when(caseClosed({ on: '2023-10-02', outcome: 'sanction-executed' }))
      .thenRefused('closureByRapporteurFrom2022', { field: 'data.outcome' }),
  );
});

forRule('exchangesLimitedBefore2022', ({ accepts, refuses }) => {
  const twoRounds = () => [
    ...exchangesIn2021(),
    observationsSubmitted({ on: '2021-10-29' }),
    observationsSubmitted({ on: '2021-11-12', by: 'rapporteur' }),
  ];

  accepts('in 2021 the controller may answer the rapporteur’s reply (D art. 40 before 2022)', () =>
    given(...twoRounds())
      .when(observationsSubmitted({ on: '2021-11-26' }))
      .thenContext({ observations: { controller: 2, rapporteur: 1 } }),
  );

  refuses('in 2021 a third set of observations by the controller is refused', () =>
    given(...twoRounds(), observationsSubmitted({ on: '2021-11-26' }))
      .when(observationsSubmitted({ on: '2021-12-03' }))
      .thenRefused('exchangesLimitedBefore2022', { mentions: ['controller', '2022-04-11'] }),
  );

  refuses('in 2021 a second reply by the rapporteur is refused', () =>
    given(...twoRounds())
      .when(observationsSubmitted({ on: '2021-11-26', by: 'rapporteur' }))
      .thenRefused('exchangesLimitedBefore2022', { mentions: 'rapporteur' }),
  );

  accepts('from 11 April 2022 the exchanges are not limited: a third set is accepted', () =>
    given(...twoRounds(), observationsSubmitted({ on: '2021-11-26' }))
      .when(observationsSubmitted({ on: '2022-04-11' }))
      .thenContext({ observations: { controller: 3 } }),
  );
});

forRule('rightToRemainSilentNotified', ({ accepts, refuses }) => {
  accepts('observations filed on 8 Aug 2025, the day of the decision, need no notice (not reopened)', () =>
    given(...exchangesIn2025())
      .when(observationsSubmitted({ on: '2025-08-08' }))
      .thenContext({ observations: { controller: 1 } }),
  );

  refuses('observations filed on 9 Aug 2025 without notice of the right to remain silent are refused', () =>
    given(...exchangesIn2025())
      .when(observationsSubmitted({ on: '2025-08-09' }))
      .thenRefused('rightToRemainSilentNotified', { mentions: 'RightToRemainSilentNotified' }),
  );

  accepts('once the right is notified, the controller files its observations', () =>
    given(...exchangesIn2025(), rightToRemainSilentNotified({ on: '2025-08-12' }))
      .when(observationsSubmitted({ on: '2025-08-20' }))
      .thenContext({ silenceNotifiedOn: '2025-08-12', observations: { controller: 1 } }),
  );

  refuses('a session held after the decision without the notice is refused', () =>
    given(...exchangesIn2025())
      .when(hearingHeld({ on: '2025-10-02' }))
      .thenRefused('rightToRemainSilentNotified'),
  );

  accepts('the rapporteur’s observations need no notice: the right is the person prosecuted’s', () =>
    given(...exchangesIn2025())
      .when(observationsSubmitted({ on: '2025-08-20', by: 'rapporteur' }))
      .thenContext({ observations: { rapporteur: 1 } }),
  );
});

forRule('silenceNotifiedOnce', ({ accepts, refuses }) => {
  accepts('the right to remain silent is notified with the report', () =>
    given(...exchangesIn2025())
      .when(rightToRemainSilentNotified({ on: '2025-08-12' }))
      .thenContext({ silenceNotifiedOn: '2025-08-12' }),
  );

  refuses('a second notice is refused: the first one stands', () =>
    given(...exchangesIn2025(), rightToRemainSilentNotified({ on: '2025-08-12' }))
      .when(rightToRemainSilentNotified({ on: '2025-08-20' }))
      .thenRefused('silenceNotifiedOnce', { mentions: '2025-08-12' }),
  );
});

// ── Completeness ─────────────────────────────────────────────────────────────────────────────

describe('completeness', () => {
  it('every rule of RULES has an accepted and a refused case in this file', () => {
    const missing = (Object.keys(RULES) as RuleId[]).filter((id) => {
      const c = coverage.get(id);
      return !c || c.accepted === 0 || c.refused === 0;
    });
    expect(missing).toEqual([]);
  });

  it('every rule guards at least one transition', () => {
    const named = new Set<string>();
    const walk = (node: typeof procedureMachine.root): void => {
      for (const transitions of node.transitions.values())
        for (const t of transitions) for (const r of guardRules(t.guard)) named.add(r);
      for (const child of Object.values(node.states)) walk(child);
    };
    walk(procedureMachine.root);
    const unused = Object.keys(RULES).filter((id) => !named.has(id));
    expect(unused).toEqual([]);
  });

  it('the legal parameters are those of the texts', () => {
    expect(LAW).toMatchObject({
      decree2022517InForce: '2022-04-11',
      fineCapUpper: { amount: 20_000_000, turnoverShare: 0.04 },
      fineCapLower: { amount: 10_000_000, turnoverShare: 0.02 },
      penaltyCapPerDay: 100_000,
      simplifiedFineCap: 20_000,
      simplifiedPenaltyCapPerDay: 100,
      formalNoticeMinimumDays: 10,
      formalNoticeUrgentMinimumDays: 1,
      formalNoticeMaximumMonthsBefore2022: 6,
      reportResponseMonths: 1,
      liquidationObservationDays: 15,
      appealMonths: 2,
      appealDistanceMonthsAbroad: 2,
      appealDistanceMonthsOverseas: 1,
      convocationMonthsBefore2022: 1,
      convocationDaysFrom2022: 15,
      productionOrderInForce: '2022-01-26',
      productionOrderPenaltyCapPerDay: 100,
      observationsBefore2022: { controller: 2, rapporteur: 1 },
      rightToRemainSilentFrom: '2025-08-09',
    });
  });
});
