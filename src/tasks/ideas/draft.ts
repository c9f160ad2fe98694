import type { NoveltyProbe } from "./novelty.js";
import type { Idea, IdeaPart } from "./types.js";

/** An idea as written (offline or by the model), before its novelty check. */
export interface Draft {
  title: string;
  kind: Idea["kind"];
  /** The Markdown under the idea's heading: cited sentences. */
  body: string;
  problem: IdeaPart | null;
  method: IdeaPart | null;
  why: string | null;
  /** Source numbers the idea is built from. */
  sources: number[];
  /** What the novelty check searches for, when not the problem and method phrases (an open problem: its phrase and its setting). */
  probe?: NoveltyProbe;
}
