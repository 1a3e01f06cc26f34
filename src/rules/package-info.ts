/**
 * This package's name, version and where its rule documentation lives, for reports. The docs
 * link comes from package.json: `homepage` (a repository page) gives
 * `<homepage>/blob/main/docs/rules.md#<rule-id>`; without one, the docs/rules.md shipped in the
 * package is linked as a file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';

export const TOOL_NAME = 'cdk8s-resilient';

let info: { version: string; root?: string; homepage?: string } | undefined;

function packageInfo(): { version: string; root?: string; homepage?: string } {
  if (info) return info;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === TOOL_NAME) {
        return (info = { version: String(pkg.version), root: dir, ...(typeof pkg.homepage === 'string' ? { homepage: pkg.homepage } : {}) });
      }
    } catch {
      // not here: keep looking upwards
    }
    if (path.dirname(dir) === dir) return (info = { version: '0.0.0' });
  }
}

/** This package's version, from the package.json above the compiled (or source) file. */
export function packageVersion(): string {
  return packageInfo().version;
}

/** The documentation of a rule (or of the rule table). */
export function ruleDocUrl(ruleId?: string): string {
  const key = ruleId ?? '';
  let url = docUrls.get(key);
  if (url === undefined) {
    const { homepage, root } = packageInfo();
    const anchor = ruleId ? `#${ruleId}` : '';
    url = homepage
      ? `${homepage.replace(/#.*$/, '').replace(/\/$/, '')}/blob/main/docs/rules.md${anchor}`
      : `${pathToFileURL(path.join(root ?? process.cwd(), 'docs', 'rules.md')).href}${anchor}`;
    // Reports ask once per finding: the answer is the same for every finding of a rule.
    if ((homepage || root) && docUrls.size < 1000) docUrls.set(key, url);
  }
  return url;
}

const docUrls = new Map<string, string>();
