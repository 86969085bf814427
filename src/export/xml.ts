/** Writing XML 1.0 text safely: escaping, and no character XML 1.0 cannot hold. */

/**
 * Characters XML 1.0 does not allow (C0 controls but tab and line breaks, U+FFFE, U+FFFF, lone
 * surrogates): replaced by U+FFFD, the replacement character, so the document always parses.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- the point is to find control characters.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text content: `&`, `<`, `>` escaped. */
export const xmlText = (value: string): string =>
  value.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * An attribute value in double quotes: also `"` escaped, and tab and line breaks as character
 * references (a parser would otherwise turn them into spaces).
 */
export const xmlAttribute = (value: string): string =>
  xmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');

/** `name="value"` pairs, values escaped. */
export const attrs = (pairs: Readonly<Record<string, string>>): string =>
  Object.entries(pairs)
    .map(([name, value]) => ` ${name}="${xmlAttribute(value)}"`)
    .join('');
