import type { AnswerSource } from "../generate/generator.js";
import type { ClaimJudge } from "../ground/verdict.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { readModelText } from "../generate/model-text.js";
import { normalizeCitations } from "../ground/citation-styles.js";
import { stripMarkers } from "../ground/markers.js";
import { checkCitedText } from "../tasks/core/check.js";
import { splitSentences } from "../text/sentences.js";
import { FixtureError } from "./retrieval-fixtures.js";
import { type JudgedFixtureSentence, type JudgeFixture, type JudgeFixtureScore, scoreJudgeFixtures } from "./judge-fixtures.js";

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/** The judged sentence a labelled one became: the one sharing most of its words (at least 60 %), else none. */
function matchSentence<T extends { text: string; verdict: string }>(labelled: string, sourceCount: number, judged: T[]): T | null {
  // The labelled text is as the model wrote it: its citation styles are read the way the answer's were.
  const target = words(stripMarkers(normalizeCitations(labelled, sourceCount).text));
  let best: { sentence: T; overlap: number } | null = null;
  for (const sentence of judged) {
    const own = words(stripMarkers(sentence.text));
    const shared = [...target].filter((word) => own.has(word)).length;
    const overlap = shared / Math.max(target.size, own.size, 1);
    if (!best || overlap > best.overlap) best = { sentence, overlap };
  }
  return best && best.overlap >= 0.6 ? best.sentence : null;
}

/**
 * Runs each fixture answer through the path every task's text takes (checkCitedText: citation styles
 * normalised, citations validated, Markdown read per item, each sentence judged against its numbered
 * sources) and scores the verdicts against the labels.
 */
export async function runJudgeFixtures(
  fixtures: JudgeFixture[],
  index: IndexSnapshot,
  judge: ClaimJudge,
): Promise<{ score: JudgeFixtureScore; msPerSentence: number; results: (JudgedFixtureSentence & { id: string; text: string; reason?: string })[] }> {
  const results: (JudgedFixtureSentence & { id: string; text: string; reason?: string })[] = [];
  let judged = 0;
  const started = performance.now();
  for (const fixture of fixtures) {
    const sources: AnswerSource[] = fixture.sources.map((id, i) => {
      const paper = index.papers.get(id);
      if (!paper) throw new FixtureError(`fixture ${fixture.id}: paper ${id} is not in the index (build it from data/)`);
      return { n: i + 1, paper, sentences: splitSentences(paper.abstract, paper.language), strength: 1 };
    });
    // As a model's reply is read in every task: citation styles, its reference list, Markdown (model-text.ts).
    const reply = readModelText(fixture.answer, sources.length);
    const checked = await checkCitedText(reply.text, sources, judge, { question: fixture.question });
    judged += checked.grounding.sentences.length;
    for (const sentence of fixture.sentences) {
      const match = matchSentence(sentence.text, sources.length, checked.grounding.sentences);
      results.push({ id: fixture.id, text: sentence.text, sentence, verdict: match?.verdict ?? null, ...(match?.reason ? { reason: match.reason } : {}) });
    }
  }
  const msPerSentence = judged ? (performance.now() - started) / judged : 0;
  return { score: scoreJudgeFixtures(results), msPerSentence, results };
}
