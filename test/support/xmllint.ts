/**
 * `xmllint` (Debian's libxml2-utils) validates the XML exports against their official XSDs. Where
 * it is missing, those tests skip with one line saying how to enable them; with
 * CNIL_REQUIRE_XMLLINT=1 (CI) they run, and fail, instead. CNIL_XMLLINT names another binary.
 */
import { spawnSync } from 'node:child_process';

export const XMLLINT_REQUIRED = process.env.CNIL_REQUIRE_XMLLINT === '1';
const XMLLINT = process.env.CNIL_XMLLINT ?? 'xmllint';

export const xmllintAvailable = ((): boolean => {
  const probe = spawnSync(XMLLINT, ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
})();

/** Whether the XSD tests run; when they do not, says so once on stderr. */
export const runXsdTests = (): boolean => {
  if (xmllintAvailable || XMLLINT_REQUIRED) return true;
  process.stderr.write(
    'SKIPPED: XML/XES schema validation needs xmllint — install it with `apt-get install libxml2-utils` (CI sets CNIL_REQUIRE_XMLLINT=1 to make its absence fail)\n',
  );
  return false;
};

export interface XsdResult {
  readonly valid: boolean;
  readonly output: string;
}

/** `xmllint --noout --schema <xsd> <file>`. */
export const validateXml = (xsd: string, file: string): XsdResult => {
  const run = spawnSync(XMLLINT, ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { valid: run.status === 0, output: `${run.stdout}${run.stderr}` };
};
