/**
 * Import structure of src/ (npm run lint): no cycles, and every import points down this list of layers.
 * A folder may import folders below it (and its own), never one above: cli and bench are the entry points,
 * app/ the composition root they share, settings.ts and errors.ts the floor.
 */
const LAYERS = [
  ["cli", "bench"],
  ["eval"],
  ["app"],
  ["tasks"],
  ["generate"],
  ["ground", "retrieve", "ingest"],
  ["index"],
  ["llm"],
  ["text"],
  ["corpus"],
  ["settings.ts", "errors.ts"],
];

const folder = (name) => (name.endsWith(".ts") ? `^src/${name.replace(".", "\\.")}$` : `^src/${name}/`);

const layerRules = LAYERS.flatMap((layer, rank) => {
  const above = LAYERS.slice(0, rank).flat();
  const peers = layer.filter((name) => !name.endsWith(".ts"));
  return layer.map((name) => ({
    name: `layer-${name}`,
    comment: `${name} sits below ${above.join(", ") || "nothing"}${peers.length > 1 ? ` and beside ${peers.filter((p) => p !== name).join(", ")}` : ""}: it must not import them`,
    severity: "error",
    from: { path: folder(name) },
    to: { path: [...above, ...peers.filter((peer) => peer !== name)].map(folder) },
  }));
}).filter((rule) => rule.to.path.length > 0);

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "a cycle makes both modules one", from: {}, to: { circular: true } },
    {
      name: "no-dev-deps-in-shipped-code",
      severity: "error",
      comment: "dist/ ships without devDependencies (only the bench and tests may use them)",
      from: { path: "^src/", pathNot: "^src/bench/" },
      to: { dependencyTypes: ["npm-dev"] },
    },
    { name: "not-to-unresolvable", severity: "error", from: {}, to: { couldNotResolve: true } },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.bench.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js"] },
  },
};
