/**
 * The public register as of a date: the decisions of the CNIL that have been published, with the
 * controller's name — or a placeholder once the publication's anonymisation date has passed or its
 * anonymisation has been recorded. A publication must state when the name disappears
 * (CE 28 Sep 2016 n° 389448); only the date the facts record is used, never a guessed one.
 */
import type { DecisionKind, ProcedureContext } from '../machines/context.ts';
import type { IsoDate } from '../machines/dates.ts';

/** Raising the version rebuilds the stored register. */
export const REGISTER = { name: 'register', version: 1 } as const;

/** What of a case's context its register entries read. */
export type RegisterContext = Pick<ProcedureContext, 'controller' | 'decisions'>;

/** What the register shows instead of an anonymised controller's name. */
export const ANONYMISED_NAME = '[anonymised]';

export interface RegisterEntry {
  readonly reference: string;
  readonly kind: DecisionKind;
  readonly caseId: string;
  /** The controller's name, or {@link ANONYMISED_NAME} once the publication is anonymised. */
  readonly company: string;
  readonly decidedOn: IsoDate;
  readonly publishedOn: IsoDate;
  /** From the publication (`DecisionPublished.anonymiseAfter`); `null` when the facts do not say. */
  readonly anonymiseAfter: IsoDate | null;
  /**
   * Why `anonymiseAfter` is null: the decision is silent or the record did not verify it (the name
   * then stays: no date is guessed; CE 28 Sep 2016 n° 389448 holds such a publication excessive).
   */
  readonly periodNotStated: 'decision-silent' | 'not-verified' | null;
  /** When a `PublicationAnonymised` fact was recorded, if it was. */
  readonly anonymisedOn: IsoDate | null;
  readonly anonymised: boolean;
}

/** The published decisions of a case whose facts up to `asOf` are folded into `context`. */
export const registerEntriesOf = (caseId: string, context: RegisterContext, asOf: IsoDate): RegisterEntry[] =>
  context.decisions.flatMap((d) => {
    if (d.publishedOn === null || d.publishedOn > asOf) return [];
    const anonymised =
      (d.anonymiseAfter !== null && asOf >= d.anonymiseAfter) ||
      (d.anonymisedOn !== null && d.anonymisedOn <= asOf);
    return [
      {
        reference: d.reference,
        kind: d.kind,
        caseId,
        company: anonymised ? ANONYMISED_NAME : (context.controller?.name ?? ANONYMISED_NAME),
        decidedOn: d.on,
        publishedOn: d.publishedOn,
        anonymiseAfter: d.anonymiseAfter,
        periodNotStated: d.periodNotStated,
        anonymisedOn: d.anonymisedOn,
        anonymised,
      },
    ];
  });

/** Orders a register by publication date, then reference. */
export const sortRegister = (entries: readonly RegisterEntry[]): RegisterEntry[] =>
  [...entries].sort(
    (a, b) =>
      a.publishedOn.localeCompare(b.publishedOn) ||
      a.reference.localeCompare(b.reference) ||
      a.caseId.localeCompare(b.caseId),
  );
