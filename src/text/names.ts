/**
 * A word that reads as a name: capitals after the first letter, three capitals, or a capital with digits
 * ("DeltaZip", "xLSTM", "GPTQ", "RT-2"). Words typed in lower case are words, not names.
 */
export const NAME_LIKE = /\b(?:\p{Ll}*\p{Lu}\p{Ll}*\p{Lu}[\p{L}\d-]*|\p{Lu}{3,}[\p{L}\d-]*|\p{Lu}[\p{L}]*-?\d[\p{L}\d-]*)\b/gu;

// Lower-case names built around a digit ("node2vec", "word2vec", "seq2seq"): named in the question only.
const DIGIT_NAME = /\b\p{Ll}{2,}\d\p{Ll}{2,}\b/gu;

// A capitalised word inside a sentence ("the Sophia optimizer", "Swin Transformer's"), not one opening it.
const CAPITALISED = /\p{Lu}\p{Ll}{2,}(?:-\p{Lu}?\p{Ll}+)*/gu;
const SENTENCE_START = /(?:^|[.?!:;]["')\]]*\s+|["“(]\s*)$/u;

// "CLIP-like", "ColBERT-style", "Huffman-compressing": the name is the part before lower-case endings.
const NAME_SUFFIX = /(?:-\p{Ll}+)+$/u;

/**
 * The names a question uses: name-like words and capitalised words that do not open a sentence, with
 * suffixes ("-style"), possessives and plural s of capitals ("LLMs", "GPUs") taken off; three characters at
 * least. In order, once each.
 */
export function namesInQuestion(question: string): string[] {
  const found: Array<{ at: number; name: string }> = [];
  for (const match of question.matchAll(NAME_LIKE)) found.push({ at: match.index!, name: match[0] });
  for (const match of question.matchAll(DIGIT_NAME)) found.push({ at: match.index!, name: match[0] });
  for (const match of question.matchAll(CAPITALISED)) {
    if (SENTENCE_START.test(question.slice(0, match.index!))) continue;
    if (found.some(({ at, name }) => match.index! >= at && match.index! < at + name.length)) continue;
    found.push({ at: match.index!, name: match[0] });
  }
  const names = found.sort((a, b) => a.at - b.at).map(({ name }) => bareName(name));
  // Two capitals ("QA", "KV", "RL") abbreviate a field's everyday terms, not something one paper names.
  return [...new Set(names.filter((name) => name.length >= 3))];
}

function bareName(name: string): string {
  return name
    .replace(/['’]s$/, "")
    .replace(NAME_SUFFIX, "")
    .replace(/(?<=\p{Lu})s$/u, "");
}
