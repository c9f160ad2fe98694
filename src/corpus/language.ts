/**
 * Language guess from Unicode scripts and English function words. Enough to tag abstracts so that
 * English-only steps (stemming, sentence rules) can treat others carefully; "und" when unsure.
 */
const SCRIPT_LANGUAGES: Array<[RegExp, string]> = [
  [/\p{Script=Hiragana}|\p{Script=Katakana}/gu, "ja"],
  [/\p{Script=Hangul}/gu, "ko"],
  [/\p{Script=Han}/gu, "zh"],
  [/\p{Script=Cyrillic}/gu, "ru"],
  [/\p{Script=Arabic}/gu, "ar"],
  [/\p{Script=Greek}/gu, "el"],
  [/\p{Script=Devanagari}/gu, "hi"],
];

const ENGLISH_WORDS = new Set(["the", "of", "and", "to", "in", "is", "we", "that", "for", "this", "with", "on", "are", "by"]);
const ROMANCE_GERMANIC_WORDS = new Set(["der", "die", "und", "das", "ist", "les", "des", "est", "une", "el", "los", "las", "que", "por", "una", "della", "il"]);

export function detectLanguage(text: string): string {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return "und";
  for (const [pattern, language] of SCRIPT_LANGUAGES) {
    const count = text.match(pattern)?.length ?? 0;
    // Japanese mixes Han with kana, so any kana decides; otherwise a script must dominate.
    if (language === "ja" ? count > letters * 0.05 : count > letters * 0.3) return language;
  }
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const english = words.filter((word) => ENGLISH_WORDS.has(word)).length;
  const other = words.filter((word) => ROMANCE_GERMANIC_WORDS.has(word)).length;
  if (english >= 3 && english > other * 2) return "en";
  return "und";
}
