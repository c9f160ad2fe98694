import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, createReadStream, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { runCli, runCliAsync, tempDir } from "./helpers.js";
import { withFault } from "./support/fault-log.js";
import { changedFiles, folderFingerprint } from "./support/small-index.js";

/**
 * Files the CLI writes (--out, --bib-out, eval --out, chat /export) never destroy anything: devices, FIFOs
 * and stdout targets are written to, links followed, modes kept, existing files replaced only when asked,
 * inputs never written, and nothing lands inside the index folder. Every case runs the real CLI.
 */
const TOPIC = "low-rank adaptation of large language models";
const index = () => inject("corpusIndex");
const summarize = (out: string, extra: string[] = [], cwd?: string) =>
  runCliAsync(["--index", index(), "summarize", TOPIC, "-k", "6", "--out", out, ...extra], { cwd });
const isRoot = process.getuid?.() === 0;

function mknod(file: string, type: "c" | "b", major: number, minor: number): boolean {
  return spawnSync("mknod", [file, type, String(major), String(minor)]).status === 0;
}

const oneLineError = (result: { code: number | null; stderr: string }, pattern: RegExp) => {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^citewise: error: /);
  expect(lines[0]).toMatch(pattern);
};

describe("--out never replaces what is not a regular file", () => {
  it.skipIf(!isRoot)("a character device (mknod c 1 3, like /dev/null) is written to and stays a device", async () => {
    const dir = tempDir();
    const device = path.join(dir, "null");
    if (!mknod(device, "c", 1, 3)) return console.warn("mknod not permitted here; device case skipped");
    const before = statSync(device);
    await withFault(
      {
        category: "output",
        fault: "--out names a character device (a /dev/null made with mknod)",
        count: 1,
        outcome: "written to the device; the node is kept",
      },
      async () => {
        const result = await summarize(device);
        expect(result.code, result.stderr).toBe(0);
        const after = lstatSync(device);
        expect(after.isCharacterDevice()).toBe(true);
        expect(after.rdev).toBe(before.rdev);
        expect(after.ino).toBe(before.ino);
        return { dataLost: after.isCharacterDevice() ? 0 : 1 };
      },
    );
  });

  it.skipIf(!isRoot)("a block device is refused with one line, exit 2, and left alone", async () => {
    const dir = tempDir();
    const device = path.join(dir, "disk");
    if (!mknod(device, "b", 7, 200)) return console.warn("mknod not permitted here; block-device case skipped");
    await withFault({ category: "output", fault: "--out names a block device", count: 1, outcome: "refused before any work, exit 2" }, async () => {
      const result = await summarize(device);
      oneLineError(result, /is a block device/);
      expect(lstatSync(device).isBlockDevice()).toBe(true);
      return { dataLost: lstatSync(device).isBlockDevice() ? 0 : 1 };
    });
  });

  it("a FIFO is written to (a reader receives the document) and stays a FIFO", async () => {
    const dir = tempDir();
    const fifo = path.join(dir, "pipe");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    await withFault(
      { category: "output", fault: "--out names a FIFO with a reader", count: 1, outcome: "document streamed into the FIFO; the FIFO is kept" },
      async () => {
        let received = "";
        const reader = new Promise<void>((resolve, reject) => {
          createReadStream(fifo, "utf8")
            .on("data", (chunk) => (received += chunk))
            .on("end", resolve)
            .on("error", reject);
        });
        const result = await summarize(fifo);
        await reader;
        expect(result.code, result.stderr).toBe(0);
        expect(received).toMatch(/\[\d+\]/);
        expect(lstatSync(fifo).isFIFO()).toBe(true);
        return { dataLost: lstatSync(fifo).isFIFO() ? 0 : 1 };
      },
    );
  });

  it("a symbolic link is followed: the link stays, its target gets the text, and a link to /dev/stdout prints it", async () => {
    const dir = tempDir();
    const target = path.join(dir, "real.md");
    writeFileSync(target, "old\n");
    const link = path.join(dir, "out.md");
    symlinkSync(target, link);
    const toStdout = path.join(dir, "stdout.md");
    symlinkSync("/proc/self/fd/1", toStdout);
    await withFault(
      {
        category: "output",
        fault: "--out names a symlink (to a file, and to /proc/self/fd/1)",
        count: 2,
        outcome: "link followed and kept; stdout target printed",
      },
      async () => {
        const result = await summarize(link);
        expect(result.code, result.stderr).toBe(0);
        expect(lstatSync(link).isSymbolicLink()).toBe(true);
        expect(readFileSync(target, "utf8")).toMatch(/\[\d+\]/);
        const printed = await summarize(toStdout);
        expect(printed.code, printed.stderr).toBe(0);
        expect(lstatSync(toStdout).isSymbolicLink()).toBe(true);
        // The document went to the process's stdout through the link, exactly as the file above received it.
        expect(printed.stdout).toContain(readFileSync(target, "utf8"));
        return { dataLost: [link, toStdout].filter((file) => !lstatSync(file).isSymbolicLink()).length };
      },
    );
  });

  it("a file with a second hard link is rewritten in place (both names see the new text); an existing file keeps its mode", async () => {
    const dir = tempDir();
    const file = path.join(dir, "notes.md");
    const twin = path.join(dir, "twin.md");
    writeFileSync(file, "old\n");
    linkSync(file, twin);
    const secret = path.join(dir, "private.md");
    writeFileSync(secret, "old\n");
    chmodSync(secret, 0o600);
    await withFault(
      { category: "output", fault: "--out names a hard-linked file, and a file with mode 0600", count: 2, outcome: "link kept (same inode), mode 0600 kept" },
      async () => {
        const inode = statSync(file).ino;
        expect((await summarize(file)).code).toBe(0);
        expect(statSync(file).ino).toBe(inode);
        expect(statSync(file).nlink).toBe(2);
        expect(readFileSync(twin, "utf8")).toBe(readFileSync(file, "utf8"));
        expect(readFileSync(twin, "utf8")).toMatch(/\[\d+\]/);
        expect((await summarize(secret)).code).toBe(0);
        expect(statSync(secret).mode & 0o777).toBe(0o600);
        expect(readFileSync(secret, "utf8")).toMatch(/\[\d+\]/);
        return { dataLost: Number(statSync(file).ino !== inode) + Number(statSync(file).nlink !== 2) + Number((statSync(secret).mode & 0o777) !== 0o600) };
      },
    );
  });

  it("a folder is refused with one line and exit 2, before any work", async () => {
    const dir = tempDir();
    await withFault({ category: "output", fault: "--out names a folder", count: 1, outcome: "refused, exit 2" }, async () => {
      oneLineError(await summarize(dir), /is a folder/);
      return { dataLost: statSync(dir).isDirectory() ? 0 : 1 };
    });
  });
});

describe("existing files, inputs and the index folder", () => {
  it("related-work never silently replaces ./related-work.bib; --force does", async () => {
    const dir = tempDir();
    const bib = path.join(dir, "related-work.bib");
    writeFileSync(bib, "@misc{mine, title={My own entry}}\n");
    await withFault(
      {
        category: "output",
        fault: "related-work with an existing ./related-work.bib (no --bib-out)",
        count: 2,
        outcome: "refused, exit 2, file unchanged; --force replaces it",
      },
      async () => {
        const refused = await runCliAsync(["--index", index(), "related-work", TOPIC, "-k", "6"], { cwd: dir });
        oneLineError(refused, /related-work\.bib already exists and was not replaced; pass --force to replace it, or --bib-out FILE/);
        expect(refused.stdout).toBe("");
        expect(readFileSync(bib, "utf8")).toBe("@misc{mine, title={My own entry}}\n");
        const lost = Number(readFileSync(bib, "utf8") !== "@misc{mine, title={My own entry}}\n");
        const forced = await runCliAsync(["--index", index(), "related-work", TOPIC, "-k", "6", "--force"], { cwd: dir });
        expect(forced.code, forced.stderr).toBe(0);
        expect(readFileSync(bib, "utf8")).toMatch(/^@/m);
        expect(readFileSync(bib, "utf8")).not.toContain("My own entry");
        return { dataLost: lost };
      },
    );
  });

  it('"-" is standard output: --bib-out - prints the BibTeX after the text and no file named "-" appears', async () => {
    const dir = tempDir();
    const result = await runCliAsync(["--index", index(), "related-work", TOPIC, "-k", "6", "--bib-out", "-"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(dir, "-"))).toBe(false);
    expect(existsSync(path.join(dir, "related-work.bib"))).toBe(false);
    expect(result.stdout).toMatch(/^@\w+\{[^,]+,/m);
    expect(result.stderr).toMatch(/wrote BibTeX of \d+ cited papers to standard output/);
  });

  it("--bib refs.bib --bib-out refs.bib is refused: the user's bibliography is an input, never an output", async () => {
    const dir = tempDir();
    const refs = path.join(dir, "refs.bib");
    const original =
      "@article{hu2021lora,\n  title = {LoRA: Low-Rank Adaptation of Large Language Models},\n  year = {2021}\n}\n\n@article{unrelated2020,\n  title = {Something else entirely},\n  year = {2020}\n}\n";
    writeFileSync(refs, original);
    linkSync(refs, path.join(dir, "same-refs.bib"));
    await withFault(
      {
        category: "output",
        fault: "related-work --bib refs.bib --bib-out refs.bib (and via a hard link)",
        count: 2,
        outcome: "refused, exit 2, refs.bib unchanged",
      },
      async () => {
        oneLineError(
          await runCliAsync(["--index", index(), "related-work", TOPIC, "--bib", "refs.bib", "--bib-out", "refs.bib"], { cwd: dir }),
          /refs\.bib is also an input of this command/,
        );
        oneLineError(
          await runCliAsync(["--index", index(), "related-work", TOPIC, "--bib", "refs.bib", "--bib-out", "same-refs.bib"], { cwd: dir }),
          /is also an input/,
        );
        expect(readFileSync(refs, "utf8")).toBe(original);
        return { dataLost: readFileSync(refs, "utf8") === original ? 0 : 1 };
      },
    );
  });

  it("--out and --bib-out naming one file through a link or a hard link are refused; one device twice is allowed", async () => {
    const dir = tempDir();
    const target = path.join(dir, "draft.txt");
    writeFileSync(target, "mine\n");
    symlinkSync("draft.txt", path.join(dir, "via-link.md"));
    linkSync(target, path.join(dir, "via-hard-link.md"));
    await withFault(
      { category: "output", fault: "--out and --bib-out one file via a symlink or a hard link", count: 2, outcome: "refused, exit 2, file unchanged" },
      async () => {
        for (const spelling of ["via-link.md", "via-hard-link.md"])
          oneLineError(
            await runCliAsync(["--index", index(), "related-work", TOPIC, "-k", "6", "--out", spelling, "--bib-out", "draft.txt"], { cwd: dir }),
            /--out and --bib-out name the same file/,
          );
        expect(readFileSync(target, "utf8")).toBe("mine\n");
        return { dataLost: Number(readFileSync(target, "utf8") !== "mine\n") };
      },
    );
    // Two writes to one device replace nothing: allowed.
    const device = path.join(dir, "null");
    if (isRoot && mknod(device, "c", 1, 3)) {
      const both = await runCliAsync(["--index", index(), "related-work", TOPIC, "-k", "6", "--out", device, "--bib-out", device], { cwd: dir });
      expect(both.code, both.stderr).toBe(0);
      expect(lstatSync(device).isCharacterDevice()).toBe(true);
    }
  });

  it("eval --out cannot overwrite one of its suites", async () => {
    const dir = tempDir();
    const suite = path.join(dir, "suite.jsonl");
    const content = `${readFileSync(path.join(import.meta.dirname, "..", "evals", "answers.jsonl"), "utf8").split("\n")[0]}\n`;
    writeFileSync(suite, content);
    await withFault({ category: "output", fault: "eval --out names its own --suite file", count: 1, outcome: "refused, exit 2, suite unchanged" }, async () => {
      oneLineError(await runCliAsync(["--index", index(), "eval", "--suite", suite, "--out", suite]), /is also an input of this command/);
      expect(readFileSync(suite, "utf8")).toBe(content);
      return { dataLost: Number(readFileSync(suite, "utf8") !== content) };
    });
  });

  it("chat /export does not overwrite an existing file unless /export --force; nothing is written inside the index folder", async () => {
    const dir = tempDir();
    const keep = path.join(dir, "keep.md");
    writeFileSync(keep, "my notes\n");
    // A private copy of the index: if the guard failed, the shared test index must not be the one damaged.
    const copy = path.join(dir, "index");
    cpSync(index(), copy, { recursive: true });
    const pointer = readFileSync(path.join(copy, "CURRENT"), "utf8");
    await withFault(
      {
        category: "output",
        fault: "chat /export to an existing file, and to <index>/CURRENT",
        count: 2,
        outcome: "refused with a message; files unchanged; --force replaces",
      },
      async () => {
        const input = [
          "How does DeltaZip compress fine-tuned models?",
          `/export ${keep}`,
          `/export ${path.join(copy, "CURRENT")}`,
          `/export ${path.join(copy, "notes.md")}`,
        ].join("\n");
        const result = runCli(["--index", copy, "chat"], { input });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toContain("keep.md already exists and was not replaced; use /export --force FILE to replace it");
        expect(result.stdout).toMatch(/CURRENT is inside the index folder/);
        expect(readFileSync(keep, "utf8")).toBe("my notes\n");
        expect(readFileSync(path.join(copy, "CURRENT"), "utf8")).toBe(pointer);
        expect(existsSync(path.join(copy, "notes.md"))).toBe(false);
        const forced = runCli(["--index", copy, "chat"], { input: ["How does DeltaZip compress fine-tuned models?", `/export --force ${keep}`].join("\n") });
        expect(forced.code, forced.stderr).toBe(0);
        expect(readFileSync(keep, "utf8")).toContain("## How does DeltaZip compress fine-tuned models?");
        return { dataLost: readFileSync(path.join(copy, "CURRENT"), "utf8") === pointer ? 0 : 1 };
      },
    );
  });

  it("--out inside the index folder is refused for every writing command", async () => {
    const dir = tempDir();
    const copy = path.join(dir, "index");
    cpSync(index(), copy, { recursive: true });
    mkdirSync(path.join(copy, "segments", "notes"), { recursive: true });
    const before = folderFingerprint(copy);
    await withFault(
      { category: "output", fault: "--out / --bib-out inside the index folder (summarize, related-work, compare)", count: 3, outcome: "refused, exit 2" },
      async () => {
        oneLineError(await runCliAsync(["--index", copy, "summarize", TOPIC, "--out", path.join(copy, "summary.md")]), /inside the index folder/);
        oneLineError(await runCliAsync(["--index", copy, "related-work", TOPIC, "--bib-out", path.join(copy, "CURRENT")]), /inside the index folder/);
        oneLineError(
          await runCliAsync(["--index", copy, "compare", "--query", TOPIC, "--out", path.join(copy, "segments", "notes", "x.md")]),
          /inside the index folder/,
        );
        expect(existsSync(path.join(copy, "summary.md"))).toBe(false);
        expect(folderFingerprint(copy)).toEqual(before);
        return { dataLost: changedFiles(before, folderFingerprint(copy)) };
      },
    );
  });
});
