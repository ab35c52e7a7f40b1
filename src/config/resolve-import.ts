// Resolves the import specifiers of a config module that is evaluated from a `data:` URL (which
// has no directory of its own): relative paths against the config file, packages from the config's
// node_modules (package.json `exports` with the node/import/default conditions, else `main`),
// builtins unchanged. Unresolvable packages throw an error shaped like Node's ERR_MODULE_NOT_FOUND.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CONDITIONS = ['node', 'import', 'module-sync', 'default'];

/** The URL to import `specifier` from, as if imported by the module file `fromFile`. */
export function resolveImport(specifier: string, fromFile: string): string {
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return specifier;
  if (/^[a-z][a-z\d+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) return specifier;
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    return pathToFileURL(resolve(dirname(fromFile), specifier)).href;
  }
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  return pathToFileURL(resolvePackage(specifier, fromFile)).href;
}

/** A local path ending in `.ts`/`.mts` (to be loaded with the type stripper too). */
export function isTypeScriptUrl(url: string): boolean {
  return url.startsWith('file:') && /\.m?ts$/.test(url);
}

function resolvePackage(specifier: string, fromFile: string): string {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join('/')}` : '.';
  for (let dir = dirname(fromFile); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    const manifest = join(pkgDir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown; main?: unknown };
      if (pkg.exports !== undefined && pkg.exports !== null) {
        const target = exportsTarget(pkg.exports, subpath);
        if (target !== null) return join(pkgDir, target);
        throw notFound(specifier, fromFile, `'${subpath}' is not exported by ${manifest}`);
      }
      if (subpath !== '.') return join(pkgDir, subpath);
      const main = typeof pkg.main === 'string' ? join(pkgDir, pkg.main) : join(pkgDir, 'index.js');
      for (const candidate of [main, `${main}.js`, join(main, 'index.js')]) {
        if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
      }
      throw notFound(specifier, fromFile, `${manifest} names no entry file that exists`);
    }
    if (dirname(dir) === dir) throw notFound(specifier, fromFile);
  }
}

/** The file `exports` maps `subpath` to (relative to the package), or null. */
function exportsTarget(exports: unknown, subpath: string): string | null {
  const isSubpathMap =
    typeof exports === 'object' &&
    !Array.isArray(exports) &&
    Object.keys(exports as object).some((k) => k.startsWith('.'));
  const map = (isSubpathMap ? exports : { '.': exports }) as Record<string, unknown>;
  if (Object.hasOwn(map, subpath)) return pick(map[subpath], '');
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      return pick(value, subpath.slice(prefix.length, subpath.length - suffix.length));
    }
  }
  return null;
}

function pick(target: unknown, star: string): string | null {
  if (typeof target === 'string') return target.replaceAll('*', star);
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = pick(t, star);
      if (r !== null) return r;
    }
    return null;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.includes(condition)) continue;
      const r = pick(value, star);
      if (r !== null) return r;
    }
  }
  return null;
}

function notFound(specifier: string, fromFile: string, why?: string): Error {
  const err = new Error(
    `Cannot find package '${specifier}' imported from ${fromFile}${why ? ` (${why})` : ''}`,
  ) as Error & { code: string };
  err.code = 'ERR_MODULE_NOT_FOUND';
  return err;
}
