/**
 * Imported first by the example app (src/main.ts), before cdk8s, cdk8s-plus-27 and this library
 * load. Compiling their JavaScript is most of a synth's start-up; Node 22.1+ can keep the compiled
 * code on disk (in NODE_COMPILE_CACHE, else a directory under the system's temp directory) and
 * reuse it while the files are unchanged, so only the first synth after an install pays for it.
 * On a Node without the API this does nothing, and a cache it cannot write only costs the compile.
 */
import * as nodeModule from 'module';

type CompileCacheApi = { enableCompileCache?: (directory?: string) => unknown };

try {
  (nodeModule as unknown as CompileCacheApi).enableCompileCache?.();
} catch {
  // A read-only or missing temp directory: synth still works, it only compiles as before.
}
