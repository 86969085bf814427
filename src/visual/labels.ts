/**
 * Names a lawyer reads, in English or French: the stages of the procedure and the acts (events),
 * the latter from the event catalogue (machines/catalogue.ts).
 */
import { CATALOGUE } from '../../machines/catalogue.ts';
import { isEventType } from '../../machines/events.ts';
import type { Stage } from '../../machines/procedure.ts';

export type Lang = 'en' | 'fr';
export const LANGS: readonly Lang[] = ['en', 'fr'];

export const STAGE_LABELS: Readonly<Record<Stage, { en: string; fr: string }>> = {
  complaint: { en: 'Complaint', fr: 'Plainte' },
  inspection: { en: 'Inspection', fr: 'Contrôle' },
  formalNotice: { en: 'Formal notice', fr: 'Mise en demeure' },
  restrictedCommittee: { en: 'Restricted committee', fr: 'Formation restreinte' },
  sanction: { en: 'Sanction', fr: 'Sanction' },
  penaltyLiquidation: { en: 'Penalty payment', fr: 'Liquidation de l’astreinte' },
  closed: { en: 'Closed', fr: 'Clôture' },
};

/** An act's name in a language ('Formal notice served', 'Mise en demeure'); the type itself if unknown. */
export const eventLabel = (type: string, lang: Lang): string =>
  isEventType(type) ? (lang === 'fr' ? CATALOGUE[type].labelFr : CATALOGUE[type].label) : type;

/** A camelCase state name in words: 'injunctionRunning' → 'injunction running'. */
export const words = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
