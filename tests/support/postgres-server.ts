import net from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * A real PostgreSQL wire-protocol server for tests: PGlite (Postgres compiled to WASM, in memory) with the
 * pgvector extension, behind pglite-socket on 127.0.0.1 and a free port. The `pg` driver and the CLI
 * connect to it exactly as they would to a PostgreSQL server.
 *
 * PGlite runs one session: pglite-socket accepts several connections and runs their queries one at a
 * time, holding others back while one connection is inside a transaction. The production code needs
 * none of this; it simply means a test must not await another connection while holding a transaction.
 */
export interface TestPostgres {
  /** postgres://… URL with a password, so tests can check it never shows up in output. */
  url: string;
  password: string;
  stop(): Promise<void>;
}

export const TEST_PASSWORD = "pg-Secret-4711";

export async function startTestPostgres(options: { pgvector?: boolean } = {}): Promise<TestPostgres> {
  const db = await PGlite.create(options.pgvector === false ? {} : { extensions: { vector } });
  // Several clients at once: the test process and the CLI processes it starts.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 32 });
  await server.start();
  return {
    url: `postgres://postgres:${TEST_PASSWORD}@${server.getServerConn()}/postgres`,
    password: TEST_PASSWORD,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * Speaks just enough of the protocol to refuse a login the way PostgreSQL does: it asks for a password,
 * then answers with FATAL 28P01. Used to check the CLI's message for a wrong password (PGlite accepts any).
 */
export async function startRejectingPostgres(): Promise<{ port: number; passwordsSeen: string[]; stop(): Promise<void> }> {
  const passwordsSeen: string[] = [];
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("error", () => {});
    socket.on("data", (data) => {
      buffer = Buffer.concat([buffer, data]);
      if (!started) {
        if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
        buffer = buffer.subarray(buffer.readInt32BE(0));
        started = true;
        socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
      }
      if (buffer.length >= 5 && buffer[0] === 0x70 && buffer.length >= 1 + buffer.readInt32BE(1)) {
        passwordsSeen.push(buffer.subarray(5, buffer.readInt32BE(1)).toString("utf8").replace(/\0$/, ""));
        socket.end(errorResponse("28P01", 'password authentication failed for user "postgres"'));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    passwordsSeen,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, "utf8");
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

/**
 * A TCP proxy in front of a server that drops both sides of a connection as soon as the client sends
 * bytes matching `cutWhen`: a network failure at a chosen point of a conversation (e.g. mid-publish).
 */
export async function startCuttingProxy(
  target: string,
  cutWhen: (clientBytes: string) => boolean,
): Promise<{ url: string; cuts: number; stop(): Promise<void> }> {
  const targetUrl = new URL(target);
  const sockets = new Set<net.Socket>();
  const state = { cuts: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetUrl.port), targetUrl.hostname);
    sockets.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cut);
    upstream.on("error", cut);
    client.on("close", cut);
    upstream.on("close", cut);
    client.on("data", (data) => {
      if (cutWhen(data.toString("latin1"))) {
        state.cuts++;
        cut();
      } else upstream.write(data);
    });
    upstream.on("data", (data) => client.write(data));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxied = new URL(target);
  proxied.port = String((server.address() as net.AddressInfo).port);
  return {
    url: proxied.toString(),
    get cuts() {
      return state.cuts;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
