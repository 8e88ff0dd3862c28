/**
 * A short, printable quote of text that may be binary (a garbage lock file, a spec that is not
 * YAML): at most `max` characters, control and non-ASCII characters escaped (`\n`, `\x00`,
 * `\ufffd`), so an error message stays one short line whatever the file holds.
 */
export function quoteBytes(text: string, max = 40): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(/[^\x20-\x7e]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return text.length > max ? `'${escaped}…' (${text.length} characters)` : `'${escaped}'`;
}
