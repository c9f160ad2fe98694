import { cpSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sha1 } from "../src/corpus/ids.js";
import type { Paper } from "../src/corpus/paper.js";
import { loadRetrievalFixtures } from "../src/eval/retrieval-fixtures.js";
import { ingest } from "../src/ingest/pipeline.js";
import { normalizeVector, type Embedder } from "../src/index/embedder.js";
import { UseLiteEmbedder } from "../src/index/embedders/use-lite.js";
import { PostgresStorage } from "../src/index/postgres/postgres-storage.js";
import { loadIndex, readPapers, type IndexSnapshot } from "../src/index/snapshot.js";
import { hidePassword } from "../src/index/storage.js";
import type { Vector } from "../src/index/store.js";
import { searchPapers, type SearchOptions } from "../src/retrieve/search.js";
import { DATA, FILES, ROOT, runCliAsync, tempDir } from "./helpers.js";
import { reusingVectors } from "./support/corpus-vectors.js";
import { startCuttingProxy, startRejectingPostgres, startTestPostgres, type TestPostgres } from "./support/postgres-server.js";

/** A local index reads chunk rows lazily: its chunks are compared as the plain chunks they stand for. */
const plainChunks = (index: { chunks: unknown[] }) => JSON.parse(JSON.stringify(index.chunks));

/**
 * The PostgreSQL + pgvector backend against a real wire-protocol server (PGlite + pgvector behind
 * pglite-socket), compared with the local backend on the bundled corpus and the retrieval fixtures.
 */
// Journals of ingests into PostgreSQL live in $XDG_CACHE_HOME/citewise, keyed by the database URL: one of
// another run (same password, a reused port) would resume vectors here. Each run gets its own cache.
process.env.XDG_CACHE_HOME = tempDir("citewise-pg-cache-");

const realEmbedder = new UseLiteEmbedder(1);
let server: TestPostgres;
let local: IndexSnapshot;
let localVectors: Map<string, Vector>;
const queryVectors = new Map<string, Promise<number[]>>();
const timings: Record<string, string> = {};

/** Queries are embedded once and shared by both backends, so any difference comes from the store. */
const queryEmbedder: Embedder = {
  name: realEmbedder.name,
  dimension: realEmbedder.dimension,
  embedDocuments: (texts) => realEmbedder.embedDocuments(texts),
  embedQuery: (text) => {
    if (!queryVectors.has(text)) queryVectors.set(text, realEmbedder.embedQuery(text));
    return queryVectors.get(text)!;
  },
};

/** The real embedder's name and vectors, taken from the local corpus index where the chunk text is known (CI speed). */
function reusingEmbedder(override?: (text: string) => number[] | undefined) {
  return reusingVectors(localVectors, { ...queryEmbedder, embedDocuments: (texts) => realEmbedder.embedDocuments(texts) }, override);
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** xmin of every row: it changes when a row is rewritten, so it shows which rows a publish touched. */
async function rowVersions(table: string): Promise<Map<string, string>> {
  return withClient(async (client) => new Map((await client.query(`SELECT id, xmin::text AS xmin FROM ${table}`)).rows.map((row) => [row.id, row.xmin])));
}

async function indexVersion(): Promise<number> {
  return withClient(async (client) => Number((await client.query("SELECT version FROM citewise_meta")).rows[0].version));
}

const paperIds = (results: Awaited<ReturnType<typeof searchPapers>>) => results.map((result) => result.paper.id);

async function sameResults(pgIndex: IndexSnapshot, query: string, options: SearchOptions) {
  const expected = paperIds(await searchPapers(local, queryEmbedder, query, options));
  const actual = paperIds(await searchPapers(pgIndex, queryEmbedder, query, options));
  return { expected, actual };
}

/** Runs the CLI against the test server; the server lives in this process, so the CLI must run async. */
function cli(args: string[], cwd?: string) {
  return runCliAsync(args, { cwd, env: { CITEWISE_STORE: undefined, CITEWISE_INDEX: undefined } });
}

/**
 * The store is filled from a copy of data/ that the tests may edit (sources are keyed by their real path, so
 * an edited copy is a different file from data/ itself); papers are compared with the local corpus index
 * without that path.
 */
const corpusCopy = tempDir("citewise-pg-corpus-");
cpSync(DATA, path.join(corpusCopy, "data"), { recursive: true });
const COPY_DATA = path.join(corpusCopy, "data");
const withoutPaths = (papers: Iterable<Paper>) =>
  [...papers].map((paper) => ({ ...paper, sources: paper.sources.map(({ path: _path, ...source }) => source) }));

function expectOneLineUserError(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp, password: string) {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^citewise: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr + result.stdout).not.toContain(password);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

/**
 * CITEWISE_TEST_POSTGRES_URL runs these tests against another server (an empty database of a PostgreSQL
 * with pgvector) instead of PGlite; the error tests still start their own servers.
 */
async function startServer(): Promise<TestPostgres> {
  const external = process.env.CITEWISE_TEST_POSTGRES_URL;
  if (!external) return startTestPostgres();
  return { url: external, password: decodeURIComponent(new URL(external).password) || "\u0000none", stop: async () => {} };
}

beforeAll(async () => {
  [server, local] = await Promise.all([startServer(), loadIndex(inject("corpusIndex"))]);
  localVectors = await local.vectors.vectorsByContentHash();
});

afterAll(async () => {
  await local?.close();
  await realEmbedder.close();
  await server?.stop();
  console.log(`postgres backend timings (PGlite over pglite-socket): ${JSON.stringify(timings, null, 1)}`);
});

describe("hidePassword", () => {
  it("hides user:password@ (even with @ inside) and ?password=, leaves everything else alone", () => {
    expect(hidePassword("postgres://ann:s3cret@db.example:5432/papers")).toBe("postgres://ann:***@db.example:5432/papers");
    expect(hidePassword("postgresql://ann:p@ss@db/papers?sslmode=require")).toBe("postgresql://ann:***@db/papers?sslmode=require");
    expect(hidePassword("postgres://ann:p%40ss%2F@db/papers")).toBe("postgres://ann:***@db/papers");
    expect(hidePassword("postgres://db/papers?user=ann&password=s3cret&sslmode=require")).toBe("postgres://db/papers?user=ann&password=***&sslmode=require");
    expect(hidePassword("postgres://ann@db/papers")).toBe("postgres://ann@db/papers");
    expect(hidePassword("/home/ann/index:v1@2")).toBe("/home/ann/index:v1@2");
  });
});

describe("PostgreSQL + pgvector store (PGlite behind pglite-socket)", () => {
  const fixtures = loadRetrievalFixtures(path.join(ROOT, "evals", "retrieval.jsonl"));

  it("ingests the bundled corpus: same papers, chunks, keyword index and vectors as the local index", async () => {
    const { embedder, counter } = reusingEmbedder();
    const started = performance.now();
    const report = await ingest({ inputs: [COPY_DATA], indexDir: server.url, embedder, baseDir: corpusCopy });
    timings.ingestCorpus = `${((performance.now() - started) / 1000).toFixed(2)} s for ${report.chunks} chunks (vectors reused, no embedding)`;
    expect(report.indexDir).toBe(hidePassword(server.url));
    expect(report.indexDir).not.toContain(server.password);
    expect(report).toMatchObject({ papers: local.papers.size, chunks: local.chunks.length, chunksEmbedded: local.chunks.length });
    expect(report.added).toHaveLength(527);
    expect(counter.real).toBe(0);

    const index = await loadIndex(server.url);
    try {
      expect(index.location).toBe(hidePassword(server.url));
      expect([...index.papers.keys()]).toEqual([...local.papers.keys()]);
      expect(withoutPaths(index.papers.values())).toEqual(withoutPaths(local.papers.values()));
      expect(index.chunks).toEqual(plainChunks(local));
      expect(index.manifest.counts).toEqual(local.manifest.counts);
      expect(index.manifest.embedder).toEqual(local.manifest.embedder);
      expect(index.keyword.toBinary()).toEqual(local.keyword.toBinary());
      expect(index.vectors.size).toBe(local.vectors.size);
      const ids = local.chunks.filter((_, i) => i % 37 === 0).map((chunk) => chunk.id);
      const [fromPg, fromLocal] = await Promise.all([index.vectors.vectorsFor(ids), local.vectors.vectorsFor(ids)]);
      expect(fromPg.size).toBe(ids.length);
      for (const id of ids) expect(Array.from(fromPg.get(id)!)).toEqual(Array.from(fromLocal.get(id)!)); // float32, bit for bit
    } finally {
      await index.close();
    }
    await withClient(async (client) => {
      const columns = await client.query(
        "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'citewise_chunks'::regclass AND attname = 'embedding'",
      );
      expect(columns.rows[0].type).toBe("vector(512)");
      const counts = await client.query("SELECT (SELECT count(*) FROM citewise_papers)::int AS papers, (SELECT count(*) FROM citewise_chunks)::int AS chunks");
      expect(counts.rows[0]).toEqual({ papers: 527, chunks: local.chunks.length });
    });
  });

  it("returns the same papers in the same order as the local index for every retrieval fixture (hybrid and dense, top 10)", async () => {
    const index = await loadIndex(server.url);
    try {
      const mismatches: string[] = [];
      for (const fixture of fixtures) {
        for (const mode of ["hybrid", "dense"] as const) {
          const { expected, actual } = await sameResults(index, fixture.query, { k: 10, mode });
          expect(expected).toHaveLength(10);
          if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${fixture.id}/${mode}`);
        }
      }
      expect(mismatches).toEqual([]);

      // Filters reach the vector store as a predicate over chunk ids (WHERE id = ANY($ids)).
      for (const filters of [{ yearFrom: 2023, yearTo: 2023 }, { source: FILES.listingA }, { language: "zh" }]) {
        for (const fixture of fixtures.slice(0, 8)) {
          const { expected, actual } = await sameResults(index, fixture.query, { k: 10, mode: "dense", filters });
          expect(actual, JSON.stringify(filters)).toEqual(expected);
        }
      }

      // The chunk rankings themselves: the same 100 candidates, cosine scores equal to float32 precision.
      const vector = await queryEmbedder.embedQuery(fixtures[0]!.query);
      const [fromPg, fromLocal] = await Promise.all([index.vectors.query(vector, 100), local.vectors.query(vector, 100)]);
      expect(fromPg.map((hit) => hit.id)).toEqual(fromLocal.map((hit) => hit.id));
      for (const [i, hit] of fromPg.entries()) expect(hit.score).toBeCloseTo(fromLocal[i]!.score, 5);

      // Latency of the dense retriever alone (100 candidates), same query vectors.
      const vectors = await Promise.all(fixtures.map((fixture) => queryEmbedder.embedQuery(fixture.query)));
      for (const [name, store] of [
        ["localQueryMs", local.vectors],
        ["postgresQueryMs", index.vectors],
      ] as const) {
        const started = performance.now();
        for (const v of vectors) await store.query(v, 100);
        timings[name] = `${((performance.now() - started) / vectors.length).toFixed(2)} ms/query (mean of ${vectors.length}, k=100, ${store.size} chunks)`;
      }
      const started = performance.now();
      for (const fixture of fixtures) await searchPapers(index, queryEmbedder, fixture.query, { k: 10 });
      timings.postgresHybridSearchMs = `${((performance.now() - started) / fixtures.length).toFixed(2)} ms/search`;
    } finally {
      await index.close();
    }
  });

  it("CLI: re-ingest of unchanged data with --store embeds nothing and rewrites no row", async () => {
    const [papersBefore, chunksBefore, versionBefore] = [await rowVersions("citewise_papers"), await rowVersions("citewise_chunks"), await indexVersion()];
    const started = performance.now();
    const result = await cli(["--store", server.url, "ingest", "data", "--json"], corpusCopy);
    timings.cliReingestUnchanged = `${((performance.now() - started) / 1000).toFixed(2)} s (whole CLI process)`;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(server.password);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      added: [],
      updated: [],
      removed: [],
      chunksEmbedded: 0,
      papers: 527,
      chunks: local.chunks.length,
      indexDir: hidePassword(server.url),
    });
    expect(report.unchanged).toHaveLength(527);
    // Nothing changed, so nothing was published: no new version, no row rewritten.
    expect(report.published).toBe(false);
    expect(await indexVersion()).toBe(versionBefore);
    expect(await rowVersions("citewise_papers")).toEqual(papersBefore);
    expect(await rowVersions("citewise_chunks")).toEqual(chunksBefore);
  });

  it("CLI: papers list, search and ask work with --store and with $CITEWISE_STORE", async () => {
    const list = await cli(["--store", server.url, "papers", "list", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((paper: { id: string }) => paper.id)).toEqual([...local.papers.keys()]);

    const fixture = fixtures[1]!;
    const search = await runCliAsync(["search", fixture.query, "--json"], { env: { CITEWISE_STORE: server.url } });
    expect(search.code, search.stderr).toBe(0);
    const expected = paperIds(await searchPapers(local, queryEmbedder, fixture.query, { k: 10 }));
    expect(JSON.parse(search.stdout).results.map((result: { id: string }) => result.id)).toEqual(expected);

    // The same offline answer, word for word, as from the local index.
    const question = "How does DeltaZip compress fine-tuned models?";
    const [ask, askLocal] = await Promise.all([
      cli(["--store", server.url, "ask", question, "--offline", "--json"]),
      cli(["--index", inject("corpusIndex"), "ask", question, "--offline", "--json"]),
    ]);
    expect(ask.code, ask.stderr).toBe(0);
    expect(ask.stdout + ask.stderr).not.toContain(server.password);
    const answer = JSON.parse(ask.stdout);
    expect(answer.answered).toBe(true);
    expect(answer.answer).toMatch(/DeltaZip/);
    expect(answer.references.length).toBeGreaterThan(0);
    const expectedAnswer = JSON.parse(askLocal.stdout);
    // Dense scores agree to float32 precision (pgvector sums in float4), so compare that one number loosely.
    expect(answer.relevance.score).toBeCloseTo(expectedAnswer.relevance.score, 6);
    expect({ ...answer, relevance: null }).toEqual({ ...expectedAnswer, relevance: null });
  });

  describe("a changed file", () => {
    const work = corpusCopy;
    // A local index of the same copy gets the same ingests: the backends must stay in step (order included).
    const twin = path.join(tempDir("citewise-pg-twin-"), "local-index");
    beforeAll(async () => {
      await ingest({ inputs: [COPY_DATA], indexDir: twin, embedder: reusingEmbedder().embedder, baseDir: corpusCopy });
    });
    const ingestBoth = async (embedder: Embedder) => {
      const report = await ingest({ inputs: [changedFile], indexDir: server.url, embedder, baseDir: work });
      const twinReport = await ingest({ inputs: [changedFile], indexDir: twin, embedder, baseDir: work });
      expect({ ...report, seconds: 0, indexDir: "" }).toEqual({ ...twinReport, seconds: 0, indexDir: "" });
      return report;
    };
    const changedFile = path.join(work, FILES.plain);
    const original = readFileSync(changedFile, "utf8");
    const lines = original.split("\n");
    lines[3] = `${lines[3]} We also release code and pretrained checkpoints for every model size.`;
    const changed = lines.join("\n");

    it("re-ingest updates only that file's changed paper and its chunks", async () => {
      writeFileSync(changedFile, changed);
      const before = {
        papers: await rowVersions("citewise_papers"),
        chunks: await rowVersions("citewise_chunks"),
        records: await rowVersions("citewise_records"),
      };
      const { embedder, counter } = reusingEmbedder();
      const report = await ingestBoth(embedder);
      expect(report.updated).toHaveLength(1);
      expect(report).toMatchObject({ added: [], removed: [], papers: 527 });
      expect(report.chunksEmbedded).toBeGreaterThanOrEqual(1);
      expect(counter.real).toBe(2 * report.chunksEmbedded); // once per backend

      const after = {
        papers: await rowVersions("citewise_papers"),
        chunks: await rowVersions("citewise_chunks"),
        records: await rowVersions("citewise_records"),
      };
      const rewritten = (table: "papers" | "chunks" | "records") => [...after[table]].filter(([id, xmin]) => before[table].get(id) !== xmin).map(([id]) => id);
      expect(rewritten("papers")).toEqual(report.updated);
      const updatedPaper = report.updated[0];
      expect(rewritten("chunks").length).toBeGreaterThan(0);
      expect(rewritten("chunks").every((id) => id.startsWith(`${updatedPaper}#`))).toBe(true);
      expect(rewritten("records")).toHaveLength(1);
      expect(after.papers.size).toBe(before.papers.size);
      expect(after.records.size).toBe(before.records.size);

      const index = await loadIndex(server.url);
      try {
        expect(index.papers.get(updatedPaper!)!.abstract).toContain("pretrained checkpoints for every model size");
        const hits = await searchPapers(index, queryEmbedder, "release code and pretrained checkpoints for every model size", { k: 3 });
        expect(hits[0]!.paper.id).toBe(updatedPaper);
      } finally {
        await index.close();
      }
    });

    it("an embedder returning a wrong-size vector is refused before anything is written: the previous version stays", async () => {
      writeFileSync(changedFile, original);
      const versionBefore = await indexVersion();
      const papersBefore = await readPapers(server.url);
      // The restored abstract's chunk is new to the index and gets a 3-d vector (pgvector would reject it too;
      // the rollback of a publish that fails inside the database is covered by the lost-connection case below).
      const { embedder } = reusingEmbedder((text) => (text.includes("We also release code") ? undefined : [1, 0, 0]));
      await expect(ingest({ inputs: [changedFile], indexDir: server.url, embedder, baseDir: work })).rejects.toThrow(
        /returned a 3-d vector, expected 512-d; nothing was stored/,
      );
      expect(await indexVersion()).toBe(versionBefore);
      expect(await readPapers(server.url)).toEqual(papersBefore);
    });

    it("a publish cut off mid-way by a lost connection rolls back: the previous version stays readable", async () => {
      const versionBefore = await indexVersion();
      const papersBefore = await readPapers(server.url);
      // The connection drops when the first chunk rows are sent, after records and papers were written.
      const proxy = await startCuttingProxy(server.url, (bytes) => bytes.includes("INSERT INTO citewise_chunks"));
      try {
        const { embedder } = reusingEmbedder();
        const failed = ingest({ inputs: [changedFile], indexDir: proxy.url, embedder, baseDir: work });
        await expect(failed).rejects.toThrow(
          new RegExp(`^lost the connection to PostgreSQL at ${escapeRegExp(hidePassword(proxy.url))}: Connection terminated unexpectedly$`),
        );
        expect(proxy.cuts).toBe(1);
      } finally {
        await proxy.stop();
      }
      expect(await indexVersion()).toBe(versionBefore);
      const index = await loadIndex(server.url);
      try {
        expect([...index.papers.values()]).toEqual(papersBefore);
        expect(index.chunks.length).toBe(index.vectors.size);
      } finally {
        await index.close();
      }
    });

    it("after the edit and its undo, Postgres and local hold the same index and give the same results", async () => {
      const { embedder } = reusingEmbedder();
      const report = await ingestBoth(embedder);
      expect(report.updated).toHaveLength(1);
      const [index, twinIndex] = await Promise.all([loadIndex(server.url), loadIndex(twin)]);
      try {
        expect(index.chunks).toEqual(plainChunks(twinIndex));
        expect([...index.papers.values()]).toEqual([...twinIndex.papers.values()]);
        expect(index.keyword.toBinary()).toEqual(twinIndex.keyword.toBinary());
        expect(index.manifest.counts).toEqual(local.manifest.counts);
        for (const fixture of fixtures) {
          const options = { k: 10 };
          const expected = paperIds(await searchPapers(twinIndex, queryEmbedder, fixture.query, options));
          expect(paperIds(await searchPapers(index, queryEmbedder, fixture.query, options)), fixture.id).toEqual(expected);
        }
      } finally {
        await Promise.all([index.close(), twinIndex.close()]);
      }
    });
  });

  it("never mixes versions: a reader opened before a publish refuses to read on, a stale ingest refuses to publish", async () => {
    const reader = await PostgresStorage.connect(server.url);
    const writer = await PostgresStorage.connect(server.url);
    try {
      await reader.readManifest();
      const readerVectors = await reader.openVectors();
      const manifest = (await writer.readManifest())!;
      const contents = {
        manifest,
        records: await writer.readRecords(),
        papers: await writer.readPapers(),
        chunks: await writer.readChunks(),
        keyword: (await writer.readKeywordIndex())!,
        vectors: [] as { id: string; paperId: string; contentHash: string; vector: Vector }[],
      };
      const byHash = await (await writer.openVectors()).vectorsByContentHash();
      contents.vectors = contents.chunks.map((chunk) => ({
        id: chunk.id,
        paperId: chunk.paperId,
        contentHash: chunk.contentHash,
        vector: byHash.get(chunk.contentHash)!,
      }));
      await writer.publish(contents); // same content, new version
      await expect(reader.readPapers()).rejects.toThrow(/replaced by another ingest while this command was using it/);
      await expect(readerVectors.query(contents.vectors[0]!.vector, 5)).rejects.toThrow(/replaced by another ingest/);
      await expect(reader.publish(contents)).rejects.toThrow(/another ingest published a new version/);
      expect((await writer.readPapers()).length).toBe(527); // the writer moved on to the version it published
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  describe("clear one-line errors, never the password", () => {
    const SECRET = "Err-Secret-0815";
    it("connection refused", async () => {
      const port = await freePort();
      const url = `postgres://reader:${SECRET}@127.0.0.1:${port}/citewise`;
      const result = await cli(["--store", url, "papers", "list"]);
      expectOneLineUserError(
        result,
        new RegExp(`cannot connect to PostgreSQL at postgres://reader:\\*\\*\\*@127\\.0\\.0\\.1:${port}/citewise: connection refused`),
        SECRET,
      );
    });

    it("wrong password", async () => {
      const rejecting = await startRejectingPostgres();
      try {
        const url = `postgres://postgres:${SECRET}@127.0.0.1:${rejecting.port}/postgres`;
        const result = await cli(["--store", url, "search", "attention"]);
        expectOneLineUserError(result, /refused the login: password authentication failed for user "postgres"; check the user name and password/, SECRET);
        expect(rejecting.passwordsSeen).toEqual([SECRET]); // the real driver really sent it
      } finally {
        await rejecting.stop();
      }
    });

    it("a server without pgvector", async () => {
      const plain = await startTestPostgres({ pgvector: false });
      try {
        const result = await cli(["--store", plain.url, "ingest", FILES.plain]);
        expectOneLineUserError(
          result,
          /the pgvector extension is not available in PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres \(.*\); install pgvector/,
          plain.password,
        );
        // Nothing was left behind: the failed first publish created no table.
        const client = new pg.Client({ connectionString: plain.url });
        await client.connect();
        expect((await client.query("SELECT to_regclass('citewise_meta') AS t")).rows[0].t).toBeNull();
        await client.end();
      } finally {
        await plain.stop();
      }
    });

    it("a malformed URL", async () => {
      const result = await cli(["--store", `postgres://someone:${SECRET}@127.0.0.1:notaport/db`, "papers", "list"]);
      expectOneLineUserError(result, /PostgreSQL URL postgres:\/\/someone:\*\*\*@127\.0\.0\.1:notaport\/db/, SECRET);
    });
  });

  it("an embedder of another dimension (--rebuild) recreates the vector column; large tables get an HNSW index", async () => {
    const dimension = 16;
    const hashed = (text: string) => normalizeVector(Array.from(sha1(text, 32), (c, i) => (parseInt(c, 16) + 1) * ((i % dimension) + 1)).slice(0, dimension));
    const small: Embedder = { name: "test-hash-16", dimension, embedQuery: async (text) => hashed(text), embedDocuments: async (texts) => texts.map(hashed) };
    process.env.CITEWISE_PG_HNSW_MIN_CHUNKS = "500";
    try {
      const report = await ingest({ inputs: [COPY_DATA], indexDir: server.url, embedder: small, baseDir: corpusCopy, rebuild: true });
      expect(report.chunksEmbedded).toBe(local.chunks.length);
    } finally {
      delete process.env.CITEWISE_PG_HNSW_MIN_CHUNKS;
    }
    await withClient(async (client) => {
      const type = await client.query(
        "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'citewise_chunks'::regclass AND attname = 'embedding'",
      );
      expect(type.rows[0].type).toBe("vector(16)");
      const indexes = await client.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'citewise_chunks'");
      expect(indexes.rows.map((row) => row.indexdef).join("\n")).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
    });
    const index = await loadIndex(server.url);
    try {
      expect(index.manifest.embedder).toEqual({ name: "test-hash-16", dimension: 16 });
      const query = await small.embedQuery("sequence length reduction autoencoder");
      const hits = await index.vectors.query(query, 100);
      expect(hits).toHaveLength(100);
      // A filtered query stays exact: it equals brute force over the allowed chunks.
      const allowed = new Set(index.chunks.filter((_, i) => i % 3 === 0).map((chunk) => chunk.id));
      const filtered = await index.vectors.query(query, 20, (id) => allowed.has(id));
      const all = await index.vectors.vectorsFor([...allowed]);
      const brute = [...all].map(([id, v]) => ({ id, score: Array.from(v).reduce((sum, x, i) => sum + x * query[i]!, 0) })).sort((a, b) => b.score - a.score);
      expect(filtered.map((hit) => hit.id)).toEqual(brute.slice(0, 20).map((hit) => hit.id));
    } finally {
      await index.close();
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
