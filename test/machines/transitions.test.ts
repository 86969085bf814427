/**
 * Every transition of the statechart, accepted, as a given/when/then specification; and, in
 * every state, a fact the state does not accept. The last block walks the machine definition:
 * a transition or a state added later without a test here makes it fail.
 */
import { describe, expect, it } from 'vitest';
import type { Refusal } from '../../machines/decider.ts';
import type { EventType } from '../../machines/events.ts';
import { procedureMachine, STAGES } from '../../machines/procedure.ts';
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
  formalNoticePublicationDecided,
  hearingHeld,
  history,
  injunctionComplied,
  injunctionDeadlineElapsed,
  inspectionCarriedOut,
  inspectionCompleted,
  inspectionOpened,
  legalObligationsReminderIssued,
  observationsSubmitted,
  penaltyLiquidated,
  penaltyLiquidationNotified,
  proceedingsDismissed,
  personalDataErased,
  productionOrdered,
  publicationAnonymised,
  referredToOrdinaryProcedure,
  referredToRestrictedCommittee,
  rightToRemainSilentNotified,
  sanctionImposed,
  sanctionReportNotified,
  simplifiedSanctionImposed,
  warningIssued,
} from '../support/builders.ts';
import { type Accepted, allTransitions, given } from '../support/given.ts';

// ── Bookkeeping: which transitions and states this file exercises ───────────────────────────

/** Transition keys (see `transitionKey`) that a test below takes. Filled while collecting. */
const exercised = new Set<string>();

/** A test that must take the statechart transition `key` (checked, not just claimed). */
const takes = (key: string, name: string, spec: () => Accepted): void => {
  exercised.add(key);
  it(name, () => {
    const outcome = spec();
    expect(outcome.taken, 'the transitions taken').toContain(key);
  });
};

/** Leaf states in which a test below refuses a fact. */
const refusedIn = new Set<string>();

/** A test in which a fact is refused while the case is in the leaf state `leaf`. */
const refuses = (leaf: string, name: string, spec: () => Refusal): void => {
  refusedIn.add(leaf);
  it(name, () => {
    const refusal = spec();
    expect(refusal.state.split(' + ')).toContain(leaf);
  });
};

/** Events every state accepts (root-level transitions; their rules decide). */
const ROOT: readonly EventType[] = [
  'ComplaintReceived',
  'DecisionPublished',
  'PublicationAnonymised',
  'AppealLodged',
  'AppealDecided',
  'PersonalDataErased',
  'DecisionNotified',
];

/** Events every state of the restricted committee accepts: the root's, and the notice of the right to remain silent. */
const COMMITTEE: readonly EventType[] = [...ROOT, 'RightToRemainSilentNotified'];

/** The President's options after instruction or inspection (LIL art. 20). */
const PRESIDENT: readonly EventType[] = [
  'WarningIssued',
  'LegalObligationsReminderIssued',
  'FormalNoticeIssued',
  'ReferredToRestrictedCommittee',
  'CaseClosed',
];

// ── Opening ──────────────────────────────────────────────────────────────────────────────────

describe('opening (unopened → complaint)', () => {
  takes('unopened: CaseOpened → complaint', 'opening a case puts it in the complaint stage', () =>
    given()
      .when(caseOpened())
      .thenStage('complaint')
      .thenContext({ caseId: ACME.caseId, controller: { name: ACME.name, worldwideTurnover: null } }),
  );

  refuses('unopened', 'refuses an inspection of a case that was never opened', () =>
    given()
      .when(inspectionOpened())
      .thenRefused('TransitionNotAllowed', { accepts: ['CaseOpened', ...ROOT] }),
  );

  refuses('unopened', 'refuses a complaint on a case that was never opened (LIL art. 8)', () =>
    given().when(complaintReceived()).thenRefused('caseIsOpen', { mentions: 'CaseOpened' }),
  );
});

// ── Complaint ────────────────────────────────────────────────────────────────────────────────

describe('complaint', () => {
  takes(
    '(root): ComplaintReceived',
    'a complaint received on an opened case is joined to it, in the complaint stage',
    () =>
      given(...history.opened())
        .when(complaintReceived())
        .thenStage('complaint')
        .thenContext({ complaints: [{ complaintId: 'PLT-23-004512', on: '2023-01-20' }] }),
  );

  takes(
    'complaint: InspectionOpened → inspection',
    'an inspection decided on the complaint opens the inspection',
    () =>
      given(...history.upToComplaint())
        .when(inspectionOpened())
        .thenState('inspection.inProgress'),
  );

  takes(
    'complaint: WarningIssued → closed',
    'a warning by the President on the complaint file closes the case',
    () =>
      given(...history.upToComplaint())
        .when(warningIssued())
        .thenStage('closed')
        .thenContext({ closed: { on: '2023-06-01', outcome: 'warning' } }),
  );

  takes(
    'complaint: LegalObligationsReminderIssued → closed',
    'a reminder of legal obligations on the complaint file closes the case',
    () =>
      given(...history.upToComplaint())
        .when(legalObligationsReminderIssued())
        .thenStage('closed')
        .thenContext({ closed: { outcome: 'legal-obligations-reminder' } }),
  );

  takes(
    'complaint: FormalNoticeIssued → formalNotice',
    'a formal notice straight on the complaint file (no inspection) moves the case to formalNotice',
    () =>
      given(...history.upToComplaint())
        .when(formalNoticeIssued())
        .thenState('formalNotice.compliance.running + formalNotice.publicity.notPublic'),
  );

  takes(
    'complaint: ReferredToRestrictedCommittee → restrictedCommittee.ordinary',
    'a referral on the complaint file, without formal notice, starts ordinary instruction',
    () =>
      given(...history.upToComplaint())
        .when(referredToRestrictedCommittee())
        .thenState('restrictedCommittee.ordinary.instruction'),
  );

  takes(
    'complaint: ReferredToRestrictedCommittee → restrictedCommittee.simplified',
    'a simplified referral on the complaint file starts simplified instruction',
    () =>
      given(...history.upToComplaint())
        .when(referredToRestrictedCommittee({ procedure: 'simplified' }))
        .thenState('restrictedCommittee.simplified.instruction'),
  );

  takes('complaint: CaseClosed → closed', 'rejecting the complaint closes the case', () =>
    given(...history.upToComplaint())
      .when(caseClosed({ on: '2023-02-15', outcome: 'complaint-rejected' }))
      .thenStage('closed')
      .thenContext({ closed: { on: '2023-02-15', outcome: 'complaint-rejected' } }),
  );

  refuses('complaint', 'refuses a sanction before referral to the restricted committee', () =>
    given(...history.upToComplaint())
      .when(sanctionImposed({ fine: 20_000_000 }))
      .thenRefused('TransitionNotAllowed', { accepts: ['InspectionOpened', ...PRESIDENT, ...ROOT] }),
  );

  refuses('complaint', 'refuses a second opening of the same case', () =>
    given(...history.upToComplaint())
      .when(caseOpened({ on: '2023-02-01' }))
      .thenRefused('TransitionNotAllowed'),
  );

  refuses('complaint', 'refuses inspection findings before an inspection was decided', () =>
    given(...history.upToComplaint())
      .when(inspectionCompleted())
      .thenRefused('TransitionNotAllowed'),
  );
});

// ── Inspection ───────────────────────────────────────────────────────────────────────────────

describe('inspection', () => {
  takes(
    '(root): ComplaintReceived',
    'a further complaint received during the inspection is joined to the case',
    () =>
      given(...history.upToInspection())
        .when(complaintReceived({ on: '2023-03-20', complaintId: 'PLT-23-006071' }))
        .thenState('inspection.inProgress')
        .thenContext((c) =>
          expect(c.complaints.map((x) => x.complaintId)).toEqual(['PLT-23-004512', 'PLT-23-006071']),
        ),
  );

  takes(
    'inspection.inProgress: InspectionCarriedOut',
    'an inspection act (questionnaire sent) keeps the inspection in progress',
    () =>
      given(...history.upToComplaint(), inspectionOpened())
        .when(inspectionCarriedOut())
        .thenState('inspection.inProgress'),
  );

  takes(
    'inspection.inProgress: InspectionCompleted → inspection.findings',
    'the findings of the inspection are established and the President chooses the follow-up',
    () =>
      given(...history.upToInspection())
        .when(inspectionCompleted())
        .thenState('inspection.findings')
        .thenContext({ breachesFound: ['6', '12', '15', '17'] }),
  );

  takes(
    'inspection: InspectionOpened → inspection.inProgress',
    'a further inspection decided after the findings reopens the inspection',
    () =>
      given(...history.upToFindings())
        .when(inspectionOpened({ on: '2023-05-22', method: 'on-site', decisionRef: '2023-081C' }))
        .thenState('inspection.inProgress'),
  );

  takes(
    'inspection.findings: WarningIssued → closed',
    'a warning after the inspection findings closes the case',
    () =>
      given(...history.upToFindings())
        .when(warningIssued())
        .thenStage('closed'),
  );

  takes(
    'inspection.findings: LegalObligationsReminderIssued → closed',
    'a reminder of legal obligations after the inspection findings closes the case',
    () =>
      given(...history.upToFindings())
        .when(legalObligationsReminderIssued())
        .thenStage('closed'),
  );

  takes(
    'inspection.findings: FormalNoticeIssued → formalNotice',
    'a formal notice after inspection findings moves the case to formalNotice',
    () =>
      given(...history.upToFindings())
        .when(formalNoticeIssued())
        .thenState('formalNotice.compliance.running')
        .thenContext({
          formalNotice: { reference: ACME.formalNotice, deadline: '2023-08-01', extended: false },
        }),
  );

  takes(
    'inspection.findings: ReferredToRestrictedCommittee → restrictedCommittee.ordinary',
    'a referral after the inspection findings, without formal notice, starts ordinary instruction',
    () =>
      given(...history.upToFindings())
        .when(referredToRestrictedCommittee({ on: '2023-06-05' }))
        .thenState('restrictedCommittee.ordinary.instruction')
        .thenContext({ referral: { procedure: 'ordinary', rapporteur: ACME.rapporteur } }),
  );

  takes(
    'inspection.findings: ReferredToRestrictedCommittee → restrictedCommittee.simplified',
    'a simplified referral after the inspection findings starts simplified instruction',
    () =>
      given(...history.upToFindings())
        .when(referredToRestrictedCommittee({ on: '2023-06-05', procedure: 'simplified' }))
        .thenState('restrictedCommittee.simplified.instruction'),
  );

  takes('inspection.findings: CaseClosed → closed', 'findings of no breach close the case', () =>
    given(...history.upToInspection())
      .when(inspectionCompleted({ breaches: [] }))
      .thenState('inspection.findings')
      .when(caseClosed({ on: '2023-05-15', outcome: 'no-breach' }))
      .thenStage('closed')
      .thenContext({ closed: { outcome: 'no-breach' } }),
  );

  refuses('inspection.inProgress', 'refuses a formal notice before the inspection findings', () =>
    given(...history.upToInspection())
      .when(formalNoticeIssued())
      .thenRefused('TransitionNotAllowed', {
        accepts: ['InspectionOpened', 'InspectionCarriedOut', 'InspectionCompleted', ...ROOT],
      }),
  );

  refuses('inspection.findings', 'refuses an inspection act once the findings are established', () =>
    given(...history.upToFindings())
      .when(inspectionCarriedOut({ on: '2023-05-12' }))
      .thenRefused('TransitionNotAllowed', { accepts: ['InspectionOpened', ...PRESIDENT, ...ROOT] }),
  );
});

// ── Formal notice ────────────────────────────────────────────────────────────────────────────

describe('formalNotice', () => {
  takes(
    'formalNotice.compliance.running: FormalNoticeDeadlineExtended',
    'an extension before the deadline keeps the formal notice running with the new deadline',
    () =>
      given(...history.upToFormalNotice())
        .when(formalNoticeDeadlineExtended())
        .thenState('formalNotice.compliance.running')
        .thenContext({ formalNotice: { deadline: '2023-09-01', extended: true } }),
  );

  takes(
    'formalNotice.compliance.running: FormalNoticeDeadlineElapsed → formalNotice.compliance.deadlineElapsed',
    'the deadline of the formal notice elapses the day after it',
    () =>
      given(...history.upToFormalNotice())
        .when(formalNoticeDeadlineElapsed())
        .thenState('formalNotice.compliance.deadlineElapsed + formalNotice.publicity.notPublic'),
  );

  takes(
    'formalNotice.compliance.running: FormalNoticeClosed → closed',
    'compliance before the deadline closes the formal notice and the case',
    () =>
      given(...history.upToFormalNotice())
        .when(formalNoticeClosed({ on: '2023-07-17' }))
        .thenStage('closed')
        .thenContext({ closed: { on: '2023-07-17', outcome: 'formal-notice-complied' } }),
  );

  takes(
    'formalNotice.compliance.deadlineElapsed: FormalNoticeClosed → closed',
    'compliance established after the deadline still closes the formal notice and the case',
    () =>
      given(...history.upToFormalNoticeElapsed())
        .when(formalNoticeClosed())
        .thenStage('closed'),
  );

  takes(
    'formalNotice.compliance.deadlineElapsed: ReferredToRestrictedCommittee → restrictedCommittee.ordinary',
    'a referral after the formal notice deadline elapsed starts ordinary instruction',
    () =>
      given(...history.upToFormalNoticeElapsed())
        .when(referredToRestrictedCommittee())
        .thenState('restrictedCommittee.ordinary.instruction'),
  );

  takes(
    'formalNotice.compliance.deadlineElapsed: ReferredToRestrictedCommittee → restrictedCommittee.simplified',
    'a simplified referral after the formal notice deadline elapsed starts simplified instruction',
    () =>
      given(...history.upToFormalNoticeElapsed())
        .when(referredToRestrictedCommittee({ procedure: 'simplified' }))
        .thenState('restrictedCommittee.simplified.instruction')
        .thenContext({ referral: { procedure: 'simplified' } }),
  );

  takes(
    'formalNotice.compliance.deadlineElapsed: CaseClosed → closed',
    'the President may close the case after the deadline without referral',
    () =>
      given(...history.upToFormalNoticeElapsed())
        .when(caseClosed({ on: '2023-09-04', outcome: 'closed-after-instruction' }))
        .thenStage('closed'),
  );

  takes(
    'formalNotice.publicity.notPublic: FormalNoticePublicationDecided → formalNotice.publicity.publicationDecided',
    'the bureau decides to make the formal notice public',
    () =>
      given(...history.upToFormalNotice())
        .when(formalNoticePublicationDecided())
        .thenState('formalNotice.compliance.running + formalNotice.publicity.publicationDecided')
        .thenContext({ formalNotice: { publicationDeliberation: ACME.publicationDeliberation } }),
  );

  takes(
    'formalNotice.publicity.publicationDecided: DecisionPublished → formalNotice.publicity.published',
    "the bureau's decision then the publication make the formal notice public",
    () =>
      given(...history.upToFormalNotice())
        .when(formalNoticePublicationDecided())
        .thenState('formalNotice.publicity.publicationDecided')
        .when(decisionPublished())
        .thenState('formalNotice.compliance.running + formalNotice.publicity.published')
        .thenContext((c) =>
          expect(c.decisions.find((d) => d.reference === ACME.formalNotice)).toMatchObject({
            publishedOn: '2023-06-22',
            anonymiseAfter: '2025-06-22',
          }),
        ),
  );

  takes(
    'formalNotice.publicity.notPublic: FormalNoticePublicationDecided → formalNotice.publicity.publicationDecided',
    'the bureau may decide publication after the deadline elapsed (the regions are independent)',
    () =>
      given(...history.upToFormalNoticeElapsed())
        .when(formalNoticePublicationDecided({ on: '2023-08-07' }))
        .thenState('formalNotice.compliance.deadlineElapsed + formalNotice.publicity.publicationDecided'),
  );

  refuses(
    'formalNotice.compliance.running',
    'refuses a referral while the formal notice deadline is still running',
    () =>
      given(...history.upToFormalNotice())
        .when(referredToRestrictedCommittee({ on: '2023-07-03' }))
        .thenRefused('TransitionNotAllowed', {
          accepts: [
            'FormalNoticeDeadlineExtended',
            'FormalNoticeDeadlineElapsed',
            'FormalNoticeClosed',
            'FormalNoticePublicationDecided',
            ...ROOT,
          ],
        }),
  );

  refuses(
    'formalNotice.compliance.deadlineElapsed',
    'refuses an extension of a deadline that has already elapsed',
    () =>
      given(...history.upToFormalNoticeElapsed())
        .when(formalNoticeDeadlineExtended({ on: '2023-08-03' }))
        .thenRefused('TransitionNotAllowed', {
          accepts: [
            'FormalNoticeClosed',
            'ProductionOrdered',
            'ReferredToRestrictedCommittee',
            'CaseClosed',
            'FormalNoticePublicationDecided',
            ...ROOT,
          ],
        }),
  );

  refuses('formalNotice.publicity.notPublic', 'refuses a sanction during the formal notice', () =>
    given(...history.upToFormalNotice())
      .when(sanctionImposed({ on: '2023-07-03' }))
      .thenRefused('TransitionNotAllowed'),
  );

  refuses(
    'formalNotice.publicity.publicationDecided',
    'refuses a second publication decision of the bureau',
    () =>
      given(...history.upToPublicationDecided())
        .when(formalNoticePublicationDecided({ on: '2023-06-15', deliberation: 'MEDP-2023-005' }))
        .thenRefused('TransitionNotAllowed'),
  );

  refuses(
    'formalNotice.publicity.published',
    'refuses a publication decision after the formal notice was published',
    () =>
      given(...history.upToPublicFormalNotice())
        .when(formalNoticePublicationDecided({ on: '2023-06-26', deliberation: 'MEDP-2023-005' }))
        .thenRefused('TransitionNotAllowed', {
          accepts: [
            'FormalNoticeDeadlineExtended',
            'FormalNoticeDeadlineElapsed',
            'FormalNoticeClosed',
            ...ROOT,
          ],
        }),
  );
});

// ── Restricted committee ─────────────────────────────────────────────────────────────────────

describe('restrictedCommittee — ordinary procedure', () => {
  takes(
    'restrictedCommittee.ordinary.instruction: SanctionReportNotified → restrictedCommittee.ordinary.exchanges',
    "the rapporteur's report notified opens the written exchanges",
    () =>
      given(...history.upToOrdinaryInstruction())
        .when(sanctionReportNotified())
        .thenState('restrictedCommittee.ordinary.exchanges')
        .thenContext({ report: { on: '2023-11-06', responseDeadline: '2023-12-06' } }),
  );

  takes(
    'restrictedCommittee.ordinary.instruction: CaseClosed → closed',
    'the rapporteur may close the case without report (décret 2022-517)',
    () =>
      given(...history.upToOrdinaryInstruction())
        .when(caseClosed({ on: '2023-10-16', outcome: 'closed-by-rapporteur' }))
        .thenStage('closed'),
  );

  takes(
    'restrictedCommittee.ordinary.exchanges: ObservationsSubmitted',
    "the controller's observations keep the written exchanges open",
    () =>
      given(...history.upToOrdinaryExchanges())
        .when(observationsSubmitted())
        .thenState('restrictedCommittee.ordinary.exchanges'),
  );

  takes(
    'restrictedCommittee.ordinary.exchanges: ObservationsSubmitted',
    "the rapporteur's reply, then the controller's last word, keep the exchanges open",
    () =>
      given(...history.upToOrdinaryExchanges(), observationsSubmitted())
        .when(observationsSubmitted({ on: '2023-12-20', by: 'rapporteur' }))
        .thenState('restrictedCommittee.ordinary.exchanges')
        .when(observationsSubmitted({ on: '2024-01-08', by: 'controller' }))
        .thenState('restrictedCommittee.ordinary.exchanges'),
  );

  takes(
    'restrictedCommittee.ordinary.exchanges: HearingHeld → restrictedCommittee.ordinary.deliberation',
    'the session of the restricted committee closes the exchanges; the committee deliberates',
    () =>
      given(...history.upToOrdinaryExchanges(), observationsSubmitted())
        .when(hearingHeld())
        .thenState('restrictedCommittee.ordinary.deliberation')
        .thenContext({ hearingOn: '2024-01-18' }),
  );

  takes(
    'restrictedCommittee.ordinary.deliberation: SanctionImposed → sanction',
    'a sanction without injunction moves the case to sanction',
    () =>
      given(...history.upToOrdinaryDeliberation())
        .when(sanctionImposed({ measures: ['fine'], injunction: undefined }))
        .thenState('sanction.decided')
        .thenContext({
          sanction: { deliberation: ACME.sanction, procedure: 'ordinary', fine: 150_000, public: true },
          injunction: null,
        }),
  );

  takes(
    'restrictedCommittee.ordinary.deliberation: ProceedingsDismissed → closed',
    'the restricted committee dismissing the proceedings closes the case',
    () =>
      given(...history.upToOrdinaryDeliberation())
        .when(proceedingsDismissed())
        .thenStage('closed')
        .thenContext({ closed: { on: '2024-01-25', outcome: 'dismissed' } }),
  );

  refuses('restrictedCommittee.ordinary.instruction', 'refuses a session before the report is notified', () =>
    given(...history.upToOrdinaryInstruction())
      .when(hearingHeld({ on: '2023-10-05' }))
      .thenRefused('TransitionNotAllowed', {
        accepts: ['SanctionReportNotified', 'CaseClosed', ...COMMITTEE],
      }),
  );

  refuses(
    'restrictedCommittee.ordinary.exchanges',
    'refuses an ordinary-procedure sanction without a session of the restricted committee',
    () =>
      given(...history.upToOrdinaryExchanges())
        .when(sanctionImposed())
        .thenRefused('TransitionNotAllowed', {
          accepts: ['ObservationsSubmitted', 'HearingHeld', ...COMMITTEE],
        }),
  );

  refuses('restrictedCommittee.ordinary.deliberation', 'refuses written observations after the session', () =>
    given(...history.upToOrdinaryDeliberation())
      .when(observationsSubmitted({ on: '2024-01-19' }))
      .thenRefused('TransitionNotAllowed', {
        accepts: ['SanctionImposed', 'ProceedingsDismissed', ...COMMITTEE],
      }),
  );

  refuses('restrictedCommittee.ordinary.instruction', 'refuses a second referral of a referred case', () =>
    given(...history.upToOrdinaryInstruction())
      .when(referredToRestrictedCommittee({ on: '2023-09-05', procedure: 'simplified' }))
      .thenRefused('TransitionNotAllowed'),
  );
});

describe('restrictedCommittee — simplified procedure', () => {
  takes(
    'restrictedCommittee.simplified: ReferredToOrdinaryProcedure → restrictedCommittee.ordinary',
    'a simplified referral switched back to the ordinary procedure starts ordinary instruction',
    () =>
      given(...history.upToSimplifiedInstruction())
        .when(referredToOrdinaryProcedure({ rapporteur: 'Marc Lebrun' }))
        .thenState('restrictedCommittee.ordinary.instruction')
        .thenContext({ referral: { procedure: 'ordinary', rapporteur: 'Marc Lebrun', on: '2023-09-04' } }),
  );

  takes(
    'restrictedCommittee.simplified: ReferredToOrdinaryProcedure → restrictedCommittee.ordinary',
    'the simplified route may be abandoned during the exchanges too; instruction starts again',
    () =>
      given(...history.upToSimplifiedExchanges())
        .when(referredToOrdinaryProcedure({ on: '2023-11-20' }))
        .thenState('restrictedCommittee.ordinary.instruction'),
  );

  takes(
    'restrictedCommittee.simplified.instruction: SanctionReportNotified → restrictedCommittee.simplified.exchanges',
    "the agent-rapporteur's report notified opens the simplified exchanges",
    () =>
      given(...history.upToSimplifiedInstruction())
        .when(sanctionReportNotified())
        .thenState('restrictedCommittee.simplified.exchanges'),
  );

  takes(
    'restrictedCommittee.simplified.instruction: CaseClosed → closed',
    'a simplified procedure may be closed during instruction',
    () =>
      given(...history.upToSimplifiedInstruction())
        .when(caseClosed({ on: '2023-10-16', outcome: 'closed-by-rapporteur' }))
        .thenStage('closed'),
  );

  takes(
    'restrictedCommittee.simplified.exchanges: ObservationsSubmitted',
    'written observations in the simplified procedure keep the exchanges open',
    () =>
      given(...history.upToSimplifiedExchanges())
        .when(observationsSubmitted())
        .thenState('restrictedCommittee.simplified.exchanges'),
  );

  takes(
    'restrictedCommittee.simplified.exchanges: HearingHeld → restrictedCommittee.simplified.deliberation',
    'a hearing at the party’s request leads to the decision of the simplified procedure',
    () =>
      given(...history.upToSimplifiedExchanges())
        .when(hearingHeld())
        .thenState('restrictedCommittee.simplified.deliberation'),
  );

  takes(
    'restrictedCommittee.simplified.exchanges: SanctionImposed → sanction',
    'a simplified-procedure sanction needs no session: decided after the written exchanges',
    () =>
      given(...history.upToSimplifiedExchanges())
        .when(simplifiedSanctionImposed())
        .thenState('sanction.injunctionRunning')
        .thenContext({ sanction: { procedure: 'simplified', fine: 15_000, public: false } }),
  );

  takes(
    'restrictedCommittee.simplified.exchanges: ProceedingsDismissed → closed',
    'the simplified procedure may end without measure after the exchanges',
    () =>
      given(...history.upToSimplifiedExchanges())
        .when(proceedingsDismissed())
        .thenStage('closed'),
  );

  takes(
    'restrictedCommittee.simplified.deliberation: SanctionImposed → sanction',
    'a simplified-procedure sanction after a hearing moves the case to sanction',
    () =>
      given(...history.upToSimplifiedDeliberation())
        .when(simplifiedSanctionImposed({ measures: ['reprimand'], fine: 0, injunction: undefined }))
        .thenState('sanction.decided'),
  );

  takes(
    'restrictedCommittee.simplified.deliberation: ProceedingsDismissed → closed',
    'the simplified procedure may end without measure after a hearing',
    () =>
      given(...history.upToSimplifiedDeliberation())
        .when(proceedingsDismissed())
        .thenStage('closed'),
  );

  refuses(
    'restrictedCommittee.simplified.instruction',
    'refuses a simplified-procedure sanction before the report is notified',
    () =>
      given(...history.upToSimplifiedInstruction())
        .when(simplifiedSanctionImposed({ on: '2023-10-02' }))
        .thenRefused('TransitionNotAllowed', {
          accepts: ['SanctionReportNotified', 'CaseClosed', 'ReferredToOrdinaryProcedure', ...COMMITTEE],
        }),
  );

  refuses(
    'restrictedCommittee.simplified.exchanges',
    'refuses the closure of the case during the simplified exchanges (a decision is due)',
    () =>
      given(...history.upToSimplifiedExchanges())
        .when(caseClosed({ on: '2023-11-20' }))
        .thenRefused('TransitionNotAllowed', {
          accepts: [
            'ObservationsSubmitted',
            'HearingHeld',
            'SanctionImposed',
            'ProceedingsDismissed',
            'ReferredToOrdinaryProcedure',
            ...COMMITTEE,
          ],
        }),
  );

  refuses('restrictedCommittee.simplified.deliberation', 'refuses a second hearing', () =>
    given(...history.upToSimplifiedDeliberation())
      .when(hearingHeld({ on: '2024-01-19' }))
      .thenRefused('TransitionNotAllowed', {
        accepts: ['SanctionImposed', 'ProceedingsDismissed', 'ReferredToOrdinaryProcedure', ...COMMITTEE],
      }),
  );
});

// ── Sanction ─────────────────────────────────────────────────────────────────────────────────

describe('sanction', () => {
  takes(
    'sanction.decided: (always) → sanction.injunctionRunning',
    'a sanction with an injunction starts the injunction deadline',
    () =>
      given(...history.upToOrdinaryDeliberation())
        .when(sanctionImposed())
        .thenState('sanction.injunctionRunning')
        .thenContext({
          injunction: { deadline: '2024-03-25', penaltyPerDay: 500, delayFrom: null, compliedOn: null },
        }),
  );

  takes(
    'sanction.decided: CaseClosed → closed',
    'a sanction without injunction lets the case close once executed',
    () =>
      given(...history.upToSanctionWithoutInjunction())
        .when(caseClosed({ on: '2024-04-02' }))
        .thenStage('closed'),
  );

  takes(
    'sanction.injunctionRunning: InjunctionComplied → sanction.decided',
    'compliance by the injunction deadline ends the injunction; the case may then close',
    () =>
      given(...history.upToInjunctionRunning())
        .when(injunctionComplied({ on: '2024-03-25' }))
        .thenState('sanction.decided')
        .thenContext({ injunction: { compliedOn: '2024-03-25', delayFrom: null } }),
  );

  takes(
    'sanction.injunctionRunning: InjunctionDeadlineElapsed → penaltyLiquidation',
    'the injunction deadline elapsed without compliance: the penalty accrues from the next day',
    () =>
      given(...history.upToInjunctionRunning())
        .when(injunctionDeadlineElapsed())
        .thenState('penaltyLiquidation.accruing')
        .thenContext({ injunction: { delayFrom: '2024-03-26', compliedOn: null } }),
  );

  takes(
    '(root): AppealLodged',
    "an appeal to the Conseil d'État does not suspend the sanction (the injunction keeps running)",
    () =>
      given(...history.upToInjunctionRunning())
        .when(appealLodged())
        .thenState('sanction.injunctionRunning')
        .thenContext({
          appeals: [{ decision: ACME.sanction, lodgedOn: '2024-03-20', decidedOn: null, outcome: null }],
        }),
  );

  takes(
    '(root): DecisionNotified',
    'the sanction reaches the controller; the injunction keeps running and the time limit for appeal runs from that day (CJA R421-1)',
    () =>
      given(...history.upToInjunctionRunning())
        .when(decisionNotified())
        .thenState('sanction.injunctionRunning')
        .thenContext((c) =>
          expect(c.decisions.find((d) => d.reference === ACME.sanction)?.notifiedOn).toBe('2024-01-26'),
        ),
  );

  takes('(root): DecisionPublished', 'a public sanction is published; the case stays where it is', () =>
    given(...history.upToInjunctionRunning())
      .when(decisionPublished({ on: '2024-01-30', reference: ACME.sanction, anonymiseAfter: '2026-01-30' }))
      .thenState('sanction.injunctionRunning')
      .thenContext((c) =>
        expect(c.decisions.find((d) => d.reference === ACME.sanction)).toMatchObject({
          kind: 'sanction',
          publishedOn: '2024-01-30',
          anonymiseAfter: '2026-01-30',
        }),
      ),
  );

  takes(
    '(root): AppealDecided',
    "the Conseil d'État rejecting the appeal leaves the sanction and the case where they are",
    () =>
      given(...history.upToInjunctionRunning(), appealLodged())
        .when(appealDecided({ on: '2024-03-22' }))
        .thenState('sanction.injunctionRunning')
        .thenContext({
          sanction: { fine: 150_000 },
          appeals: [{ decision: ACME.sanction, decidedOn: '2024-03-22', outcome: 'rejected' }],
        }),
  );

  takes('(root): AppealDecided', "the Conseil d'État reforming the fine lowers it", () =>
    given(...history.upToInjunctionRunning(), appealLodged())
      .when(appealDecided({ on: '2024-03-22', outcome: 'reformed', fine: 100_000 }))
      .thenState('sanction.injunctionRunning')
      .thenContext({ sanction: { fine: 100_000 } }),
  );

  takes('(root): AppealDecided → closed', "an annulment by the Conseil d'État closes the case", () =>
    given(...history.upToInjunctionRunning(), appealLodged())
      .when(appealDecided({ on: '2024-03-22', outcome: 'annulled' }))
      .thenStage('closed')
      .thenContext({
        sanction: { fine: 0 },
        injunction: { compliedOn: '2024-03-22' },
        closed: { on: '2024-03-22', outcome: 'sanction-annulled' },
      }),
  );

  refuses('sanction.decided', 'refuses a penalty when the sanction has no injunction', () =>
    given(...history.upToSanctionWithoutInjunction())
      .when(injunctionDeadlineElapsed())
      .thenRefused('TransitionNotAllowed', { accepts: ['CaseClosed', ...ROOT] }),
  );

  refuses('sanction.injunctionRunning', 'refuses the closure of the case while the injunction runs', () =>
    given(...history.upToInjunctionRunning())
      .when(caseClosed({ on: '2024-02-01' }))
      .thenRefused('TransitionNotAllowed', {
        accepts: ['InjunctionComplied', 'InjunctionDeadlineElapsed', ...ROOT],
      }),
  );

  refuses('sanction.injunctionRunning', 'refuses a liquidation before the injunction deadline elapsed', () =>
    given(...history.upToInjunctionRunning())
      .when(
        penaltyLiquidationNotified({ on: '2024-03-01', periodFrom: '2024-02-01', periodTo: '2024-03-01' }),
      )
      .thenRefused('TransitionNotAllowed'),
  );
});

// ── Penalty liquidation ──────────────────────────────────────────────────────────────────────

describe('penaltyLiquidation', () => {
  takes(
    'penaltyLiquidation.accruing: InjunctionComplied → penaltyLiquidation.complied',
    'late compliance stops the penalty',
    () =>
      given(...history.upToPenaltyAccruing())
        .when(injunctionComplied({ on: '2024-04-15' }))
        .thenState('penaltyLiquidation.complied')
        .thenContext({ injunction: { delayFrom: '2024-03-26', compliedOn: '2024-04-15' } }),
  );

  takes(
    'penaltyLiquidation.accruing: PenaltyLiquidationNotified → penaltyLiquidation.liquidationNotified',
    'the restricted committee notifies the proposed liquidation (D art. 44)',
    () =>
      given(...history.upToPenaltyAccruing())
        .when(penaltyLiquidationNotified())
        .thenState('penaltyLiquidation.liquidationNotified')
        .thenContext({
          liquidationNotice: {
            on: '2024-05-06',
            proposedAmount: 20_500,
            periodFrom: '2024-03-26',
            periodTo: '2024-05-06',
          },
        }),
  );

  takes(
    'penaltyLiquidation.liquidationNotified: PenaltyLiquidated → penaltyLiquidation.accruing',
    'the liquidation is decided; the penalty keeps accruing until compliance',
    () =>
      given(...history.upToLiquidationNotified())
        .when(penaltyLiquidated())
        .thenState('penaltyLiquidation.accruing')
        .thenContext({
          liquidationNotice: null,
          liquidations: [{ deliberation: ACME.liquidation, amount: 20_500, periodTo: '2024-05-06' }],
        }),
  );

  takes(
    'penaltyLiquidation.liquidationNotified: InjunctionComplied',
    'compliance after a liquidation notice stops the penalty; the liquidation remains due',
    () =>
      given(...history.upToLiquidationNotified())
        .when(injunctionComplied({ on: '2024-05-15' }))
        .thenState('penaltyLiquidation.liquidationNotified')
        .thenContext({ injunction: { compliedOn: '2024-05-15' } }),
  );

  takes(
    'penaltyLiquidation.accruing: (always) → penaltyLiquidation.complied',
    'compliance after a liquidation notice stops the penalty and lets the case close',
    () =>
      given(...history.upToLiquidationNotified(), injunctionComplied({ on: '2024-05-15' }))
        .when(penaltyLiquidated())
        .thenState('penaltyLiquidation.complied')
        .when(caseClosed())
        .thenStage('closed'),
  );

  takes(
    'penaltyLiquidation.complied: PenaltyLiquidationNotified → penaltyLiquidation.liquidationNotified',
    'the days of delay before compliance may still be liquidated after compliance',
    () =>
      given(...history.upToPenaltyAccruing(), injunctionComplied({ on: '2024-04-15' }))
        .when(penaltyLiquidationNotified({ proposedAmount: 10_000, periodTo: '2024-04-15' }))
        .thenState('penaltyLiquidation.liquidationNotified'),
  );

  takes(
    'penaltyLiquidation.complied: CaseClosed → closed',
    'once complied and liquidated, the sanction is executed and the case closes',
    () =>
      given(...history.upToPenaltyComplied())
        .when(caseClosed())
        .thenStage('closed'),
  );

  takes('(root): DecisionPublished', 'a public liquidation is published while the penalty accrues', () =>
    given(...history.upToPenaltyLiquidated())
      .when(
        decisionPublished({ on: '2024-06-20', reference: ACME.liquidation, anonymiseAfter: '2026-06-20' }),
      )
      .thenState('penaltyLiquidation.accruing'),
  );

  takes('(root): AppealLodged', 'the liquidation may be appealed while the penalty accrues', () =>
    given(...history.upToPenaltyLiquidated())
      .when(appealLodged({ on: '2024-07-15', decision: ACME.liquidation }))
      .thenState('penaltyLiquidation.accruing'),
  );

  takes(
    '(root): AppealDecided → closed',
    "an annulment of the sanction by the Conseil d'État stops the accruing penalty and closes the case",
    () =>
      given(...history.upToInjunctionRunning(), appealLodged(), injunctionDeadlineElapsed())
        .when(appealDecided({ on: '2024-04-30', outcome: 'annulled' }))
        .thenStage('closed')
        .thenContext({ injunction: { delayFrom: '2024-03-26', compliedOn: '2024-04-30' } }),
  );

  takes(
    '(root): AppealDecided',
    'an annulled liquidation is no longer owed and its days may be liquidated again',
    () =>
      given(
        ...history.upToPenaltyLiquidated(),
        appealLodged({ on: '2024-07-15', decision: ACME.liquidation }),
      )
        .when(appealDecided({ on: '2024-12-10', decision: ACME.liquidation, outcome: 'annulled' }))
        .thenState('penaltyLiquidation.accruing')
        .thenContext({ liquidations: [], sanction: { fine: 150_000 }, closed: null })
        .when(
          penaltyLiquidationNotified({ on: '2024-12-16', periodTo: '2024-12-16', proposedAmount: 100_000 }),
        )
        .thenState('penaltyLiquidation.liquidationNotified'),
  );

  refuses('penaltyLiquidation.accruing', 'refuses the closure of the case while the penalty accrues', () =>
    given(...history.upToPenaltyAccruing())
      .when(caseClosed({ on: '2024-04-02' }))
      .thenRefused('TransitionNotAllowed', {
        accepts: ['InjunctionComplied', 'PenaltyLiquidationNotified', ...ROOT],
      }),
  );

  refuses(
    'penaltyLiquidation.accruing',
    'refuses a liquidation that was not notified first (D art. 44)',
    () =>
      given(...history.upToPenaltyAccruing())
        .when(penaltyLiquidated({ on: '2024-05-06' }))
        .thenRefused('TransitionNotAllowed'),
  );

  refuses(
    'penaltyLiquidation.liquidationNotified',
    'refuses a second liquidation notice while one is pending',
    () =>
      given(...history.upToLiquidationNotified())
        .when(
          penaltyLiquidationNotified({
            on: '2024-05-13',
            periodFrom: '2024-05-06',
            periodTo: '2024-05-13',
            proposedAmount: 3_500,
          }),
        )
        .thenRefused('TransitionNotAllowed', {
          accepts: ['InjunctionComplied', 'PenaltyLiquidated', ...ROOT],
        }),
  );

  refuses('penaltyLiquidation.complied', 'refuses a second compliance', () =>
    given(...history.upToPenaltyComplied())
      .when(injunctionComplied({ on: '2024-07-02' }))
      .thenRefused('TransitionNotAllowed', {
        accepts: ['PenaltyLiquidationNotified', 'CaseClosed', ...ROOT],
      }),
  );
});

// ── Closed ───────────────────────────────────────────────────────────────────────────────────

describe('closed', () => {
  const publicNoticeClosed = () => [...history.upToPublicFormalNotice(), formalNoticeClosed()];

  takes(
    '(root): DecisionPublished',
    'the closure of a public formal notice is published too (LIL art. 20 II)',
    () =>
      given(...publicNoticeClosed())
        .when(decisionPublished({ on: '2023-08-17', reference: ACME.formalNoticeClosure }))
        .thenStage('closed'),
  );

  takes(
    '(root): PublicationAnonymised',
    'the published formal notice is anonymised after its date, the case staying closed',
    () =>
      given(...publicNoticeClosed())
        .when(publicationAnonymised())
        .thenStage('closed')
        .thenContext((c) =>
          expect(c.decisions.find((d) => d.reference === ACME.formalNotice)?.anonymisedOn).toBe('2025-06-23'),
        ),
  );

  takes(
    '(root): PersonalDataErased',
    "the complainant's personal data are erased after the case was closed; it stays closed (GDPR art. 17)",
    () =>
      given(...publicNoticeClosed())
        .when(personalDataErased())
        .thenStage('closed')
        .thenContext((c) => expect(c.persons).toEqual([{ personId: 'person-7f3a', erasedOn: '2025-07-01' }])),
  );

  takes(
    '(root): PersonalDataErased',
    'personal data may be erased while the procedure runs; the penalty keeps accruing',
    () =>
      given(...history.upToInjunctionRunning(), injunctionDeadlineElapsed())
        .when(personalDataErased({ on: '2024-04-02' }))
        .thenState('penaltyLiquidation.accruing'),
  );

  takes('(root): PublicationAnonymised', 'a published sanction is anonymised during the penalty too', () =>
    given(
      ...history.upToInjunctionRunning(),
      decisionPublished({ on: '2024-01-30', reference: ACME.sanction, anonymiseAfter: '2024-03-01' }),
      injunctionDeadlineElapsed(),
    )
      .when(publicationAnonymised({ on: '2024-04-02', reference: ACME.sanction }))
      .thenState('penaltyLiquidation.accruing'),
  );

  takes(
    '(root): AppealDecided',
    "the Conseil d'État may decide an appeal after the case was closed; it stays closed",
    () =>
      given(
        ...history.upToInjunctionRunning(),
        appealLodged(),
        injunctionComplied({ on: '2024-03-22' }),
        caseClosed({ on: '2024-04-02' }),
      )
        .when(appealDecided())
        .thenStage('closed')
        .thenContext({ closed: { on: '2024-04-02', outcome: 'sanction-executed' } }),
  );

  takes(
    '(root): AppealDecided → closed',
    "an annulment by the Conseil d'État of the sanction of a closed case records the annulment",
    () =>
      given(
        ...history.upToInjunctionRunning(),
        appealLodged(),
        injunctionComplied({ on: '2024-03-22' }),
        caseClosed({ on: '2024-04-02' }),
      )
        .when(appealDecided({ outcome: 'annulled' }))
        .thenStage('closed')
        .thenContext({ sanction: { fine: 0 }, closed: { outcome: 'sanction-annulled' } }),
  );

  refuses('closed', 'refuses a second closure', () =>
    given(...history.closed())
      .when(caseClosed({ on: '2024-10-01' }))
      .thenRefused('TransitionNotAllowed', { accepts: [...ROOT] }),
  );

  refuses('closed', 'refuses a formal notice on a closed case', () =>
    given(...history.closed())
      .when(formalNoticeIssued({ on: '2024-10-01', deadline: '2024-12-01' }))
      .thenRefused('TransitionNotAllowed'),
  );

  refuses('closed', 'refuses a complaint on a closed case (LIL art. 8)', () =>
    given(...history.closed())
      .when(complaintReceived({ on: '2024-10-01' }))
      .thenRefused('caseIsOpen', { mentions: 'closed on 2024-09-02' }),
  );
});

// ── Cases opened on the CNIL's own initiative; the order to produce; the right to remain silent ──

describe('a case opened on the CNIL’s own initiative (LIL art. 19; GDPR art. 57(1)(h), 61)', () => {
  /** Opened on the CNIL's own initiative, on 2023-01-16 (the press, a check it decides, another authority). */
  const ownInitiative = (origin: 'own-initiative' | 'press' | 'mutual-assistance' = 'own-initiative') => [
    caseOpened({ origin }),
  ];

  takes(
    'unopened: CaseOpened → inspection.opened',
    'a case opened on the CNIL’s own initiative starts in the inspection stage, not as a complaint',
    () =>
      given()
        .when(caseOpened({ origin: 'press' }))
        .thenState('inspection.opened')
        .thenStage('inspection'),
  );

  it('so do cases opened on mutual assistance (GDPR art. 61) and on the CNIL’s own check', () => {
    for (const origin of ['mutual-assistance', 'own-initiative'] as const)
      given().when(caseOpened({ origin })).thenState('inspection.opened');
  });

  takes(
    'inspection: InspectionOpened → inspection.inProgress',
    'the President decides the inspection of a case opened on own initiative',
    () =>
      given(...ownInitiative())
        .when(inspectionOpened())
        .thenState('inspection.inProgress'),
  );

  takes('inspection.opened: WarningIssued → closed', 'the President may warn at once', () =>
    given(...ownInitiative())
      .when(warningIssued())
      .thenStage('closed'),
  );

  takes(
    'inspection.opened: LegalObligationsReminderIssued → closed',
    'the President may remind the controller of its obligations at once',
    () =>
      given(...ownInitiative())
        .when(legalObligationsReminderIssued())
        .thenStage('closed'),
  );

  takes(
    'inspection.opened: FormalNoticeIssued → formalNotice',
    'the President may serve a formal notice on information received (e.g. from another authority)',
    () =>
      given(...ownInitiative('mutual-assistance'))
        .when(formalNoticeIssued())
        .thenStage('formalNotice'),
  );

  takes(
    'inspection.opened: ReferredToRestrictedCommittee → restrictedCommittee.ordinary',
    'the President may refer the case to the restricted committee',
    () =>
      given(...ownInitiative())
        .when(referredToRestrictedCommittee())
        .thenState('restrictedCommittee.ordinary.instruction'),
  );

  takes(
    'inspection.opened: ReferredToRestrictedCommittee → restrictedCommittee.simplified',
    'the President may refer the case to the simplified procedure',
    () =>
      given(...ownInitiative())
        .when(referredToRestrictedCommittee({ procedure: 'simplified' }))
        .thenState('restrictedCommittee.simplified.instruction'),
  );

  takes('inspection.opened: CaseClosed → closed', 'the President may close the case', () =>
    given(...ownInitiative())
      .when(caseClosed({ on: '2023-02-01', outcome: 'no-breach' }))
      .thenStage('closed'),
  );

  refuses('inspection.opened', 'refuses inspection findings before the inspection is decided', () =>
    given(...ownInitiative())
      .when(inspectionCompleted())
      .thenRefused('TransitionNotAllowed', { accepts: ['InspectionOpened', ...PRESIDENT, ...ROOT] }),
  );
});

describe('the order to produce (LIL art. 20 II; D art. 47-1)', () => {
  takes(
    'formalNotice.compliance.deadlineElapsed: ProductionOrdered',
    'after an unanswered formal notice, the president of the restricted committee orders the controller to produce',
    () =>
      given(...history.upToFormalNoticeElapsed())
        .when(productionOrdered())
        .thenState('formalNotice.compliance.deadlineElapsed')
        .thenContext({ productionOrder: { on: '2023-08-16', deadline: '2023-08-31', penaltyPerDay: 100 } }),
  );

  it('refuses an order to produce while the formal notice is still running (D art. 47-1)', () => {
    given(...history.upToFormalNotice())
      .when(productionOrdered({ on: '2023-07-20' }))
      .thenRefused('TransitionNotAllowed');
  });
});

describe('the right to remain silent (Cons. const. 8 Aug 2025 n° 2025-1154 QPC)', () => {
  takes(
    'restrictedCommittee: RightToRemainSilentNotified',
    'the controller is told of its right to remain silent before the restricted committee',
    () =>
      given(...history.upToOrdinaryExchanges())
        .when(rightToRemainSilentNotified())
        .thenState('restrictedCommittee.ordinary.exchanges')
        .thenContext({ silenceNotifiedOn: '2023-11-06' }),
  );

  it('refuses the notice outside the procedure before the restricted committee', () => {
    given(...history.upToFormalNoticeElapsed())
      .when(rightToRemainSilentNotified({ on: '2023-08-10' }))
      .thenRefused('TransitionNotAllowed');
  });
});

// ── Completeness ─────────────────────────────────────────────────────────────────────────────

describe('completeness', () => {
  it('every transition of the statechart is taken by a test of this file', () => {
    const missing = allTransitions().filter((key) => !exercised.has(key));
    expect(missing).toEqual([]);
  });

  it('every transition this file names exists in the statechart', () => {
    const all = new Set(allTransitions());
    expect([...exercised].filter((key) => !all.has(key))).toEqual([]);
  });

  it('every leaf state of the statechart, hence every stage, has a refusal test', () => {
    const leaves: string[] = [];
    const walk = (node: { readonly path: readonly string[]; readonly states: object }): void => {
      const children = Object.values(node.states) as (typeof node)[];
      if (children.length === 0) leaves.push(node.path.join('.'));
      for (const child of children) walk(child);
    };
    walk(procedureMachine.root);
    expect(leaves.filter((leaf) => !refusedIn.has(leaf))).toEqual([]);
    expect(STAGES.filter((stage) => ![...refusedIn].some((leaf) => leaf.split('.')[0] === stage))).toEqual(
      [],
    );
  });
});
