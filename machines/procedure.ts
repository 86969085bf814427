/**
 * The CNIL enforcement procedure as an XState statechart — the law of the procedure.
 *
 * Top-level states are the stages of DESIGN.md §3: complaint → inspection → formalNotice
 * (publication by the bureau is a region inside it) → restrictedCommittee → sanction →
 * penaltyLiquidation → closed. `unopened` is the state of a case before its `CaseOpened` fact;
 * no stored case is ever in it.
 *
 * Every transition is guarded by `lawful`, which names the legal rules (machines/rules.ts) the
 * event must satisfy; every state and transition carries its legal basis in `meta`. There are
 * no timers, clocks or side effects: deadlines are context, and `…Elapsed` facts are events.
 */
import { assign, setup } from 'xstate';
import { CATALOGUE } from './catalogue.ts';
import { initialContext, type ProcedureContext, record } from './context.ts';
import type { EventType, ProcedureEvent } from './events.ts';
import { type RuleId, violations } from './rules.ts';

export const STAGES = [
  'complaint',
  'inspection',
  'formalNotice',
  'restrictedCommittee',
  'sanction',
  'penaltyLiquidation',
  'closed',
] as const;
export type Stage = (typeof STAGES)[number];

/** Conditions that choose between targets; unlike rules they are not reported as refusals. */
const ROUTES = {
  openedOnComplaint: (_c: ProcedureContext, e: ProcedureEvent) =>
    e.type === 'CaseOpened' && e.data.origin === 'complaint',
  openedOnOwnInitiative: (_c: ProcedureContext, e: ProcedureEvent) =>
    e.type === 'CaseOpened' && e.data.origin !== 'complaint',
  ordinaryReferral: (_c: ProcedureContext, e: ProcedureEvent) =>
    e.type === 'ReferredToRestrictedCommittee' && e.data.procedure === 'ordinary',
  simplifiedReferral: (_c: ProcedureContext, e: ProcedureEvent) =>
    e.type === 'ReferredToRestrictedCommittee' && e.data.procedure === 'simplified',
  injunctionPending: (c: ProcedureContext) => c.injunction !== null && c.injunction.compliedOn === null,
  injunctionComplied: (c: ProcedureContext) => c.injunction?.compliedOn != null,
  annulsSanction: (c: ProcedureContext, e: ProcedureEvent) =>
    e.type === 'AppealDecided' &&
    e.data.outcome === 'annulled' &&
    c.sanction?.deliberation === e.data.decision,
} as const;
export type RouteId = keyof typeof ROUTES;

export interface LawfulParams {
  readonly rules: readonly RuleId[];
  readonly route?: RouteId;
}

/** `meta` of states (basis, description) and transitions (basis, rules checked). */
export interface LegalMeta {
  readonly basis: string;
  readonly description?: string;
  readonly rules?: readonly RuleId[];
}

/**
 * A transition taken on `type` when the rules hold (chronology always applies), recording the
 * event into the context. Without a target the case stays in its state.
 */
const when = (
  type: EventType,
  target: string | undefined,
  rules: readonly RuleId[] = [],
  route?: RouteId,
) => {
  const checked: readonly RuleId[] = ['chronology', ...rules];
  const params: LawfulParams = route ? { rules: checked, route } : { rules: checked };
  const meta: LegalMeta = { basis: CATALOGUE[type].basis, rules: checked };
  return {
    ...(target === undefined ? {} : { target }),
    guard: { type: 'lawful' as const, params },
    actions: 'record' as const,
    meta,
  };
};

const referral = () => [
  when(
    'ReferredToRestrictedCommittee',
    '#cnil.restrictedCommittee.ordinary',
    ['simplifiedProcedureInForce'],
    'ordinaryReferral',
  ),
  when(
    'ReferredToRestrictedCommittee',
    '#cnil.restrictedCommittee.simplified',
    ['simplifiedProcedureInForce'],
    'simplifiedReferral',
  ),
];

const formalNotice = () =>
  when('FormalNoticeIssued', '#cnil.formalNotice', [
    'formalNoticeMinimumPeriod',
    'formalNoticeMaximumPeriodBefore2022',
  ]);

/** The President's options after instruction or inspection (LIL art. 20). */
const presidentsOptions = () => ({
  WarningIssued: when('WarningIssued', '#cnil.closed'),
  LegalObligationsReminderIssued: when('LegalObligationsReminderIssued', '#cnil.closed'),
  FormalNoticeIssued: formalNotice(),
  ReferredToRestrictedCommittee: referral(),
  CaseClosed: when('CaseClosed', '#cnil.closed'),
});

const SANCTION_RULES: readonly RuleId[] = [
  'fineCap',
  'penaltyCap',
  'noFineNorPenaltyAgainstTheState',
  'simplifiedSanctionLimits',
  'sanctionConsistent',
  'responsePeriodHasRun',
];

/** The session is held after the time to answer the report has run, on a lawful convocation. */
const SESSION_RULES: readonly RuleId[] = ['responsePeriodHasRun', 'convocationPeriod'];

/** Written observations: their number before 2022, and the right to remain silent from 2025. */
const SPEAKING_RULES: readonly RuleId[] = ['exchangesLimitedBefore2022', 'rightToRemainSilentNotified'];

const LIQUIDATION_RULES: readonly RuleId[] = ['liquidationWithinDelay', 'liquidationCap'];

export const procedureMachine = setup({
  types: {
    context: {} as ProcedureContext,
    events: {} as ProcedureEvent,
    meta: {} as LegalMeta,
  },
  guards: {
    lawful: ({ context, event }, params: LawfulParams) =>
      (params.route === undefined || ROUTES[params.route](context, event)) &&
      violations(context, event, params.rules).length === 0,
    when: ({ context, event }, params: { route: RouteId }) => ROUTES[params.route](context, event),
  },
  actions: {
    record: assign(({ context, event }) => record(context, event)),
  },
}).createMachine({
  id: 'cnil',
  context: initialContext,
  initial: 'unopened',
  meta: {
    basis: 'LIL (loi 78-17) art. 8, 19–22-1; décret 2019-536; GDPR art. 57, 58, 83',
    description: 'CNIL enforcement procedure',
  },
  on: {
    ComplaintReceived: when('ComplaintReceived', undefined, ['caseIsOpen']),
    DecisionPublished: when('DecisionPublished', undefined, [
      'decisionPublishable',
      'anonymisationPeriodStated',
    ]),
    PublicationAnonymised: when('PublicationAnonymised', undefined, ['anonymisationDue']),
    // In every state, closed cases included: the right to erasure outlives the procedure.
    PersonalDataErased: when('PersonalDataErased', undefined, ['personalDataHeld']),
    AppealLodged: when('AppealLodged', undefined, ['appealTimeLimit']),
    DecisionNotified: when('DecisionNotified', undefined, ['decisionNotifiable']),
    AppealDecided: [
      when('AppealDecided', '.closed', ['appealPending'], 'annulsSanction'),
      when('AppealDecided', undefined, ['appealPending']),
    ],
  },
  states: {
    unopened: {
      meta: { basis: 'GDPR art. 57(1)(f); LIL art. 8', description: 'No case yet' },
      on: {
        CaseOpened: [
          when('CaseOpened', '#cnil.complaint', [], 'openedOnComplaint'),
          // The CNIL's own initiative (a check it decides, the press, another authority under
          // GDPR art. 61) starts with the President's decision to inspect (LIL art. 19).
          when('CaseOpened', '#cnil.inspection.opened', [], 'openedOnOwnInitiative'),
        ],
      },
    },
    complaint: {
      meta: {
        basis: 'GDPR art. 57(1)(f), 77, 78; LIL art. 8; D art. 10',
        description: 'Complaint or referral under instruction by the complaints service',
      },
      on: {
        InspectionOpened: when('InspectionOpened', '#cnil.inspection'),
        ...presidentsOptions(),
      },
    },
    inspection: {
      meta: {
        basis: 'LIL art. 19; GDPR art. 58(1)',
        description: 'Inspection: on-site, documentary, hearing or online',
      },
      initial: 'inProgress',
      on: { InspectionOpened: when('InspectionOpened', '#cnil.inspection.inProgress') },
      states: {
        opened: {
          meta: {
            basis: 'LIL art. 8 I 2° e), 19; GDPR art. 57(1)(h), 61',
            description:
              'Opened on the CNIL’s own initiative (own-initiative, press, mutual assistance); the President decides the inspection',
          },
          on: presidentsOptions(),
        },
        inProgress: {
          meta: { basis: 'LIL art. 19', description: 'Inspection under way' },
          on: {
            InspectionCarriedOut: when('InspectionCarriedOut', undefined),
            InspectionCompleted: when('InspectionCompleted', 'findings'),
          },
        },
        findings: {
          meta: {
            basis: 'LIL art. 20',
            description: 'Findings established; the President chooses the follow-up',
          },
          on: presidentsOptions(),
        },
      },
    },
    formalNotice: {
      meta: { basis: 'LIL art. 20 II; D art. 38', description: 'Formal notice to comply by a deadline' },
      type: 'parallel',
      states: {
        compliance: {
          meta: { basis: 'LIL art. 20 II; D art. 38', description: 'Time given to comply' },
          initial: 'running',
          states: {
            running: {
              meta: { basis: 'D art. 38', description: 'Deadline running (extendable once)' },
              on: {
                FormalNoticeDeadlineExtended: when('FormalNoticeDeadlineExtended', undefined, [
                  'formalNoticeExtendedOnce',
                  'formalNoticeExtensionLimitBefore2022',
                ]),
                FormalNoticeDeadlineElapsed: when('FormalNoticeDeadlineElapsed', 'deadlineElapsed', [
                  'formalNoticeDeadlinePassed',
                ]),
                FormalNoticeClosed: when('FormalNoticeClosed', '#cnil.closed'),
              },
            },
            deadlineElapsed: {
              meta: { basis: 'LIL art. 20 II-III', description: 'Deadline passed; closure or referral' },
              on: {
                FormalNoticeClosed: when('FormalNoticeClosed', '#cnil.closed'),
                ProductionOrdered: when('ProductionOrdered', undefined, ['productionOrderLawful']),
                ReferredToRestrictedCommittee: referral(),
                CaseClosed: when('CaseClosed', '#cnil.closed'),
              },
            },
          },
        },
        publicity: {
          meta: { basis: 'LIL art. 20 II', description: 'Publication decided by the bureau' },
          initial: 'notPublic',
          states: {
            notPublic: {
              meta: { basis: 'LIL art. 20 II', description: 'Not public' },
              on: {
                FormalNoticePublicationDecided: when('FormalNoticePublicationDecided', 'publicationDecided'),
              },
            },
            publicationDecided: {
              meta: { basis: 'LIL art. 20 II', description: 'The bureau decided to publish' },
              on: {
                DecisionPublished: when('DecisionPublished', 'published', [
                  'publicationOfFormalNotice',
                  'decisionPublishable',
                  'anonymisationPeriodStated',
                ]),
              },
            },
            published: {
              meta: { basis: 'LIL art. 20 II', description: 'Published (Légifrance, CNIL site)' },
            },
          },
        },
      },
    },
    restrictedCommittee: {
      meta: {
        basis: 'LIL art. 20 III, 22, 22-1; D art. 39–41',
        description: 'Sanction procedure before the restricted committee',
      },
      initial: 'ordinary',
      on: {
        RightToRemainSilentNotified: when('RightToRemainSilentNotified', undefined, ['silenceNotifiedOnce']),
      },
      states: {
        ordinary: {
          meta: {
            basis: 'LIL art. 22; D art. 39–41',
            description: 'Ordinary procedure (commissioner-rapporteur, public session)',
          },
          initial: 'instruction',
          states: {
            instruction: {
              meta: { basis: 'D art. 39', description: 'Instruction by the rapporteur' },
              on: {
                SanctionReportNotified: when('SanctionReportNotified', 'exchanges', ['reportResponsePeriod']),
                CaseClosed: when('CaseClosed', '#cnil.closed', ['closureByRapporteurFrom2022']),
              },
            },
            exchanges: {
              meta: { basis: 'D art. 40', description: 'Report notified; written exchanges' },
              on: {
                ObservationsSubmitted: when('ObservationsSubmitted', undefined, SPEAKING_RULES),
                HearingHeld: when('HearingHeld', 'deliberation', [
                  ...SESSION_RULES,
                  'rightToRemainSilentNotified',
                ]),
              },
            },
            deliberation: {
              meta: { basis: 'LIL art. 22; D art. 41', description: 'Session held; deliberation' },
              on: {
                SanctionImposed: when('SanctionImposed', '#cnil.sanction', SANCTION_RULES),
                ProceedingsDismissed: when('ProceedingsDismissed', '#cnil.closed', ['responsePeriodHasRun']),
              },
            },
          },
        },
        simplified: {
          meta: {
            basis: 'LIL art. 22-1; décret 2022-517',
            description: 'Simplified procedure (agent-rapporteur; president of the committee rules alone)',
          },
          initial: 'instruction',
          on: {
            ReferredToOrdinaryProcedure: when(
              'ReferredToOrdinaryProcedure',
              '#cnil.restrictedCommittee.ordinary',
            ),
          },
          states: {
            instruction: {
              meta: { basis: 'LIL art. 22-1', description: 'Instruction by an agent-rapporteur' },
              on: {
                SanctionReportNotified: when('SanctionReportNotified', 'exchanges', ['reportResponsePeriod']),
                CaseClosed: when('CaseClosed', '#cnil.closed', ['closureByRapporteurFrom2022']),
              },
            },
            exchanges: {
              meta: { basis: 'LIL art. 22-1; D art. 40', description: 'Report notified; written exchanges' },
              on: {
                ObservationsSubmitted: when('ObservationsSubmitted', undefined, SPEAKING_RULES),
                HearingHeld: when('HearingHeld', 'deliberation', [
                  ...SESSION_RULES,
                  'rightToRemainSilentNotified',
                ]),
                SanctionImposed: when('SanctionImposed', '#cnil.sanction', SANCTION_RULES),
                ProceedingsDismissed: when('ProceedingsDismissed', '#cnil.closed', ['responsePeriodHasRun']),
              },
            },
            deliberation: {
              meta: { basis: 'LIL art. 22-1', description: 'Hearing held at the party’s request; decision' },
              on: {
                SanctionImposed: when('SanctionImposed', '#cnil.sanction', SANCTION_RULES),
                ProceedingsDismissed: when('ProceedingsDismissed', '#cnil.closed', ['responsePeriodHasRun']),
              },
            },
          },
        },
      },
    },
    sanction: {
      meta: {
        basis: 'LIL art. 20 III; GDPR art. 58(2), 83',
        description: 'Sanction decided; injunction deadline running if any',
      },
      initial: 'decided',
      states: {
        decided: {
          meta: { basis: 'LIL art. 20 III', description: 'Sanction without pending injunction' },
          always: {
            target: 'injunctionRunning',
            guard: { type: 'when', params: { route: 'injunctionPending' } },
          },
          on: { CaseClosed: when('CaseClosed', '#cnil.closed') },
        },
        injunctionRunning: {
          meta: { basis: 'LIL art. 20 III; D art. 44', description: 'Injunction deadline running' },
          on: {
            InjunctionComplied: when('InjunctionComplied', 'decided', ['complianceBeforeDeadline']),
            InjunctionDeadlineElapsed: when('InjunctionDeadlineElapsed', '#cnil.penaltyLiquidation', [
              'injunctionDeadlinePassed',
            ]),
          },
        },
      },
    },
    penaltyLiquidation: {
      meta: {
        basis: 'LIL art. 20 III; D art. 44',
        description: 'Penalty accruing per day of delay; liquidation',
      },
      initial: 'accruing',
      states: {
        accruing: {
          meta: { basis: 'LIL art. 20 III', description: 'Penalty accruing' },
          always: { target: 'complied', guard: { type: 'when', params: { route: 'injunctionComplied' } } },
          on: {
            InjunctionComplied: when('InjunctionComplied', 'complied', ['complianceOnce']),
            PenaltyLiquidationNotified: when(
              'PenaltyLiquidationNotified',
              'liquidationNotified',
              LIQUIDATION_RULES,
            ),
          },
        },
        liquidationNotified: {
          meta: { basis: 'D art. 44', description: 'Liquidation notified; 15 days for observations' },
          on: {
            InjunctionComplied: when('InjunctionComplied', undefined, ['complianceOnce']),
            PenaltyLiquidated: when('PenaltyLiquidated', 'accruing', [
              ...LIQUIDATION_RULES,
              'liquidationAfterObservations',
            ]),
          },
        },
        complied: {
          meta: { basis: 'D art. 44', description: 'Complied; remaining days may still be liquidated' },
          on: {
            PenaltyLiquidationNotified: when(
              'PenaltyLiquidationNotified',
              'liquidationNotified',
              LIQUIDATION_RULES,
            ),
            CaseClosed: when('CaseClosed', '#cnil.closed'),
          },
        },
      },
    },
    closed: {
      meta: {
        basis: 'LIL art. 20',
        description: 'Closed; publication, anonymisation and appeals may follow',
      },
    },
  },
});

export type ProcedureMachine = typeof procedureMachine;
