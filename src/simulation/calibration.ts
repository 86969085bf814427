/**
 * The CNIL annual figures the simulation is calibrated from (docs/simulation.md, Calibration data,
 * each with its source), and the arithmetic that turns them into parameters. The parameter file
 * (params/cnil-2024.json) states the result and the derivation in words; the tests check that the
 * file and this arithmetic agree, so a changed figure cannot silently leave a stale parameter.
 *
 * Counts are annual flows of different events (a sanction in year N usually stems from a control
 * in an earlier year): ratios of them are approximations of conversion rates, not measured rates.
 */

export interface Figure {
  readonly value: number;
  readonly year: number;
  readonly what: string;
  readonly url: string;
}

const figure = (value: number, year: number, what: string, url: string): Figure => ({
  value,
  year,
  what,
  url,
});

const CNIL_2021 =
  'https://www.usine-digitale.fr/editorial/en-2021-la-cnil-a-recu-14-143-plaintes-portant-principalement-sur-internet.N2003727';
const CNIL_2021_CLOSED =
  'https://alliancemozaik.com/actualites/2021-une-annee-record-pour-laction-repressive-de-la-cnil';
const CNIL_2022 =
  'https://cnil.fr/fr/sanctions-et-mesures-correctrices-la-cnil-presente-le-bilan-2022-de-son-action-repressive';
const CNIL_2022_CONTROLS = 'https://derriennic.com/le-rapport-dactivite-2022-de-la-cnil/';
const CNIL_2023 =
  'https://www.globalsecuritymag.fr/sanctions-et-mesures-correctrices-la-cnil-presente-le-bilan-2023-de-son-action.html';
const CNIL_2023_ACTIVITY = 'https://vigier-avocats.com/cnil-rapport-dactivites-2023';
const CNIL_2024 =
  'https://www.globalsecuritymag.fr/sanctions-et-mesures-correctrices-bilan-2024-de-l-action-de-la-cnil-05-fevrier.html';
const CNIL_2025 = 'https://www.cnil.fr/fr/bilan-sanctions-2025';
const CNIL_2020 = 'https://information.tv5monde.com/info/en-2020-la-cnil-plus-sanctionne-409147';
const CNIL_2019_MED =
  'https://derriennic.com/rapport-dactivite-2019-de-la-cnil-focus-sur-les-mises-en-demeure-et-sanctions/';

/** The figures used, as listed with their sources in docs/simulation.md (Calibration data). */
export const FIGURES = {
  complaints2023: figure(16_433, 2023, 'complaints received', CNIL_2023_ACTIVITY),
  controls2023: figure(340, 2023, 'controls', CNIL_2023),
  controlsFromComplaintsShare2023: figure(
    0.57,
    2023,
    'share of controls from complaints/reports',
    CNIL_2023_ACTIVITY,
  ),
  formalNotices2023: figure(168, 2023, 'formal notices', CNIL_2023),
  formalNoticesFromComplaintInstructionShare2019: figure(
    0.52,
    2019,
    'share of formal notices stemming from complaint instruction',
    CNIL_2019_MED,
  ),
  reminders2023: figure(33, 2023, 'reminders of legal obligations', CNIL_2023_ACTIVITY),
  warnings2025: figure(2, 2025, 'warnings (avertissements)', CNIL_2025),
  controls2024: figure(321, 2024, 'controls', CNIL_2024),
  sanctions2023: figure(42, 2023, 'sanctions (18 ordinary, 24 simplified)', CNIL_2023),
  ordinarySanctions2023: figure(18, 2023, 'ordinary-procedure sanctions', CNIL_2023),
  simplifiedSanctions2023: figure(24, 2023, 'simplified-procedure sanctions', CNIL_2023),
  fines2023: figure(36, 2023, 'fines', CNIL_2023),
  injunctionsWithPenalty2023: figure(14, 2023, 'fines with a penalty payment (astreinte)', CNIL_2023),
  finesTotal2023: figure(89_179_500, 2023, 'fines total (€)', CNIL_2023),
  simplifiedFinesTotal2023: figure(229_500, 2023, 'fines total in the simplified procedure (€)', CNIL_2023),
  fastTrackComplaints2021: figure(5_848, 2021, 'complaints answered by the fast track', CNIL_2021),
  complaints2021: figure(14_143, 2021, 'complaints received', CNIL_2021),
  fastTrackDays2021: figure(10, 2021, 'average days of a fast-track answer', CNIL_2021),
  formalNotices2021: figure(135, 2021, 'formal notices', CNIL_2021),
  closedAfterCompliance2021: figure(123, 2021, 'files closed after compliance', CNIL_2021_CLOSED),
  formalNotices2022: figure(147, 2022, 'formal notices', CNIL_2022),
  publicFormalNotices2022: figure(22, 2022, 'public formal notices', CNIL_2022_CONTROLS),
  controls2022: figure(
    345,
    2022,
    'controls (143 on-site, 128 online, 43 documentary, 31 hearings)',
    CNIL_2022,
  ),
  onSite2022: figure(143, 2022, 'on-site controls', CNIL_2022),
  online2022: figure(128, 2022, 'online controls', CNIL_2022),
  documentary2022: figure(43, 2022, 'documentary controls', CNIL_2022),
  hearings2022: figure(31, 2022, 'controls by hearing', CNIL_2022),
  sanctions2024: figure(87, 2024, 'sanctions (18 ordinary, 69 simplified)', CNIL_2024),
  simplifiedSanctions2024: figure(69, 2024, 'simplified-procedure sanctions', CNIL_2024),
  sanctions2020: figure(14, 2020, 'sanctions', CNIL_2020),
  dismissals2020: figure(1, 2020, 'non-lieu (proceedings dismissed)', CNIL_2020),
  publicSanctions2022to2024: figure(13 + 14 + 12, 2024, 'public sanctions 2022–2024 (13, 14, 12)', CNIL_2024),
  ordinarySanctions2022to2024: figure(
    17 + 18 + 18,
    2024,
    'ordinary sanctions 2022–2024 (17, 18, 18)',
    CNIL_2024,
  ),
  liquidations2022to2025: figure(
    2 + 2 + 8 + 3,
    2025,
    'penalty liquidations 2022–2025 (2, 2, 8, 3)',
    CNIL_2025,
  ),
  injunctionsWithPenalty2022to2025: figure(
    7 + 14 + 14 + 27,
    2025,
    'fines with a penalty payment 2022–2025 (7, 14, 14, 27)',
    CNIL_2025,
  ),
} as const;

/** The assumptions the derivations combine with the figures (also stated in the parameter file). */
export const ASSUMED = {
  /** Share of sanctions that follow a direct referral after a control, without a formal notice. */
  directReferralShareOfSanctions: 0.5,
  /** Share of formal notices complied with within the deadline (EU-established controller). */
  formalNoticeComplianceInTime: 0.75,
  /** Median ordinary-procedure fine (€); the mean comes from the figures. */
  ordinaryFineMedian: 300_000,
  /** Median simplified-procedure fine (€); the mean comes from the figures. */
  simplifiedFineMedian: 5_000,
  /** Share of direct referrals from complaint instruction (no figure published). */
  complaintDirectReferral: 0.001,
} as const;

const v = (f: Figure): number => f.value;
const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

/** z such that P(Z ≤ z) = 0.9 for a standard normal Z. */
export const Z90 = 1.2815515655446004;

/** The p90 of a lognormal given its median and mean: σ = √(2 ln(mean/median)). */
export const lognormalP90FromMean = (median: number, mean: number): number =>
  median * Math.exp(Z90 * Math.sqrt(2 * Math.log(mean / median)));

/** The parameters that follow from the figures (with the assumptions named in ASSUMED). */
export const calibrate = () => {
  const F = FIGURES;
  const inspection = (v(F.controls2023) * v(F.controlsFromComplaintsShare2023)) / v(F.complaints2023);
  const formalNotice =
    (v(F.formalNotices2023) * v(F.formalNoticesFromComplaintInstructionShare2019)) / v(F.complaints2023);
  const referral = ASSUMED.complaintDirectReferral;
  const dismissal = v(F.dismissals2020) / (v(F.sanctions2020) + v(F.dismissals2020));
  const findingsFormalNotice =
    (v(F.formalNotices2023) * (1 - v(F.formalNoticesFromComplaintInstructionShare2019))) / v(F.controls2023);
  const findingsReminder = v(F.reminders2023) / v(F.controls2023);
  const findingsWarning = v(F.warnings2025) / v(F.controls2024);
  const findingsReferral =
    (v(F.sanctions2023) * ASSUMED.directReferralShareOfSanctions) / (1 - dismissal) / v(F.controls2023);
  const compliedShare = v(F.closedAfterCompliance2021) / v(F.formalNotices2021);
  const lateClosure =
    (compliedShare - ASSUMED.formalNoticeComplianceInTime) / (1 - ASSUMED.formalNoticeComplianceInTime);
  const ordinaryFineMean = (v(F.finesTotal2023) - v(F.simplifiedFinesTotal2023)) / v(F.ordinarySanctions2023);
  const simplifiedFineMean = v(F.simplifiedFinesTotal2023) / v(F.simplifiedSanctions2023);
  const controls = v(F.controls2022);
  return {
    'complaint.outcome': {
      inspection: round(inspection),
      formalNotice: round(formalNotice),
      referral,
      closed: round(1 - round(inspection) - round(formalNotice) - referral),
    },
    'complaint.fastTrack': round(v(F.fastTrackComplaints2021) / v(F.complaints2021)),
    'complaint.fastTrackDays.median': v(F.fastTrackDays2021),
    'inspection.method': {
      'on-site': round(v(F.onSite2022) / controls),
      online: round(v(F.online2022) / controls),
      documentary: round(v(F.documentary2022) / controls),
      hearing: round(
        1 -
          round(v(F.onSite2022) / controls) -
          round(v(F.online2022) / controls) -
          round(v(F.documentary2022) / controls),
      ),
    },
    'findings.outcome': {
      formalNotice: round(findingsFormalNotice),
      reminder: round(findingsReminder),
      warning: round(findingsWarning),
      referral: round(findingsReferral),
      closed: round(
        1 -
          round(findingsFormalNotice) -
          round(findingsReminder) -
          round(findingsWarning) -
          round(findingsReferral),
      ),
    },
    'formalNotice.public': round(v(F.publicFormalNotices2022) / v(F.formalNotices2022)),
    'formalNotice.complianceInTime': ASSUMED.formalNoticeComplianceInTime,
    'formalNotice.afterDeadline': {
      lateClosure: round(lateClosure),
      referral: round(1 - round(lateClosure)),
    },
    'referral.simplified': round(v(F.simplifiedSanctions2024) / v(F.sanctions2024)),
    'decision.dismissal': round(dismissal),
    'sanction.fine': round(v(F.fines2023) / v(F.sanctions2023)),
    'sanction.injunction': round(v(F.injunctionsWithPenalty2023) / v(F.sanctions2023)),
    'sanction.publicOrdinary': round(v(F.publicSanctions2022to2024) / v(F.ordinarySanctions2022to2024)),
    'sanction.fineOrdinary': {
      median: ASSUMED.ordinaryFineMedian,
      p90: Math.round(lognormalP90FromMean(ASSUMED.ordinaryFineMedian, ordinaryFineMean)),
    },
    'sanction.fineSimplified': {
      median: ASSUMED.simplifiedFineMedian,
      p90: Math.round(lognormalP90FromMean(ASSUMED.simplifiedFineMedian, simplifiedFineMean)),
    },
    'injunction.complianceInTime': round(
      1 - v(F.liquidations2022to2025) / v(F.injunctionsWithPenalty2022to2025),
    ),
  };
};

export type Calibration = ReturnType<typeof calibrate>;
