import { FEATURE_NAMES } from "./features.js";

/** The three labels of claim verification, in the order of the model's outputs. */
export const LABELS = ["supported", "contradicted", "not-enough-info"] as const;
export type Label = (typeof LABELS)[number];

/** What `npm run train:judge` writes (src/ground/judge/weights.json) and the judge reads. */
export interface JudgeWeights {
  /** Where the weights came from: data sets and their licences, date, command. */
  provenance: string;
  features: string[];
  mean: number[];
  std: number[];
  /** One row per label: a bias, then a weight per feature (standardised). */
  weights: number[][];
  /** Inverse document frequency of content stems; unseen stems get `defaultIdf`. */
  idf: Record<string, number>;
  defaultIdf: number;
}

export type Probabilities = Record<Label, number>;

/** Multinomial logistic regression over standardised features. */
export function predict(weights: JudgeWeights, values: number[]): Probabilities {
  const logits = weights.weights.map((row) =>
    row.reduce((sum, w, i) => sum + w * (i === 0 ? 1 : (values[i - 1]! - weights.mean[i - 1]!) / weights.std[i - 1]!), 0),
  );
  const max = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return Object.fromEntries(LABELS.map((label, i) => [label, exps[i]! / sum])) as Probabilities;
}

/** Fits the regression by full-batch gradient descent with L2; deterministic (zero start). */
export function fitRegression(rows: { values: number[]; label: Label; weight?: number }[], options: { epochs?: number; rate?: number; l2?: number } = {}) {
  const dims = FEATURE_NAMES.length;
  const mean = Array.from({ length: dims }, (_, i) => rows.reduce((s, r) => s + r.values[i]!, 0) / rows.length);
  const std = Array.from({ length: dims }, (_, i) => Math.sqrt(rows.reduce((s, r) => s + (r.values[i]! - mean[i]!) ** 2, 0) / rows.length) || 1);
  const x = rows.map((row) => [1, ...row.values.map((v, i) => (v - mean[i]!) / std[i]!)]);
  const weights = LABELS.map(() => new Array<number>(dims + 1).fill(0));
  const { epochs = 800, rate = 0.5, l2 = 1e-3 } = options;
  const totalWeight = rows.reduce((s, r) => s + (r.weight ?? 1), 0);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gradient = LABELS.map(() => new Array<number>(dims + 1).fill(0));
    rows.forEach((row, n) => {
      const logits = weights.map((w) => w.reduce((s, wi, i) => s + wi * x[n]![i]!, 0));
      const max = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      const target = LABELS.indexOf(row.label);
      const rowWeight = (row.weight ?? 1) / totalWeight;
      for (let k = 0; k < LABELS.length; k++) {
        const error = (exps[k]! / sum - (k === target ? 1 : 0)) * rowWeight;
        for (let i = 0; i <= dims; i++) gradient[k]![i]! += error * x[n]![i]!;
      }
    });
    for (let k = 0; k < LABELS.length; k++) for (let i = 0; i <= dims; i++) weights[k]![i]! -= rate * (gradient[k]![i]! + (i ? l2 * weights[k]![i]! : 0));
  }
  return { mean, std, weights };
}
