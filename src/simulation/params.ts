/**
 * The simulation's parameters: a versioned data file (params/cnil-<year>.json), validated here.
 * Every parameter states its value(s), its source (document, year, URL), how the source's figure
 * became the parameter (`derivation`), and whether it is an assumption. Users may pass their own
 * file (`simulate --params file.json`); an invalid file is refused naming the field.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { IsoDate } from '../../machines/dates.ts';

const Meta = {
  source: z.strictObject({
    document: z.string().min(1),
    year: z.number().int().min(1978).max(2100),
    url: z.url({ protocol: /^https?$/ }).optional(),
  }),
  derivation: z.string().min(1, { message: 'must say how the figure became the parameter' }),
  assumption: z.boolean(),
};

const Probability = z.strictObject({
  probability: z
    .number()
    .min(0, { message: 'must be between 0 and 1' })
    .max(1, { message: 'must be between 0 and 1' }),
  ...Meta,
});

const branches = <const K extends readonly [string, ...string[]]>(keys: K) =>
  z.strictObject({
    branches: z
      .strictObject(
        Object.fromEntries(keys.map((k) => [k, z.number().min(0).max(1)])) as Record<K[number], z.ZodNumber>,
      )
      .refine(
        (b) => Math.abs(Object.values(b as Record<string, number>).reduce((s, x) => s + x, 0) - 1) <= 1e-3,
        {
          message: 'branch probabilities must sum to 1',
        },
      ),
    ...Meta,
  });

/** A distribution of a non-negative quantity (days, euros or a share). */
export const Distribution = z.discriminatedUnion('distribution', [
  z
    .strictObject({
      distribution: z.literal('lognormal'),
      median: z.number().positive(),
      p90: z.number().positive(),
      min: z.number().nonnegative().optional(),
      max: z.number().positive().optional(),
      ...Meta,
    })
    .refine((d) => d.p90 >= d.median, { message: 'p90 must not be below the median', path: ['p90'] }),
  z
    .strictObject({
      distribution: z.literal('uniform'),
      min: z.number().nonnegative(),
      max: z.number().nonnegative(),
      ...Meta,
    })
    .refine((d) => d.max >= d.min, { message: 'max must not be below min', path: ['max'] }),
  z.strictObject({ distribution: z.literal('fixed'), value: z.number().nonnegative(), ...Meta }),
]);
export type Distribution = z.infer<typeof Distribution>;

export const PARAMETERS = {
  'complaint.outcome': branches(['closed', 'inspection', 'formalNotice', 'referral']),
  'complaint.fastTrack': Probability,
  'complaint.fastTrackDays': Distribution,
  'complaint.instructionDays': Distribution,
  'complaint.toInspectionDays': Distribution,
  'complaint.toFormalNoticeDays': Distribution,
  'complaint.toReferralDays': Distribution,
  'inspection.method': branches(['on-site', 'online', 'documentary', 'hearing']),
  'inspection.carriedOutDays': Distribution,
  'inspection.findingsDays': Distribution,
  'findings.outcome': branches(['closed', 'reminder', 'warning', 'formalNotice', 'referral']),
  'findings.decisionDays': Distribution,
  'formalNotice.deadlineDays': Distribution,
  'formalNotice.extension': Probability,
  'formalNotice.extensionDays': Distribution,
  'formalNotice.public': Probability,
  'formalNotice.publicationDecidedDays': Distribution,
  'formalNotice.publishedDays': Distribution,
  'formalNotice.complianceInTime': Probability,
  'formalNotice.complianceInTimeNoEuEstablishment': Probability,
  'formalNotice.afterDeadline': branches(['lateClosure', 'referral']),
  'formalNotice.afterDeadlineNoEuEstablishment': branches(['lateClosure', 'referral']),
  'formalNotice.lateClosureDays': Distribution,
  'formalNotice.referralDays': Distribution,
  'referral.simplified': Probability,
  'referral.simplifiedAfterPublicFormalNotice': Probability,
  'referral.switchToOrdinary': Probability,
  'referral.switchDays': Distribution,
  'referral.closedByRapporteur': Probability,
  'referral.closedByRapporteurDays': Distribution,
  'referral.reportDays': Distribution,
  'exchanges.observationsSubmitted': Probability,
  'ordinary.hearingDays': Distribution,
  'ordinary.deliberationDays': Distribution,
  'simplified.hearingRequested': Probability,
  'simplified.decisionDays': Distribution,
  'decision.dismissal': Probability,
  'sanction.fine': Probability,
  'sanction.fineOrdinary': Distribution,
  'sanction.fineSimplified': Distribution,
  'sanction.injunction': Probability,
  'sanction.publicOrdinary': Probability,
  'sanction.publishedDays': Distribution,
  'sanction.closureDays': Distribution,
  'injunction.deadlineDays': Distribution,
  'injunction.penaltyPerDayOrdinary': Distribution,
  'injunction.penaltyPerDaySimplified': Distribution,
  'injunction.complianceInTime': Probability,
  'injunction.complianceInTimeNoEuEstablishment': Probability,
  'injunction.neverComplies': Probability,
  'injunction.neverCompliesNoEuEstablishment': Probability,
  'injunction.lateComplianceDays': Distribution,
  'liquidation.first': Probability,
  'liquidation.again': Probability,
  'liquidation.noticeDays': Distribution,
  'liquidation.decisionDays': Distribution,
  'liquidation.shareOfMaximum': Distribution,
  'liquidation.public': Probability,
  'appeal.ordinary': Probability,
  'appeal.simplified': Probability,
  'appeal.lodgedDays': Distribution,
  'appeal.decisionDays': Distribution,
  'appeal.outcome': branches(['rejected', 'reformed', 'annulled']),
  'appeal.reformedShare': Distribution,
} as const;

export const SimulationParams = z.strictObject({
  version: z.number().int().positive(),
  calibratedFrom: z.string().min(1),
  description: z.string().optional(),
  run: z.strictObject({
    /** Date of the fresh complaint when no --start is given. */
    startDate: IsoDate,
    /** The simulation of a case stops this many days after its start (cases still open are `open`). */
    horizonDays: z.number().int().positive().max(36_500),
    /** At most this many liquidations of a penalty per case. */
    maxLiquidations: z.number().int().nonnegative().max(50),
    /** The controller of a fresh case. */
    controller: z.strictObject({
      country: z.string().regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 code' }),
      euEstablishment: z.boolean(),
      worldwideTurnover: z.number().int().nonnegative().optional(),
    }),
  }),
  parameters: z.strictObject(PARAMETERS),
});
export type SimulationParams = z.infer<typeof SimulationParams>;
export type ParameterName = keyof typeof PARAMETERS;

/** The default parameter file. */
export const DEFAULT_PARAMS_FILE = new URL('./params/cnil-2024.json', import.meta.url);

/** A parameter file that cannot be used: `field` names the offending field. */
export class ParamsError extends Error {
  override readonly name = 'ParamsError';
  constructor(
    readonly file: string,
    readonly issues: readonly { readonly field: string; readonly message: string }[],
    options?: ErrorOptions,
  ) {
    super(`parameter file ${file}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, options);
  }
}

const fieldOf = (path: readonly PropertyKey[]): string =>
  path
    .map((p, i) =>
      typeof p === 'number'
        ? `[${p}]`
        : String(p).includes('.')
          ? `["${String(p)}"]`
          : i === 0
            ? String(p)
            : `.${String(p)}`,
    )
    .join('');

/** Validates parsed JSON as simulation parameters. */
export const parseParams = (json: unknown, file: string): SimulationParams => {
  const parsed = SimulationParams.safeParse(json);
  if (!parsed.success)
    throw new ParamsError(
      file,
      parsed.error.issues.map((i) => ({ field: fieldOf(i.path) || '(file)', message: i.message })),
      { cause: parsed.error },
    );
  return parsed.data;
};

/** Reads and validates a parameter file (the default one when no path is given). */
export const loadParams = async (path?: string): Promise<SimulationParams> => {
  const file = path ?? DEFAULT_PARAMS_FILE.pathname;
  let text: string;
  try {
    text = await readFile(path ?? DEFAULT_PARAMS_FILE, 'utf8');
  } catch (error) {
    throw new ParamsError(
      file,
      [{ field: '--params', message: `cannot read ${file} (${(error as Error).message})` }],
      {
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ParamsError(
      file,
      [{ field: '(file)', message: `is not valid JSON (${(error as Error).message})` }],
      {
        cause: error,
      },
    );
  }
  return parseParams(json, file);
};
