import { UseLiteEmbedder } from "../index/embedders/use-lite.js";

/** The real USE-Lite embedder, started only if something needs it (its worker threads cost time and memory). */
export class LazyUseLite {
  private instance: UseLiteEmbedder | null = null;

  get = (): UseLiteEmbedder => (this.instance ??= new UseLiteEmbedder());

  async close(): Promise<void> {
    await this.instance?.close();
    this.instance = null;
  }
}
