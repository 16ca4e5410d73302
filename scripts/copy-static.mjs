// postinstall: copies htmx from the htmx.org package into static/vendor (served locally, never from a CDN).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const pkgDir = path.dirname(require.resolve('htmx.org/package.json'));
const src = path.join(pkgDir, 'dist', 'htmx.min.js');
const destDir = path.join(root, 'static', 'vendor');
fs.mkdirSync(destDir, { recursive: true });
fs.copyFileSync(src, path.join(destDir, 'htmx.min.js'));
const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
fs.writeFileSync(path.join(destDir, 'VERSION'), `htmx.org ${version}\n`);
console.log(`static/vendor/htmx.min.js: htmx.org ${version}`);
