import { OfflineJudge } from "../../src/ground/judge/offline-judge.js";

/** The offline claim judge every task uses by default (no network), shared by the tests. */
export const OFFLINE_JUDGE = new OfflineJudge();
