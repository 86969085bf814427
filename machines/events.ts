/**
 * The event catalogue: every fact of the CNIL enforcement procedure, as zod schemas.
 *
 * Each event is a past-tense legal fact; `data.on` is the date on which the act took legal
 * effect (the recording time goes in metadata). Names, and the fields below, are a contract
 * (docs/events.md): add events, never rename them; change a schema only through a new
 * version and an upcaster.
 */
import { z } from 'zod';
import { IsoDate } from './dates.ts';

// ── Building blocks ───────────────────────────────────────────────────────────────────────────

// eslint-disable-next-line no-control-regex -- the point is to refuse control characters.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make a
 * name display differently from what is stored ("Trojan Source"), so a register could mislead.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

/** A UTF-16 surrogate without its pair (with the `u` flag, a pair is one code point and does not match). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Free text: trimmed, 1–500 characters, no control characters (tab and line breaks aside), no
 * bidirectional controls, well-formed Unicode (a lone surrogate has no UTF-8 encoding:
 * EventStoreDB and encryption would store U+FFFD instead).
 */
export const Text = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(500, { message: 'must be at most 500 characters' })
  .refine((s) => !CONTROL_CHARACTERS.test(s), { message: 'must not contain control characters' })
  .refine((s) => !BIDI_CONTROLS.test(s), {
    message: 'must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)',
  })
  .refine((s) => !LONE_SURROGATE.test(s), {
    message: 'must be well-formed Unicode (it contains a lone surrogate)',
  });

/** A reference of a CNIL act, e.g. 'MED-2021-134', 'SAN-2022-019', 'MEDP-2021-002', '2020-116C'. */
export const Reference = Text.pipe(z.string().max(80, { message: 'must be at most 80 characters' }));

/** A GDPR article, optionally with paragraph and point: '6', '17', '5(1)(a)', '83(5)'. */
export const GdprArticle = z.string().regex(/^[1-9]\d{0,1}(\(\d{1,2}\))?(\([a-z]\))?$/, {
  message: "must be a GDPR article such as '6' or '5(1)(a)'",
});
export type GdprArticle = z.infer<typeof GdprArticle>;

/** An amount in whole euros. */
export const Euros = z
  .number({ message: 'must be a number of euros' })
  .int({ message: 'must be a whole number of euros' })
  .nonnegative({ message: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { message: 'is too large' });

/** A case id: lower-case letters, digits and dashes (it names the stream `case-<caseId>`). */
export const CaseId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$/, {
  message: 'must be 2–64 lower-case letters, digits or dashes, starting and ending with a letter or digit',
});

export const Origin = z.enum(['complaint', 'own-initiative', 'mutual-assistance', 'press']);
export type Origin = z.infer<typeof Origin>;

/**
 * What kind of person the controller is, which decides the measures available: no administrative
 * fine and no penalty payment where the processing is carried out by the State (LIL art. 20 III
 * 2° and 7°); the turnover share of the fine cap applies to an undertaking only (GDPR art. 83(4)-(6)).
 * `unspecified`: not said (every CaseOpened of schema version 1; machines/versions.ts).
 */
export const ControllerKind = z.enum([
  'undertaking',
  'public-body',
  'state',
  'association',
  'individual',
  'unspecified',
]);
export type ControllerKind = z.infer<typeof ControllerKind>;
export const InspectionMethod = z.enum(['on-site', 'documentary', 'hearing', 'online']);
export const Procedure = z.enum(['ordinary', 'simplified']);
export type Procedure = z.infer<typeof Procedure>;
export const Venue = z.enum(['legifrance', 'cnil-site', 'press']);

/** Corrective measures the restricted committee may order (LIL art. 20 III; GDPR art. 58(2)). */
export const Measure = z.enum([
  'reprimand',
  'injunction',
  'limitation',
  'ban',
  'authorisation-withdrawal',
  'certification-withdrawal',
  'data-flow-suspension',
  'bcr-suspension',
  'fine',
]);
export type Measure = z.infer<typeof Measure>;

const event = <T extends string, D extends z.ZodRawShape>(type: T, data: D) =>
  z.object({ type: z.literal(type), data: z.strictObject({ on: IsoDate, ...data }) });

// ── Opening and complaint ─────────────────────────────────────────────────────────────────────

/** The CNIL opened a case about a controller. GDPR art. 57(1)(f), 77; LIL art. 8. */
export const CaseOpened = event('CaseOpened', {
  caseId: CaseId,
  controller: z.strictObject({
    name: Text,
    /** ISO 3166-1 alpha-2 country of the head office. */
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 code such as FR or US' }),
    euEstablishment: z.boolean(),
    /** Worldwide annual turnover of the preceding year, when known (fine cap, GDPR art. 83(5)). */
    worldwideTurnover: Euros.optional(),
    /** Schema version 2 (machines/versions.ts); `unspecified` when not given. */
    kind: ControllerKind.default('unspecified'),
  }),
  origin: Origin,
});
export type CaseOpened = z.infer<typeof CaseOpened>;

/**
 * A pseudonymous identifier of a person whose data a case holds (never a name): the key of their
 * personal data, which `forget <personId>` erases (machines/personal-data.ts).
 */
export const PersonId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, {
  message: 'must be 1–100 letters, digits, dots, colons, underscores or dashes (a pseudonym, not a name)',
});
export type PersonId = z.infer<typeof PersonId>;

/** A data subject or a mandated body lodged a complaint. GDPR art. 77, 80. */
export const ComplaintReceived = event('ComplaintReceived', {
  complaintId: Text,
  complainant: z.strictObject({
    kind: z.enum(['individual', 'association', 'organisation']),
    /** Personal data: stored encrypted under the complainant's key (machines/personal-data.ts). */
    name: Text,
    /** Whose data this is; assigned by the case service when absent. */
    personId: PersonId.optional(),
    /** How to reach the complainant (postal or e-mail address). Personal data, stored encrypted. */
    contact: Text.optional(),
  }),
  grounds: z.array(GdprArticle).max(99),
  reference: Reference.optional(),
});
export type ComplaintReceived = z.infer<typeof ComplaintReceived>;

// ── Inspection and the President's measures ─────────────────────────────────────────────────

/** The President decided an inspection. LIL art. 19; GDPR art. 58(1). */
export const InspectionOpened = event('InspectionOpened', {
  method: InspectionMethod,
  decisionRef: Reference.optional(),
});
export type InspectionOpened = z.infer<typeof InspectionOpened>;

/** An inspection act was carried out (visit, questionnaire sent, hearing, online check). LIL art. 19. */
export const InspectionCarriedOut = event('InspectionCarriedOut', {
  method: InspectionMethod,
  description: Text.optional(),
});
export type InspectionCarriedOut = z.infer<typeof InspectionCarriedOut>;

/** The inspection's findings were established (minutes / report). LIL art. 19. */
export const InspectionCompleted = event('InspectionCompleted', {
  breaches: z.array(GdprArticle).max(99),
  reportRef: Reference.optional(),
});
export type InspectionCompleted = z.infer<typeof InspectionCompleted>;

/** The President warned that an intended processing is likely to infringe. GDPR art. 58(2)(a); LIL art. 20 I. */
export const WarningIssued = event('WarningIssued', {
  reference: Reference.optional(),
  grounds: z.array(GdprArticle).max(99),
});
export type WarningIssued = z.infer<typeof WarningIssued>;

/** The President reminded the controller of its legal obligations. LIL art. 20 I. */
export const LegalObligationsReminderIssued = event('LegalObligationsReminderIssued', {
  reference: Reference.optional(),
  breaches: z.array(GdprArticle).max(99),
});
export type LegalObligationsReminderIssued = z.infer<typeof LegalObligationsReminderIssued>;

// ── Formal notice ──────────────────────────────────────────────────────────────────────────────

/** The President served a formal notice; the controller must comply by `deadline`. LIL art. 20 II; D art. 38. */
export const FormalNoticeIssued = event('FormalNoticeIssued', {
  reference: Reference,
  breaches: z.array(GdprArticle).min(1, { message: 'must name at least one breach' }).max(99),
  deadline: IsoDate,
  /** Urgency allows a period shorter than 10 days (down to 24 hours). D art. 38. */
  urgency: z.boolean(),
});
export type FormalNoticeIssued = z.infer<typeof FormalNoticeIssued>;

/** The President extended the formal notice's deadline (once). D art. 38. */
export const FormalNoticeDeadlineExtended = event('FormalNoticeDeadlineExtended', {
  newDeadline: IsoDate,
});
export type FormalNoticeDeadlineExtended = z.infer<typeof FormalNoticeDeadlineExtended>;

/** The bureau decided to make the formal notice public. LIL art. 20 II. */
export const FormalNoticePublicationDecided = event('FormalNoticePublicationDecided', {
  deliberation: Reference,
});
export type FormalNoticePublicationDecided = z.infer<typeof FormalNoticePublicationDecided>;

/**
 * A decision of the case was published. `anonymiseAfter`: when the controller's name must disappear.
 * `periodNotStated` (schema version 2): the publication gives no such date, because the decision is
 * silent (`decision-silent`) or the record could not verify it (`not-verified`); a publication
 * ordered by the restricted committee gives exactly one of the two (CE 28 Sep 2016 n° 389448).
 */
export const DecisionPublished = event('DecisionPublished', {
  reference: Reference,
  venue: z
    .array(Venue)
    .min(1, { message: 'must name at least one venue' })
    .max(Venue.options.length, { message: `must name at most ${Venue.options.length} venues` }),
  anonymiseAfter: IsoDate.optional(),
  periodNotStated: z.enum(['decision-silent', 'not-verified']).optional(),
});
export type DecisionPublished = z.infer<typeof DecisionPublished>;

/** The formal notice's deadline passed; `on` is the first day after it. Appended by the scheduler. */
export const FormalNoticeDeadlineElapsed = event('FormalNoticeDeadlineElapsed', {});
export type FormalNoticeDeadlineElapsed = z.infer<typeof FormalNoticeDeadlineElapsed>;

/** The President closed the formal notice: compliance established. LIL art. 20 II. */
export const FormalNoticeClosed = event('FormalNoticeClosed', {
  reference: Reference.optional(),
});
export type FormalNoticeClosed = z.infer<typeof FormalNoticeClosed>;

/**
 * The president of the restricted committee ordered the controller, which had not answered a formal
 * notice, to produce the information requested, under a penalty of at most 100 € per day of delay
 * (injonction de produire). LIL art. 20 II (loi 2022-52 art. 33, from 26 Jan 2022); D art. 47-1.
 */
export const ProductionOrdered = event('ProductionOrdered', {
  reference: Reference.optional(),
  deadline: IsoDate,
  penaltyPerDay: Euros,
});
export type ProductionOrdered = z.infer<typeof ProductionOrdered>;

// ── Restricted committee ───────────────────────────────────────────────────────────────────────

/** The President designated a rapporteur and referred the case to the restricted committee. LIL art. 20 III, 22, 22-1; D art. 39. */
export const ReferredToRestrictedCommittee = event('ReferredToRestrictedCommittee', {
  procedure: Procedure,
  rapporteur: Text,
});
export type ReferredToRestrictedCommittee = z.infer<typeof ReferredToRestrictedCommittee>;

/** The rapporteur's report was notified; the controller may answer until `responseDeadline`. D art. 40. */
export const SanctionReportNotified = event('SanctionReportNotified', {
  responseDeadline: IsoDate,
});
export type SanctionReportNotified = z.infer<typeof SanctionReportNotified>;

/**
 * The person prosecuted was told of their right to remain silent before the restricted committee.
 * Cons. const. 8 Aug 2025 n° 2025-1154 QPC (LIL art. 22).
 */
export const RightToRemainSilentNotified = event('RightToRemainSilentNotified', {});
export type RightToRemainSilentNotified = z.infer<typeof RightToRemainSilentNotified>;

/** Written observations were filed. D art. 40. */
export const ObservationsSubmitted = event('ObservationsSubmitted', {
  by: z.enum(['controller', 'rapporteur']),
});
export type ObservationsSubmitted = z.infer<typeof ObservationsSubmitted>;

/**
 * The restricted committee held its session (oral observations). LIL art. 22; D art. 41.
 * Schema version 2 adds `convenedOn` (machines/versions.ts).
 */
export const HearingHeld = event('HearingHeld', {
  closedSession: z.boolean().optional(),
  /**
   * The day the controller was informed of the session's date (its convocation), when known:
   * D art. 41 requires that information to reach it a minimum time before the session.
   */
  convenedOn: IsoDate.optional(),
});
export type HearingHeld = z.infer<typeof HearingHeld>;

/** The simplified route was abandoned; the case continues in the ordinary procedure. LIL art. 22-1. */
export const ReferredToOrdinaryProcedure = event('ReferredToOrdinaryProcedure', {
  rapporteur: Text,
});
export type ReferredToOrdinaryProcedure = z.infer<typeof ReferredToOrdinaryProcedure>;

/**
 * One order of an injunction, with the GDPR articles it remedies (what a case officer checks
 * compliance against); `breaches` is empty when unknown (orders recorded before schema version 2).
 */
export const InjunctionOrder = z.strictObject(
  {
    order: Text,
    breaches: z.array(GdprArticle).max(99),
  },
  { error: "must be { order, breaches }: the order's text and the GDPR articles it remedies" },
);
export type InjunctionOrder = z.infer<typeof InjunctionOrder>;

/**
 * The injunction of a sanction, with its penalty payment (astreinte) per day of delay. LIL art. 20 III.
 * Schema version 2 of SanctionImposed: `orders` were plain strings in version 1 (machines/versions.ts).
 */
export const Injunction = z.strictObject({
  orders: z.array(InjunctionOrder).min(1, { message: 'must list at least one order' }).max(20),
  /** Last day to comply; the penalty accrues from the next day. */
  deadline: IsoDate,
  penaltyPerDay: Euros,
});
export type Injunction = z.infer<typeof Injunction>;

/** The restricted committee imposed a sanction. LIL art. 20 III, 22; GDPR art. 58(2), 83. */
export const SanctionImposed = event('SanctionImposed', {
  deliberation: Reference,
  breaches: z.array(GdprArticle).min(1, { message: 'must name at least one breach' }).max(99),
  fine: Euros,
  measures: z.array(Measure).max(9),
  injunction: Injunction.optional(),
  public: z.boolean(),
});
export type SanctionImposed = z.infer<typeof SanctionImposed>;

/** The restricted committee decided no measure. LIL art. 22. */
export const ProceedingsDismissed = event('ProceedingsDismissed', {
  deliberation: Reference.optional(),
});
export type ProceedingsDismissed = z.infer<typeof ProceedingsDismissed>;

// ── Injunction and penalty ─────────────────────────────────────────────────────────────────────

/** The injunction's deadline passed without proof of compliance; `on` is the first day of delay. */
export const InjunctionDeadlineElapsed = event('InjunctionDeadlineElapsed', {});
export type InjunctionDeadlineElapsed = z.infer<typeof InjunctionDeadlineElapsed>;

/** The restricted committee notified the grounds and proposed amount of a liquidation. D art. 44. */
export const PenaltyLiquidationNotified = event('PenaltyLiquidationNotified', {
  proposedAmount: Euros,
  periodFrom: IsoDate,
  /** Exclusive. */
  periodTo: IsoDate,
});
export type PenaltyLiquidationNotified = z.infer<typeof PenaltyLiquidationNotified>;

/** The restricted committee liquidated the penalty for [periodFrom, periodTo). LIL art. 20 III; D art. 44. */
export const PenaltyLiquidated = event('PenaltyLiquidated', {
  deliberation: Reference,
  amount: Euros,
  periodFrom: IsoDate,
  /** Exclusive. */
  periodTo: IsoDate,
  public: z.boolean(),
});
export type PenaltyLiquidated = z.infer<typeof PenaltyLiquidated>;

/** The controller proved compliance with the injunction; the penalty stops accruing. D art. 44. */
export const InjunctionComplied = event('InjunctionComplied', {});
export type InjunctionComplied = z.infer<typeof InjunctionComplied>;

// ── Notification ───────────────────────────────────────────────────────────────────────────────

/**
 * A decision of the case (formal notice, sanction, liquidation) was notified to the controller:
 * `on` is the day it reached it. The time limit for appeal runs from it (CJA R421-1), as does a
 * period the decision gives "from notification" (D art. 38, 44).
 */
export const DecisionNotified = event('DecisionNotified', {
  reference: Reference,
});
export type DecisionNotified = z.infer<typeof DecisionNotified>;

// ── Appeal, anonymisation, closure ─────────────────────────────────────────────────────────────

/** An appeal was lodged before the Conseil d'État against a decision of the case (not suspensive). LIL art. 21; CJA R421-1. */
export const AppealLodged = event('AppealLodged', {
  decision: Reference,
  court: z.literal('conseil-etat'),
});
export type AppealLodged = z.infer<typeof AppealLodged>;

/** The Conseil d'État decided the appeal. `fine` is the reformed amount when the outcome is `reformed`. */
export const AppealDecided = event('AppealDecided', {
  decision: Reference,
  ruling: Reference.optional(),
  outcome: z.enum(['rejected', 'annulled', 'reformed']),
  fine: Euros.optional(),
});
export type AppealDecided = z.infer<typeof AppealDecided>;

/** The controller's name was removed from a published decision. CE 28 Sep 2016 n° 389448. */
export const PublicationAnonymised = event('PublicationAnonymised', {
  reference: Reference,
});
export type PublicationAnonymised = z.infer<typeof PublicationAnonymised>;

/**
 * The personal data of a person were erased from the case: their key was deleted, so every copy
 * of their encrypted fields is unreadable for good (crypto-shredding). GDPR art. 17; LIL art. 51.
 */
export const PersonalDataErased = event('PersonalDataErased', {
  personId: PersonId,
  /** GDPR art. 17(1): a request of the data subject, or the end of the retention period (art. 5(1)(e)). */
  ground: z.enum(['data-subject-request', 'retention-period-expired']),
});
export type PersonalDataErased = z.infer<typeof PersonalDataErased>;

/** The case was closed. */
export const CaseClosed = event('CaseClosed', {
  outcome: z.enum([
    'no-breach',
    'complaint-rejected',
    'closed-after-instruction',
    'closed-by-rapporteur',
    'sanction-executed',
  ]),
  reason: Text.optional(),
});
export type CaseClosed = z.infer<typeof CaseClosed>;

// ── The union ──────────────────────────────────────────────────────────────────────────────────

export const ProcedureEvent = z.discriminatedUnion('type', [
  CaseOpened,
  ComplaintReceived,
  InspectionOpened,
  InspectionCarriedOut,
  InspectionCompleted,
  WarningIssued,
  LegalObligationsReminderIssued,
  FormalNoticeIssued,
  FormalNoticeDeadlineExtended,
  FormalNoticePublicationDecided,
  DecisionPublished,
  FormalNoticeDeadlineElapsed,
  FormalNoticeClosed,
  ProductionOrdered,
  ReferredToRestrictedCommittee,
  SanctionReportNotified,
  RightToRemainSilentNotified,
  ObservationsSubmitted,
  HearingHeld,
  ReferredToOrdinaryProcedure,
  SanctionImposed,
  ProceedingsDismissed,
  InjunctionDeadlineElapsed,
  PenaltyLiquidationNotified,
  PenaltyLiquidated,
  InjunctionComplied,
  AppealLodged,
  AppealDecided,
  PublicationAnonymised,
  PersonalDataErased,
  CaseClosed,
  DecisionNotified,
]);
export type ProcedureEvent = z.infer<typeof ProcedureEvent>;
export type EventType = ProcedureEvent['type'];
export type EventOf<T extends EventType> = Extract<ProcedureEvent, { type: T }>;

export const EVENT_TYPES: readonly EventType[] = ProcedureEvent.options.map((o) => o.shape.type.value);

export const isEventType = (value: string): value is EventType =>
  (EVENT_TYPES as readonly string[]).includes(value);

/** The schema of one event type. */
export const schemaOf = (type: EventType) => {
  const schema = ProcedureEvent.options.find((o) => o.shape.type.value === type);
  if (!schema) throw new RangeError(`unknown event type ${type}`);
  return schema;
};

// ── Metadata ───────────────────────────────────────────────────────────────────────────────────

export const Actor = z.enum([
  'president',
  'bureau',
  'restricted-committee',
  'rapporteur',
  'controller',
  'complainant',
  'council-of-state',
  'scheduler',
]);
export type Actor = z.infer<typeof Actor>;

/** Where a fact comes from, and whether its date is stated by the source or inferred. */
export const Source = z.strictObject({
  title: Text,
  reference: Reference.optional(),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000),
  date: z.enum(['stated', 'inferred']),
  note: z.string().max(2000).optional(),
});
export type Source = z.infer<typeof Source>;

export const EventMetadata = z.strictObject({
  source: Source.optional(),
  actor: Actor,
  recordedAt: z.iso.datetime({ offset: true }),
  correlationId: z.string().min(1).max(100),
  causationId: z.string().min(1).max(100).optional(),
  schemaVersion: z.number().int().positive(),
  /**
   * The event's link in its case's hash chain (src/integrity/chain.ts): the hash of the previous
   * event and of this one. Absent on events recorded before the chain existed.
   */
  integrity: z
    .strictObject({
      alg: z.literal('sha256'),
      prev: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .nullable(),
      hash: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
});
export type EventMetadata = z.infer<typeof EventMetadata>;
