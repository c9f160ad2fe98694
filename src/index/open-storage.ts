import path from "node:path";
import { LocalStorage } from "./local/local-storage.js";
import { isPostgresUrl, type IndexStorage } from "./storage.js";

/** A folder path opens the local backend; a postgres:// URL opens the PostgreSQL + pgvector backend. */
export async function openStorage(location: string): Promise<IndexStorage> {
  if (isPostgresUrl(location)) {
    // Loaded on demand so local users never load the Postgres driver.
    const { PostgresStorage } = await import("./postgres/postgres-storage.js");
    return PostgresStorage.connect(location);
  }
  return new LocalStorage(path.resolve(location));
}
