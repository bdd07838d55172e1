// The public API of each package, as API Extractor reads its built type declarations, against the
// report committed in packages/<name>/api/<name>.api.md. `pnpm check:api` fails when they differ (an
// export added, removed or changed without the report saying so); `pnpm check:api --update` writes
// the reports anew, to commit with the change that made them. Run after `pnpm build`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = new URL('..', import.meta.url).pathname;
const update = process.argv.includes('--update');
const temp = mkdtempSync(join(tmpdir(), 'agentops-api-'));
let failed = false;
try {
  for (const pkg of ['exporter', 'agentops', 'server']) {
    const dir = join(root, 'packages', pkg);
    if (update) mkdirSync(join(dir, 'api'), { recursive: true });
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: dir,
        mainEntryPointFilePath: '<projectFolder>/dist/index.d.ts',
        compiler: {
          overrideTsconfig: {
            compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] },
          },
        },
        apiReport: {
          enabled: true,
          reportFileName: '<unscopedPackageName>.api.md',
          reportFolder: '<projectFolder>/api/',
          reportTempFolder: temp,
        },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: 'lf',
        messages: {
          compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
          extractorMessageReporting: {
            default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
            // Release tags (@public, @beta) are not used: what the entry point exports is public.
            'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
            // Which members lack a doc comment is the linter's business, not the API's.
            'ae-undocumented': { logLevel: ExtractorLogLevel.None },
          },
          tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        },
      },
      configObjectFullPath: join(dir, 'api-extractor.json'),
      packageJsonFullPath: join(dir, 'package.json'),
    });
    const result = Extractor.invoke(config, {
      localBuild: update,
      showVerboseMessages: false,
      messageCallback: (message) => {
        // Said in the report file itself (addToApiReportFile), not on the console.
        if (message.category === 'Extractor') message.handled = true;
        if (message.messageId === 'console-compiler-version-notice') message.handled = true;
      },
    });
    const report = `packages/${pkg}/api/${pkg}.api.md`;
    if (!result.succeeded) {
      failed = true;
      console.error(
        result.apiReportChanged
          ? `${report}: the public API changed. If the change is meant, run \`pnpm check:api --update\` and commit the report.`
          : `${report}: API Extractor failed (${result.errorCount} errors).`,
      );
    } else {
      console.log(`${report}: ${result.apiReportChanged ? 'written anew' : 'unchanged'}`);
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
if (failed) process.exit(1);
