import type { Paper } from "../corpus/paper.js";
import { splitSentences } from "../text/sentences.js";
import { MARKER_LOOKALIKE } from "../ground/markers.js";

/**
 * Defences against text in abstracts (or their metadata) that tries to steer the answerer (prompt
 * injection). Abstracts are data: a sentence addressed to the assistant is withheld from both the offline
 * composer and the model's prompt, an author or date field that reads as one is withheld too, and
 * bracketed numbers in any script or bracket style are shown as [#n] so they cannot pass for citations.
 *
 * Text is normalised before matching (foldForMatching): NFKC, soft hyphens, zero-width and Unicode TAG
 * characters removed, Cyrillic/Greek look-alike letters folded to Latin, accents dropped, so "Ig­nore",
 * "іgnore" (Cyrillic і) and "Ignoriere" match like plain text. Patterns cover English, French, German,
 * Spanish and Chinese (and the plain "ignore the instructions" in Italian, Portuguese, Dutch, Russian,
 * Japanese and Korean), paraphrases of "ignore what you were told", spaced-out letters, digit look-alikes
 * ("1gn0r3"), HTML entities, notes addressed to an AI, fake
 * reference lists, outside links, markup and base64-encoded text. They stay narrow on purpose: none of the
 * 4,000-odd sentences of data/ matches one (tests/prompt-injection.test.ts checks this). It remains a list
 * of patterns: see the README's limits.
 */

/** Look-alike letters (Cyrillic, Greek) that spell Latin words to the eye. */
const CONFUSABLES: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  і: "i",
  ї: "i",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  һ: "h",
  ӏ: "l",
  А: "A",
  В: "B",
  Е: "E",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  У: "Y",
  Х: "X",
  І: "I",
  Ј: "J",
  Ѕ: "S",
  α: "a",
  ε: "e",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  ω: "w",
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
  ı: "i",
  ɡ: "g",
  ɑ: "a",
};
const CONFUSABLE = new RegExp(`[${Object.keys(CONFUSABLES).join("")}]`, "g");
/** Invisible characters, blank fillers (Hangul, braille) and joiners that can sit inside a word unseen. */
const HIDDEN = /[\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u2060-\u2064\u2800\u3164\uFEFF\uFFA0\u202A-\u202E\u2066-\u2069]|[\u{E0000}-\u{E007F}]/gu;
/** Angle-bracket look-alikes, so "‹/source›" or "＜system＞" reads as a tag. */
const ANGLES: Record<string, string> = { "‹": "<", "›": ">", "〈": "<", "〉": ">", "⟨": "<", "⟩": ">", "«": "<", "»": ">", "﹤": "<", "﹥": ">" };
const ANGLE = new RegExp(`[${Object.keys(ANGLES).join("")}]`, "g");
const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: " ", shy: "" };

/** "&#73;gnore", "Ign&#x6f;re", "&lt;system&gt;": HTML entities read as the characters they stand for. */
function decodeEntities(text: string): string {
  return text.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,6});/gi, (entity, body: string) => {
    if (body[0] !== "#") return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
    const code = body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

/** The text as the patterns read it (not as it is shown or quoted). */
export function foldForMatching(text: string): string {
  return (
    decodeEntities(text)
      .normalize("NFKC")
      .replace(HIDDEN, "")
      .replace(CONFUSABLE, (c) => CONFUSABLES[c]!)
      .replace(ANGLE, (c) => ANGLES[c]!)
      .normalize("NFD")
      .replace(/\p{M}+/gu, "")
      .normalize("NFC")
      // "I g n o r e all previous instructions": letters spaced out to slip past word patterns.
      .replace(/(?<![\p{L}\p{N}])\p{L}(?: \p{L}){3,}(?![\p{L}\p{N}])/gu, (spaced) => spaced.replace(/ /g, ""))
      .replace(/(?<![\p{L}\p{N}])\p{L}(?:[._\-*]\p{L}){3,}(?![\p{L}\p{N}])/gu, (dotted) => dotted.replace(/[._\-*]/g, ""))
  );
}

const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s" };

/** "1gn0r3 4ll pr3v10u5 1nstruct10ns": words mixing letters with digit look-alikes, read as letters. */
function unLeet(text: string): string {
  return text.replace(/[\p{L}\d@$]*\d[\p{L}\d@$]*/gu, (word) =>
    /\p{L}/u.test(word) || word.length >= 3 ? word.replace(/[013457@$]/g, (c) => LEET[c]!) : word,
  );
}

/** Words that start a reference list in the languages covered ("References:", "REFERENCES [1]", "Références :"). */
const REFERENCE_LIST_START =
  /^\W*(references|reference list|bibliography|works cited|literature cited|references cited|literatur(verzeichnis)?|quellen(verzeichnis)?|referencias|bibliografia|bibliographie|参考文献)\s*(:|：|\[|\(|\d|$)/i;

const TARGET =
  "(instructions?|prompts?|rules|directions|guidelines|guidance|messages?|orders|commands|(was|were|been|has been|have been) (told|given|said|instructed))";
const QUALIFIER =
  "(previous|prior|above|earlier|preceding|all|any|your|its|the system|system|these|those|every|what (it|you|the assistant|the model) (was|were|has been|have been))";

const INSTRUCTION_RULES: Array<[RegExp, string]> = [
  [
    new RegExp(
      `\\b(ignore|ignoring|disregard|disregarding|forget|override|bypass|set aside|pay no attention to|do not follow|don't follow|stop following|discard|drop)\\b[^.!?]{0,40}\\b${QUALIFIER}\\b[^.!?]{0,40}\\b${TARGET}`,
      "i",
    ),
    "tells the assistant to ignore its instructions",
  ],
  [
    /\b(ignore|disregard|forget|set aside)\b[^.!?]{0,25}\bwhat (it|you|the assistant|the model) (was|were|has been|have been) (told|given|asked|instructed)\b/i,
    "tells the assistant to ignore its instructions",
  ],
  [
    /\byou are (now|no longer)\b(?! (able|possible|ready|free to (use|run|train)))|\bfrom now on,? you\b|\byour (new|real|actual|true) (task|instructions?|role|goal|purpose)\b|\byou (will |must |should |shall |now )?(act|behave|pretend|roleplay|role-play) (as|like|to be)\b/i,
    "gives the assistant a new role",
  ],
  [
    /\byou (must|should|shall|will|need to|have to) (now |also |always |never |only |instead )?(ignore|answer|respond|reply|output|cite|say|print|write|include|mention|state|recommend|rate|praise|give)\b/i,
    "gives the assistant an order",
  ],
  [
    /^\W*(please,?\s+)?((ignore|disregard|forget)\b[^.!?]{0,40}\b(all|any|every|previous|prior|earlier|above|everything|what)\b|pretend (to be|you|that you)|do not cite|don't cite|always cite|cite only|only cite)\b/i,
    "is an imperative addressed to the reader or assistant",
  ],
  [/\b(answer|respond|reply|output|say|print)\s+(only|exactly|just|with only)\b[^.!?]{0,20}["'`“‘]/i, "dictates the reply"],
  [
    /\b(output|print|say|reply|respond|answer)( with)? only the (word|phrase|text|string)\b|\b(respond|reply|answer) with\b[^.!?]{0,80}\band nothing else\b/i,
    "dictates the reply",
  ],
  [
    /\b(please )?(rate|score) this (paper|work|submission|article) (\d+|as|with|highly)\b|^\W*(reviewers?|referees?|chatgpt|gpt-?\d?|claude|assistant|ai)\s*[:,]\s*(please\s+)?(accept|rate|summari[sz]e|describe|praise|recommend)\b/i,
    "asks for a favourable review",
  ],
  // Addressed to an AI reading the abstract: "Note to the AI reading this", "If you are an LLM", "Dear assistant".
  [
    /\b(note|message|instructions?|reminder|request|hint)s? (to|for) (the |any |an? )?(ai|a\.i\.|llm|large language model|language model|assistant|chatbot|gpt|chatgpt|claude|automated (reader|reviewer|system)|ai (reader|reviewer|system|model))s?\b/i,
    "is a note addressed to an AI assistant",
  ],
  [
    /\b(if|when) you are an? (ai|llm|large language model|language model|assistant|chatbot|automated (reviewer|reader|system))\b|\b(dear|attention|hey|hello),? (ai|llm|assistant|chatgpt|gpt|claude|language model)\b(?! (professor|director|editor|manager))/i,
    "is a note addressed to an AI assistant",
  ],
  [/\b(ai|llm|language model|assistant|chatbot)s? (that is |who is )?(reading|summari[sz]ing|reviewing) this\b/i, "is a note addressed to an AI assistant"],
  [
    /\b(give|write|provide|produce)\b[^.!?]{0,25}\b(positive|favou?rable|glowing) (review|assessment|rating)\b|\brate this (paper|work|submission|article) (highly|as|with)\b/i,
    "asks for a favourable review",
  ],
  // French, German, Spanish (accents are folded away before matching).
  // The articles make these French or Spanish: "LLMs often ignore instructions" is an English finding.
  [
    /\b(ignore[zr]?|oublie[zr]?)\s+(toutes\s+|tout\s+)?(les|tes|vos|ces|ce qu'on)\s+[^.!?]{0,30}\b(instructions?|consignes?|directives?|regles|ordres|dit)\b|\b(ne tien[ts]|ne tenez) pas compte (des|de tes|de vos) (instructions|consignes|directives)\b|\b(fais|faites) abstraction (des|de tes|de vos) (instructions|consignes)\b/i,
    "tells the assistant to ignore its instructions (French)",
  ],
  [
    /\b(tu es|vous etes) (maintenant|desormais|dorenavant|a present)\b|\b(reponds|repondez) (uniquement|seulement)\b|\bnote (a|pour) l'(ia|assistant|intelligence artificielle)\b/i,
    "gives the assistant a new role or order (French)",
  ],
  [
    /\b(ignorier(e|en sie)?|vergiss|vergessen sie|missachte|missachten sie|beachte nicht)\b[^.!?]{0,50}\b(anweisungen|anweisung|instruktionen|regeln|vorgaben|befehle)\b/i,
    "tells the assistant to ignore its instructions (German)",
  ],
  [
    /\b(du bist|sie sind) (jetzt|nun|ab sofort) (ein|eine|der|die)\b|\b(antworte|antworten sie) (nur|ausschliesslich|ausschließlich)\b|\bhinweis (an|fur) (die )?(ki|ai|assistent)\b/i,
    "gives the assistant a new role or order (German)",
  ],
  [
    /\b(ignora|ignore|ignoren|ignorar|olvida|olvide|olviden|olvidar|omite|omita|omitir)\s+(todas\s+|todo\s+)?(las|tus|sus|estas|lo que)\s+[^.!?]{0,30}\b(instrucciones|indicaciones|reglas|ordenes|directrices|dijeron|dije)\b|\b(haz|hagan|haga) caso omiso (de|a) (las|tus|sus) (instrucciones|indicaciones)\b/i,
    "tells the assistant to ignore its instructions (Spanish)",
  ],
  [
    /\b(ahora eres|ahora es usted|a partir de ahora,? (eres|debes|responde))\b|\b(responde|responda) (solo|solamente|unicamente)\b|\bnota (para|a) (la )?(ia|asistente)\b/i,
    "gives the assistant a new role or order (Spanish)",
  ],
  // Chinese.
  [
    /(忽略|无视|忽视|不要理会|不要理睬|忘记|忘掉|无需遵守|不要遵守)[^。！？]{0,20}(指令|指示|说明|提示|规则|要求|命令)|你现在是|从现在开始[，,]?你|只(回答|回复|输出)|(致|给|写给)(AI|ＡＩ|人工智能|助手|大模型|语言模型)/i,
    "addresses the assistant with instructions (Chinese)",
  ],
  [
    /^\W*(system|assistant|developer)\s*(prompt|message)?\s*:|\[(system|assistant|INST)\]|\[\/INST\]|<<\/?SYS>>|<\|[a-z_]+\|>|^\W*#{2,}\s*(instruction|system|response)\b/im,
    "imitates a chat role or template",
  ],
  [/<\s*\/?\s*source\b|&lt;\s*\/?\s*source\b/i, "imitates citewise's source tags"],
  [/^\W*(title|published|authors?)\s*:/i, "imitates the fields of a source block"],
  [REFERENCE_LIST_START, "is a reference list, not a finding"],
  [/<\s*(script|iframe|img|object|embed|style|a\s+href|svg|link|meta)\b|!\s*\[[^\]]*\]\([^)]*\)/i, "carries HTML or Markdown markup"],
  [/\[[^\]]{0,200}\]\(\s*(https?:|ftp:|www\.|\/\/|mailto:|javascript:)[^)]*\)/i, "carries a Markdown link to an outside address"],
  [/<\s*(https?:|ftp:|mailto:|www\.)[^>\s]*>|^\W*\[[^\]]{1,40}\]:\s*(https?:|ftp:|www\.|\/\/)/i, "carries a Markdown link to an outside address"],
  [/<\s*\/?\s*(system|assistant|user|developer|instructions?|prompt|im_start|im_end)\s*>/i, "imitates a chat role or template"],
  [
    /^\W*(human|user)\s*:\s*(please\s+)?(ignore|cite|say|answer|respond|reply|write|praise|rate|output|give|tell|summari[sz]e|recommend|describe|list|forget)\b/i,
    "imitates a chat role or template",
  ],
  // Requests for a favourable verdict, however they are addressed.
  [
    /\bas an? (ai|llm|language model|automated|machine) (reviewer|reader|assistant|referee)\b|\b(give|assign|award)\b[^.!?]{0,30}\b(this|the) (paper|submission|work|article)\b[^.!?]{0,20}\b(highest|best|top|maximum|perfect)\b/i,
    "asks for a favourable review",
  ],
  [
    /\b(always|must|should) (recommend|cite|rank|rate|prefer|favou?r|promote) this (paper|work|article|submission|method)\b|\bnew (system )?(prompt|instructions?) (follows?|below|begins?)\b|\b(system )?prompt follows\b/i,
    "gives the assistant an order",
  ],
  // German paraphrase ("Vergiss alles, was dir vorher gesagt wurde"), Italian, Portuguese, Dutch.
  [
    /\b(vergiss|vergesst|vergessen sie|ignoriere|ignorieren sie)\b[^.!?]{0,30}\b(alles|was (dir|ihnen|man)|bisher|vorher|zuvor)\b/i,
    "tells the assistant to ignore its instructions (German)",
  ],
  [
    /\b(ignora|ignori|ignorate|dimentica|dimentichi|dimenticate|esqueca|esquece|esquecam|ignore|ignorem|desconsidere)\s+(tutte\s+|tutto\s+|todas\s+|tudo\s+)?(le|tue|sue|queste|quello che|as|suas|tuas|estas|o que)\s+[^.!?]{0,30}\b(istruzioni|indicazioni|regole|instrucoes|regras|ordens|orientacoes)\b/i,
    "tells the assistant to ignore its instructions (Italian or Portuguese)",
  ],
  [/\b(negeer|vergeet)\b[^.!?]{0,40}\b(instructies|opdrachten|regels|aanwijzingen)\b/i, "tells the assistant to ignore its instructions (Dutch)"],
];

const UNFOLDED_RULES: Array<[RegExp, string]> = [
  [
    /(игнорируй|игнорируйте|забудь|забудьте|не обращай внимания на|не обращайте внимания на)[^.!?]{0,40}(инструкци|указани|правил|команд|сказано)/u,
    "tells the assistant to ignore its instructions (Russian)",
  ],
  [/(指示|命令|ルール|プロンプト|指令)[^。！？]{0,20}(無視|忘れ)/u, "tells the assistant to ignore its instructions (Japanese)"],
  [/(지시|명령|지침|규칙|프롬프트)[^.!?。]{0,20}(무시|잊어)/u, "tells the assistant to ignore its instructions (Korean)"],
];

/** Case-sensitive: "a two-stage system: …" is prose, "SYSTEM:" mid-sentence is a role marker. */
const ROLE_MARKER = /\b(SYSTEM|ASSISTANT|DEVELOPER)\s*:|\((system|assistant|developer)\s*:/;

/** Why a source sentence (or field) reads as an instruction or markup rather than a statement about research, or null. */
export function instructionLike(sentence: string): string | null {
  const folded = foldForMatching(sentence);
  if (ROLE_MARKER.test(folded)) return "imitates a chat role or template";
  for (const [pattern, reason] of INSTRUCTION_RULES) if (pattern.test(folded)) return reason;
  // Russian, Japanese and Korean are read before folding (folding turns some Cyrillic letters Latin).
  const lower = sentence.normalize("NFKC").replace(HIDDEN, "").toLowerCase();
  for (const [pattern, reason] of UNFOLDED_RULES) if (pattern.test(lower)) return reason;
  // "Ignore_all_previous_instructions" and "1gn0r3 4ll …": read again with underscores as spaces, digits as letters.
  for (const [variant, how] of [
    [folded.replace(/_/g, " "), "joined by underscores"],
    [unLeet(folded), "in digit look-alikes"],
  ] as const) {
    if (variant === folded) continue;
    for (const [pattern, reason] of INSTRUCTION_RULES) if (pattern.test(variant)) return `${reason} (${how})`;
  }
  return encodedInstruction(folded);
}

/** A base64 run that decodes to readable text is a hidden message (DNA and hashes decode to bytes, not words). */
function encodedInstruction(text: string): string | null {
  for (const match of text.matchAll(/[A-Za-z0-9+/]{24,}={0,2}/g)) {
    const token = match[0];
    if (!/[a-z]/.test(token) || !/[A-Z]/.test(token)) continue;
    let decoded: string;
    try {
      decoded = Buffer.from(token, "base64").toString("utf8");
    } catch {
      continue;
    }
    const printable = decoded.replace(/[^\x20-\x7e]/g, "").length;
    if (decoded.length < 12 || printable / decoded.length < 0.9) continue;
    if ((decoded.match(/[A-Za-z]{2,}/g) ?? []).length >= 3) return "carries base64-encoded text";
  }
  return null;
}

/** Zero code points of the decimal digit blocks, so [٢] becomes [#2]. */
const DIGIT_ZEROS = [
  0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xe50, 0xed0, 0xf20, 0x1040, 0x17e0, 0x1810, 0xff10,
];

function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (digit) => {
    const code = digit.codePointAt(0)!;
    const zero = DIGIT_ZEROS.find((z) => code >= z && code <= z + 9);
    return zero === undefined ? digit : String(code - zero);
  });
}

/** "[7]" in an abstract refers to that paper's own bibliography, not to source 7: shown as "[#7]". */
export function defuseCitationMarkers(text: string): string {
  return text.replace(
    MARKER_LOOKALIKE,
    (_, inner: string) =>
      `[#${asciiDigits(inner)
        .replace(/\p{Pd}/gu, "-")
        .replace(/\^\s*/g, "")}]`,
  );
}

/** The sentences of an abstract an answerer may use, and how many were withheld as instruction-like. */
export function answerSentences(paper: Pick<Paper, "abstract" | "language">): { sentences: string[]; withheld: number } {
  const all = splitSentences(paper.abstract, paper.language);
  // Everything after a "References:" line is the (fake) list itself, whatever its entries look like.
  const listStart = all.findIndex((sentence) => REFERENCE_LIST_START.test(foldForMatching(sentence)));
  const body = listStart >= 0 ? all.slice(0, listStart) : all;
  // "Abstract:" opening an abstract is a harmless label; later, it fakes the start of another source.
  const usable = (sentence: string, i: number) => instructionLike(sentence) === null && !(i > 0 && /^\W*abstract\s*:/i.test(sentence));
  const sentences = body.filter(usable).map(defuseCitationMarkers);
  return { sentences, withheld: all.length - sentences.length };
}

/** A metadata field (title, an author, a date) as it may be shown to a model: withheld when it reads as an instruction. */
export function usableField(value: string, what: string): string {
  return instructionLike(value) ? `(${what} withheld: it reads as an instruction)` : defuseCitationMarkers(value);
}

/** Title and usable sentences: for text derived from a paper that is shown outside its source block (theme names). */
export function usableText(paper: Pick<Paper, "title" | "abstract" | "language">): string {
  const title = paper.title && !instructionLike(paper.title) ? paper.title : "";
  return `${title}. ${answerSentences(paper).sentences.join(" ")}`;
}
