/**
 * What each event means to a reader: its label (English and French), who acts, and its legal
 * basis. Used by the statechart's transition `meta`, the timeline and the README's catalogue.
 */
import type { Actor, EventType } from './events.ts';

export interface EventDescription {
  readonly label: string;
  readonly labelFr: string;
  readonly actor: Actor;
  readonly basis: string;
}

export const CATALOGUE: Readonly<Record<EventType, EventDescription>> = {
  CaseOpened: {
    label: 'Case opened',
    labelFr: 'Ouverture du dossier',
    actor: 'president',
    basis: 'GDPR art. 57(1)(f); LIL art. 8',
  },
  ComplaintReceived: {
    label: 'Complaint received',
    labelFr: 'Plainte reçue',
    actor: 'complainant',
    basis: 'GDPR art. 77, 80; LIL art. 8; D art. 10',
  },
  InspectionOpened: {
    label: 'Inspection decided',
    labelFr: 'Décision de contrôle',
    actor: 'president',
    basis: 'LIL art. 19; GDPR art. 58(1)',
  },
  InspectionCarriedOut: {
    label: 'Inspection carried out',
    labelFr: 'Contrôle réalisé',
    actor: 'president',
    basis: 'LIL art. 19',
  },
  InspectionCompleted: {
    label: 'Inspection findings established',
    labelFr: 'Constatations du contrôle',
    actor: 'president',
    basis: 'LIL art. 19',
  },
  WarningIssued: {
    label: 'Warning issued',
    labelFr: 'Avertissement',
    actor: 'president',
    basis: 'GDPR art. 58(2)(a); LIL art. 20 I',
  },
  LegalObligationsReminderIssued: {
    label: 'Reminder of legal obligations',
    labelFr: 'Rappel aux obligations légales',
    actor: 'president',
    basis: 'LIL art. 20 I; GDPR art. 58(2)(b)',
  },
  FormalNoticeIssued: {
    label: 'Formal notice served',
    labelFr: 'Mise en demeure',
    actor: 'president',
    basis: 'LIL art. 20 II; D art. 38; GDPR art. 58(2)(c)-(g)',
  },
  FormalNoticeDeadlineExtended: {
    label: 'Formal notice deadline extended',
    labelFr: 'Prorogation du délai de mise en demeure',
    actor: 'president',
    basis: 'D art. 38',
  },
  FormalNoticePublicationDecided: {
    label: 'Bureau decides to publish the formal notice',
    labelFr: 'Décision du bureau de rendre publique la mise en demeure',
    actor: 'bureau',
    basis: 'LIL art. 20 II',
  },
  DecisionPublished: {
    label: 'Decision published',
    labelFr: 'Publication de la décision',
    actor: 'president',
    basis: 'LIL art. 20 II, 22',
  },
  FormalNoticeDeadlineElapsed: {
    label: 'Formal notice deadline elapsed',
    labelFr: 'Expiration du délai de mise en demeure',
    actor: 'scheduler',
    basis: 'LIL art. 20 II; D art. 38',
  },
  FormalNoticeClosed: {
    label: 'Formal notice closed (compliance)',
    labelFr: 'Clôture de la mise en demeure',
    actor: 'president',
    basis: 'LIL art. 20 II',
  },
  ProductionOrdered: {
    label: 'Order to produce the information (injonction de produire)',
    labelFr: 'Injonction de produire',
    actor: 'restricted-committee',
    basis: 'LIL art. 20 II (loi 2022-52); D art. 47-1',
  },
  RightToRemainSilentNotified: {
    label: 'Right to remain silent notified',
    labelFr: 'Notification du droit de se taire',
    actor: 'rapporteur',
    basis: 'Cons. const. 8 Aug 2025 n° 2025-1154 QPC; LIL art. 22',
  },
  ReferredToRestrictedCommittee: {
    label: 'Referred to the restricted committee',
    labelFr: 'Saisine de la formation restreinte',
    actor: 'president',
    basis: 'LIL art. 20 III, 22, 22-1; D art. 39',
  },
  SanctionReportNotified: {
    label: "Rapporteur's report notified",
    labelFr: 'Notification du rapport',
    actor: 'rapporteur',
    basis: 'LIL art. 22; D art. 40',
  },
  ObservationsSubmitted: {
    label: 'Written observations',
    labelFr: 'Observations écrites',
    actor: 'controller',
    basis: 'D art. 40',
  },
  HearingHeld: {
    label: 'Restricted committee session',
    labelFr: 'Séance de la formation restreinte',
    actor: 'restricted-committee',
    basis: 'LIL art. 22; D art. 41',
  },
  ReferredToOrdinaryProcedure: {
    label: 'Switched to the ordinary procedure',
    labelFr: 'Renvoi à la procédure ordinaire',
    actor: 'restricted-committee',
    basis: 'LIL art. 22-1',
  },
  SanctionImposed: {
    label: 'Sanction imposed',
    labelFr: 'Sanction prononcée',
    actor: 'restricted-committee',
    basis: 'LIL art. 20 III, 22; GDPR art. 58(2), 83',
  },
  ProceedingsDismissed: {
    label: 'Proceedings dismissed',
    labelFr: 'Non-lieu',
    actor: 'restricted-committee',
    basis: 'LIL art. 22',
  },
  InjunctionDeadlineElapsed: {
    label: 'Injunction deadline elapsed (penalty runs)',
    labelFr: "Expiration du délai de l'injonction (l'astreinte court)",
    actor: 'scheduler',
    basis: 'LIL art. 20 III; D art. 44',
  },
  PenaltyLiquidationNotified: {
    label: 'Liquidation of the penalty notified',
    labelFr: "Notification de la liquidation de l'astreinte",
    actor: 'restricted-committee',
    basis: 'D art. 44',
  },
  PenaltyLiquidated: {
    label: 'Penalty liquidated',
    labelFr: "Liquidation de l'astreinte",
    actor: 'restricted-committee',
    basis: 'LIL art. 20 III; D art. 44',
  },
  InjunctionComplied: {
    label: 'Injunction complied with',
    labelFr: "Exécution de l'injonction",
    actor: 'controller',
    basis: 'D art. 44',
  },
  AppealLodged: {
    label: "Appeal to the Conseil d'État",
    labelFr: "Recours devant le Conseil d'État",
    actor: 'controller',
    basis: 'LIL art. 21; CJA art. R421-1',
  },
  AppealDecided: {
    label: "Conseil d'État ruling",
    labelFr: "Décision du Conseil d'État",
    actor: 'council-of-state',
    basis: 'LIL art. 21',
  },
  PublicationAnonymised: {
    label: 'Publication anonymised',
    labelFr: 'Anonymisation de la publication',
    actor: 'president',
    basis: 'CE 28 Sep 2016 n° 389448',
  },
  PersonalDataErased: {
    label: 'Personal data erased',
    labelFr: 'Effacement des données personnelles',
    actor: 'president',
    basis: 'GDPR art. 17; LIL art. 51',
  },
  DecisionNotified: {
    label: 'Decision notified',
    labelFr: 'Notification de la décision',
    actor: 'president',
    basis: 'CJA art. R421-1; D art. 38, 44',
  },
  CaseClosed: {
    label: 'Case closed',
    labelFr: 'Clôture du dossier',
    actor: 'president',
    basis: 'LIL art. 8, 20',
  },
};
