/**
 * Examples shown at the end of each command's `--help`, by command path (`case show`). A test
 * checks that every command and subcommand has at least one, and that each one parses.
 */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  replay: ['cnil replay clearview', 'cnil replay clearview --as-of 2022-10-18 --json'],
  case: ['cnil case list', 'cnil case show clearview --as-of 2023-01-01'],
  'case open': [
    `cnil case open acme-sas --data '{"on":"2024-01-16","controller":{"name":"Acme SAS","country":"FR","euEstablishment":true},"origin":"complaint"}'`,
  ],
  'case record': [
    `cnil case record acme-sas ComplaintReceived --data @complaint.json`,
    `echo '{"on":"2024-03-01","method":"online","decisionRef":"2024-045C"}' | cnil case record acme-sas InspectionOpened --data -`,
  ],
  'case show': ['cnil case show clearview', 'cnil case show clearview --as-of 2022-10-18 --json'],
  'case history': [
    'cnil case history clearview',
    'cnil case history clearview --as-of 2022-01-01 --json',
    'cnil case history clearview --format csv',
  ],
  'case list': ['cnil case list', 'cnil case list --stage sanction --as-of 2024-01-01 --json'],
  'case next': ['cnil case next clearview', 'cnil case next acme-sas --json'],
  events: ['cnil events', 'cnil events FormalNoticeIssued', 'cnil events SanctionImposed --json-schema'],
  import: ['cnil import cases.jsonl', 'cnil --store sqlite:./data/test.db import cases.json --json'],
  advance: ['cnil advance --to 2024-06-30', 'cnil advance --to 2024-06-30 --json'],
  forget: ['cnil forget person-7f3a --on 2025-07-01 --ground data-subject-request'],
  verify: ['cnil verify', 'cnil verify --case acme-sas --json'],
  project: ['cnil project status', 'cnil project rebuild'],
  'project rebuild': ['cnil project rebuild', 'cnil project rebuild --batch-size 5000 --json'],
  'project run': ['cnil project run', 'cnil project run --follow'],
  'project status': ['cnil project status --json'],
  deadlines: ['cnil deadlines', 'cnil deadlines --as-of 2022-12-01 --json'],
  ledger: ['cnil ledger', 'cnil ledger --as-of 2025-01-01 --json', 'cnil ledger --format csv'],
  register: ['cnil register', 'cnil register --as-of 2024-01-01 --json'],
  simulate: [
    'cnil simulate --runs 20000 --seed 1',
    'cnil simulate --case clearview --as-of 2022-10-18 --runs 5000',
    'cnil simulate --from clearview --as-of 2022-11-01 --assume InjunctionComplied@+30 --compare none --report sim.html',
  ],
  diagram: [
    'cnil diagram --out procedure.svg',
    'cnil diagram --view sanction --lang fr --out sanction.svg',
    'cnil diagram --case clearview --out clearview.mmd',
  ],
  report: ['cnil report clearview --out clearview.html', 'cnil report acme-sas --as-of 2024-06-30 --out -'],
  serve: ['cnil serve --port 8080'],
  inspect: ['cnil inspect clearview', 'cnil inspect clearview --record inspector.json'],
  export: [
    'cnil export --format ocel-json --out cv.json',
    'cnil export --format xes --case clearview-ai --as-of 2022-12-31 --out cv.xes',
    'cnil export --format csv --out -',
  ],
};

/** The examples of a command path, or none. */
export const examplesOf = (path: string): readonly string[] => EXAMPLES[path] ?? [];
