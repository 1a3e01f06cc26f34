/**
 * dist/ is committed so readers see what the example produces without running anything; this
 * keeps it honest. `npm run synth` rewrites it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { exampleProfile, ShopChart } from '../src/main';

test('dist/shop.k8s.yaml is what the example synthesizes with the production profile', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(require('os').tmpdir(), 'shop-')) });
  exampleProfile(app, {}).applyTo(app);
  new ShopChart(app, 'shop');
  const committed = fs.readFileSync(path.join(__dirname, '..', 'dist', 'shop.k8s.yaml'), 'utf8');
  expect(app.synthYaml()).toBe(committed);
});
