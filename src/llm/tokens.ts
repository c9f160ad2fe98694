/**
 * Token counts for prompt budgets: gpt-tokenizer's o200k_base (GPT-4o's encoding, bundled with the package,
 * nothing fetched). Other models' tokenizers (Llama, Qwen, Mistral) count English prose within about 15 %
 * of it, so the budgets in settings.ts keep a margin. Loaded on first use (~0.4 s): offline runs never pay.
 */
export interface TokenCounter {
  /** The encoding, as reported in --json budgets. */
  readonly name: string;
  count(text: string): number;
}

let loaded: Promise<TokenCounter> | null = null;

export function tokenCounter(): Promise<TokenCounter> {
  loaded ??= import("gpt-tokenizer/encoding/o200k_base").then(({ countTokens }) => ({ name: "o200k_base", count: (text: string) => countTokens(text) }));
  return loaded;
}
