import { SerxError } from '@serx/core/stage';
import { AnalysisErrors } from '../errors.ts';
import { METRIC_NAMES, type MetricName } from '../stats/metric-on-index.ts';

export type ClaimOp = '>=' | '>' | '<=' | '<';

/**
 * A claim about the results, checked against its confidence interval.
 * `{ metric: ua, corpus: tess, a: ser_frozen, b: ser_scratch, op: '>=', value: 0.05 }` reads
 * "UA on tess of ser_frozen minus ser_scratch ≥ 0.05"; without `b` it is about `a` alone.
 */
export interface Claim {
  metric: MetricName;
  corpus: string;
  /** Method (spec stage id of the model). */
  a: string;
  /** Second method: the claim is about metric(a) - metric(b), paired by seed. */
  b?: string;
  op: ClaimOp;
  value: number;
  /** Original text, for the report. */
  text?: string;
}

/** JSON Schema of one claim in the report stage's params (object or string form). */
export const CLAIM_SCHEMA = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['corpus', 'a', 'op', 'value'],
      properties: {
        metric: { enum: [...METRIC_NAMES], description: 'default ua' },
        corpus: { type: 'string' },
        a: { type: 'string' },
        b: { type: 'string' },
        op: { enum: ['>=', '>', '<=', '<'] },
        value: { type: 'number' },
      },
    },
  ],
} as const;

const METRIC_WORDS: { [word: string]: MetricName } = {
  ua: 'ua',
  wa: 'wa',
  'macro-f1': 'macroF1',
  macrof1: 'macroF1',
  f1: 'macroF1',
};
const OPS: { [sym: string]: ClaimOp } = { '>=': '>=', '≥': '>=', '>': '>', '<=': '<=', '≤': '<=', '<': '<' };
const PATTERN =
  /^\s*(\S+)\s+on\s+(\S+)\s+of\s+(\S+?)(?:\s+minus\s+(\S+?))?\s*(>=|≥|<=|≤|>|<)\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*$/i;

export const CLAIM_FORM = '"<UA|WA|macro-F1> on <corpus> of <method> [minus <method>] <op> <number>[%]"';

/** Parses the string form, e.g. "UA on tess of ser_frozen minus ser_scratch >= 0.05" (or "... >= 5%"). */
export function parseClaim(text: string, where = 'claims'): Claim {
  const m = PATTERN.exec(text);
  const metric = m && METRIC_WORDS[m[1]!.toLowerCase()];
  if (!m || !metric) {
    throw new SerxError(AnalysisErrors.CLAIM_INVALID, `cannot read claim "${text}"; expected ${CLAIM_FORM}`, {
      specPath: where,
    });
  }
  const value = Number(m[6]) / (m[7] ? 100 : 1);
  return {
    metric,
    corpus: m[2]!,
    a: m[3]!,
    ...(m[4] ? { b: m[4] } : {}),
    op: OPS[m[5]!]!,
    value,
    text: text.trim(),
  };
}

export function normaliseClaim(
  input: string | (Omit<Claim, 'metric'> & { metric?: MetricName }),
  where: string,
): Claim {
  if (typeof input === 'string') return parseClaim(input, where);
  return { ...input, metric: input.metric ?? 'ua' };
}

const METRIC_TEXT: { [m in MetricName]: string } = { ua: 'UA', wa: 'WA', macroF1: 'macro-F1' };
const OP_TEXT: { [op in ClaimOp]: string } = { '>=': '≥', '>': '>', '<=': '≤', '<': '<' };

export function describeClaim(c: Claim): string {
  return `${METRIC_TEXT[c.metric]} on ${c.corpus} of ${c.a}${c.b ? ` minus ${c.b}` : ''} ${OP_TEXT[c.op]} ${c.value}`;
}
