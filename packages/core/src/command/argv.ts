/**
 * `params.run` → the argv a command stage executes. The text is split into words first (quotes
 * group, nothing is expanded), then each placeholder is replaced by its value: a value is never
 * split again nor read by a shell, so a path or param holding spaces, quotes, `$()` or `;` stays
 * one argument. With `shell: true` the values are single-quoted into the text for `/bin/sh -c`.
 */
import type { Artifact, Json } from '../contract.ts';
import { SerxError } from '../errors.ts';
import { CommandErrors } from './errors.ts';

/** What placeholders expand to: `{inputs.x}`, `{outputs.y}`, `{params.z}`, `{seed}`, `{threads}`. */
export interface PlaceholderValues {
  inputs: { readonly [name: string]: Artifact | readonly Artifact[] | undefined };
  outputs: { readonly [name: string]: string };
  params: { readonly [key: string]: Json };
  seed: number;
  threads: number;
}

const PLACEHOLDER = /\{\{|\}\}|\{([^{}]*)\}/g;

/** Splits command text into words like a shell does (`'…'`, `"…"`, `\`), expanding nothing. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && /["\\$`]/.test(text[i + 1] ?? '')) word = `${word}${text[++i]}`;
      else word = `${word}${c}`;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote)
    throw new SerxError(CommandErrors.PLACEHOLDER, `params.run has an unclosed ${quote} quote: ${text}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** The value(s) of one placeholder: a list for a `many` input or a list param. */
function lookup(name: string, values: PlaceholderValues): string | string[] {
  const [kind, key, ...rest] = name.trim().split('.');
  const fail = (why: string) =>
    new SerxError(CommandErrors.PLACEHOLDER, `params.run: placeholder {${name}} ${why}`);
  if (kind === 'seed' && key === undefined) return String(values.seed);
  if (kind === 'threads' && key === undefined) return String(values.threads);
  if (key === undefined || rest.length > 0 || !['inputs', 'outputs', 'params'].includes(kind as string))
    throw fail('is not {inputs.<name>}, {outputs.<name>}, {params.<name>}, {seed} or {threads}');
  if (kind === 'outputs') {
    const dir = values.outputs[key];
    if (dir === undefined)
      throw fail(`names no output (outputs: ${Object.keys(values.outputs).join(', ') || 'none'})`);
    return dir;
  }
  if (kind === 'inputs') {
    if (!(key in values.inputs))
      throw fail(`names no input (inputs: ${Object.keys(values.inputs).join(', ') || 'none'})`);
    const wired = values.inputs[key];
    if (wired === undefined) return [];
    return Array.isArray(wired) ? wired.map((a: Artifact) => a.path) : (wired as Artifact).path;
  }
  const value = values.params[key];
  if (value === undefined) throw fail(`names no param (params: ${Object.keys(values.params).join(', ')})`);
  if (Array.isArray(value)) return value.map(scalarText);
  return scalarText(value);
}

function scalarText(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One word with its placeholders replaced: a word that is exactly one list placeholder becomes several. */
function expandWord(word: string, values: PlaceholderValues): string[] {
  const whole = /^\{([^{}]*)\}$/.exec(word);
  if (whole) {
    const value = lookup(whole[1] as string, values);
    return Array.isArray(value) ? value : [value];
  }
  return [
    word.replace(PLACEHOLDER, (match, name: string | undefined) => {
      if (name === undefined) return match[0] as string;
      const value = lookup(name, values);
      if (Array.isArray(value))
        throw new SerxError(
          CommandErrors.PLACEHOLDER,
          `params.run: {${name}} is a list; write it as a whole argument (\`… {${name}} …\`), not inside '${word}'`,
        );
      return value;
    }),
  ];
}

/** The argv of `run` (text split into words, or a list of words given as they are). */
export function commandArgv(run: string | readonly string[], values: PlaceholderValues): string[] {
  const words = typeof run === 'string' ? splitWords(run) : run;
  const argv = words.flatMap((word) => expandWord(word, values));
  if (argv.length === 0) throw new SerxError(CommandErrors.PLACEHOLDER, 'params.run is empty');
  return argv;
}

/** `'…'` quoting for /bin/sh: the value is one word and nothing in it is expanded. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The `/bin/sh -c` text of `run` with `shell: true`: placeholders become quoted words. */
export function shellCommand(run: string | readonly string[], values: PlaceholderValues): string {
  const text = typeof run === 'string' ? run : run.join(' ');
  return text.replace(PLACEHOLDER, (match, name: string | undefined) => {
    if (name === undefined) return match[0] as string;
    const value = lookup(name, values);
    return (Array.isArray(value) ? value : [value]).map(shellQuote).join(' ');
  });
}

/** Every placeholder name in `run` (for checks before anything runs). */
export function placeholders(run: string | readonly string[]): string[] {
  const text = typeof run === 'string' ? run : run.join(' ');
  return [...text.matchAll(PLACEHOLDER)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]));
}
