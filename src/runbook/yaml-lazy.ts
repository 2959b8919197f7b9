/**
 * The `yaml` package, loaded on first use. Valid files are read by js-yaml (parse-fast.ts),
 * so `yaml` is needed only to report problems; importing it costs tens of milliseconds of
 * cold start that `stepwise run` of a valid runbook would otherwise pay every time. Its
 * Node build is CommonJS, so `require` loads it synchronously, exactly as `import` would.
 */
import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');

let loaded: YamlModule | undefined;

/** The `yaml` module (loaded now if it was not yet). */
export function yamlModule(): YamlModule {
  loaded ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return loaded;
}
