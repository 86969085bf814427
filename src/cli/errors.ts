/**
 * How the command line ends: exit codes, the errors commands throw for them, and the one-line text
 * or JSON document (`{"error":{…}}`) each failure prints. Light on purpose: main.ts loads it before
 * any command.
 */
import type { RuleViolated, TransitionNotAllowed } from '../../machines/decider.ts';
import type { InputIssue } from '../cases/service.ts';

/** 0 done, 1 refused by the procedure or the law, 2 invalid input, 3 the store or environment cannot be used. */
export const EXIT = { done: 0, refused: 1, invalid: 2, unavailable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad input: exit 2 with the field named. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(readonly issues: readonly InputIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
  }
}

/** What a refusal names: the rule and its article, or the state and the events it accepts. */
export type RefusalDetails =
  | Pick<RuleViolated, 'rule' | 'basis' | 'state' | 'stage'>
  | Pick<TransitionNotAllowed, 'state' | 'stage' | 'accepts'>
  | Record<string, never>;

/** Refused by the procedure or the law: exit 1. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  constructor(
    message: string,
    readonly details: RefusalDetails = {},
    /** The command already printed its JSON document (a report naming what was refused). */
    readonly reported = false,
  ) {
    super(message);
  }
}

/** The JSON document every failure prints on stdout under `--json`. */
export interface ErrorDocument {
  readonly error: {
    readonly code: 'refused' | 'invalid' | 'unavailable' | 'conflict' | 'internal';
    readonly message: string;
    /** Invalid input: the first field named (every one in `issues`). */
    readonly field?: string;
    readonly issues?: readonly InputIssue[];
    /** Refused by a rule of law: its id and article. */
    readonly rule?: string;
    readonly basis?: string;
    /** Refused by the procedure: the state the case is in and the events it accepts. */
    readonly state?: string;
    readonly accepts?: readonly string[];
    /** Store unavailable: which store (never with credentials), and what may help. */
    readonly store?: string;
    readonly hint?: string;
  };
}

/** A failure as the CLI reports it: its exit code, its text for stderr, its JSON for stdout. */
export interface Failure {
  readonly exit: ExitCode;
  readonly text: string;
  readonly document: ErrorDocument;
}

export const invalidFailure = (issues: readonly InputIssue[]): Failure => ({
  exit: EXIT.invalid,
  text: `invalid input:\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`,
  document: {
    error: {
      code: 'invalid',
      message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
      ...(issues[0] ? { field: issues[0].field } : {}),
      issues,
    },
  },
});

export const refusedFailure = (error: RefusedError): Failure => ({
  exit: EXIT.refused,
  text: `refused: ${error.message}`,
  document: { error: { code: 'refused', message: error.message, ...error.details } },
});
