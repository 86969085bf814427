/**
 * One example of each event's data, along the path of a fictional case (Acme SAS, opened on a
 * complaint in January 2023, formal notice, sanction with an injunction, liquidated penalty,
 * compliance, closure). `cnil events <Type>` shows them; a test checks that each one is valid.
 * The names and references are invented.
 */
import type { EventType } from './events.ts';

export const EVENT_EXAMPLES: Readonly<Record<EventType, Readonly<Record<string, unknown>>>> = {
  CaseOpened: {
    on: '2023-01-16',
    caseId: 'acme-sas',
    controller: { name: 'Acme SAS', country: 'FR', euEstablishment: true, kind: 'undertaking' },
    origin: 'complaint',
  },
  ComplaintReceived: {
    on: '2023-01-20',
    complaintId: 'PLT-23-004512',
    complainant: {
      kind: 'individual',
      name: 'Camille Martin',
      personId: 'person-7f3a',
      contact: '12 rue des Lilas, 69003 Lyon',
    },
    grounds: ['15', '17'],
    reference: '23004512',
  },
  InspectionOpened: { on: '2023-03-01', method: 'documentary', decisionRef: '2023-045C' },
  InspectionCarriedOut: {
    on: '2023-03-15',
    method: 'documentary',
    description: 'Questionnaire sent to the controller',
  },
  InspectionCompleted: { on: '2023-05-10', breaches: ['6', '12', '15', '17'], reportRef: 'CTL-2023-045' },
  WarningIssued: { on: '2023-06-01', reference: 'AVT-2023-007', grounds: ['6'] },
  LegalObligationsReminderIssued: { on: '2023-06-01', reference: 'RAP-2023-012', breaches: ['12', '15'] },
  FormalNoticeIssued: {
    on: '2023-06-01',
    reference: 'MED-2023-101',
    breaches: ['6', '12', '15', '17'],
    deadline: '2023-08-01',
    urgency: false,
  },
  FormalNoticeDeadlineExtended: { on: '2023-07-20', newDeadline: '2023-09-01' },
  FormalNoticePublicationDecided: { on: '2023-06-12', deliberation: 'MEDP-2023-004' },
  DecisionPublished: {
    on: '2023-06-22',
    reference: 'MED-2023-101',
    venue: ['legifrance', 'cnil-site'],
    anonymiseAfter: '2025-06-22',
  },
  FormalNoticeDeadlineElapsed: { on: '2023-08-02' },
  FormalNoticeClosed: { on: '2023-08-10', reference: 'MED-2023-101-CLOTURE' },
  ProductionOrdered: {
    on: '2023-08-16',
    reference: 'IP-2023-003',
    deadline: '2023-08-31',
    penaltyPerDay: 100,
  },
  ReferredToRestrictedCommittee: { on: '2023-09-04', procedure: 'ordinary', rapporteur: 'Hélène Garnier' },
  SanctionReportNotified: { on: '2023-11-06', responseDeadline: '2023-12-06' },
  RightToRemainSilentNotified: { on: '2023-11-06' },
  ObservationsSubmitted: { on: '2023-12-05', by: 'controller' },
  HearingHeld: { on: '2024-01-18', convenedOn: '2023-12-18' },
  ReferredToOrdinaryProcedure: { on: '2023-10-02', rapporteur: 'Hélène Garnier' },
  SanctionImposed: {
    on: '2024-01-25',
    deliberation: 'SAN-2024-001',
    breaches: ['6', '12', '15', '17'],
    fine: 150000,
    measures: ['fine', 'injunction'],
    injunction: {
      orders: [
        {
          order: 'Delete the data of persons in France processed without a legal basis',
          breaches: ['6', '17'],
        },
        { order: 'Answer the pending access requests', breaches: ['12', '15'] },
      ],
      deadline: '2024-03-25',
      penaltyPerDay: 500,
    },
    public: true,
  },
  ProceedingsDismissed: { on: '2024-01-25', deliberation: 'SAN-2024-001' },
  InjunctionDeadlineElapsed: { on: '2024-03-26' },
  PenaltyLiquidationNotified: {
    on: '2024-05-06',
    proposedAmount: 20500,
    periodFrom: '2024-03-26',
    periodTo: '2024-05-06',
  },
  PenaltyLiquidated: {
    on: '2024-06-13',
    deliberation: 'SAN-2024-009',
    amount: 20500,
    periodFrom: '2024-03-26',
    periodTo: '2024-05-06',
    public: true,
  },
  InjunctionComplied: { on: '2024-07-01' },
  AppealLodged: { on: '2024-03-20', decision: 'SAN-2024-001', court: 'conseil-etat' },
  AppealDecided: {
    on: '2025-06-12',
    decision: 'SAN-2024-001',
    ruling: 'CE, 12 juin 2025, n° 493117',
    outcome: 'rejected',
  },
  PublicationAnonymised: { on: '2025-06-23', reference: 'MED-2023-101' },
  PersonalDataErased: { on: '2025-07-01', personId: 'person-7f3a', ground: 'data-subject-request' },
  CaseClosed: { on: '2024-09-02', outcome: 'sanction-executed' },
  DecisionNotified: { on: '2024-01-26', reference: 'SAN-2024-001' },
};
