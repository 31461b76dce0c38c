// Finds fields the Kubernetes API does not know (a typo such as `hostPid` or `readonly`), which
// kubernetes-models' schema validation lets through because its schemas allow extra properties.
// The field lists come from the TypeScript declarations shipped with kubernetes-models: each
// object type is an interface whose quoted members are exactly the API's fields.
'use strict';

const fs = require('fs');
const path = require('path');

const modelsRoot = path.dirname(require.resolve('kubernetes-models/package.json'));
const nodeModules = path.resolve(modelsRoot, '..');

// Cache: declaration file → { fields: Map(name → type text) } or null (not an interface).
const interfaces = new Map();

function declarationFile(spec, fromFile) {
  if (spec.startsWith('.')) return path.resolve(path.dirname(fromFile), spec + '.d.ts');
  return path.join(nodeModules, spec + '.d.ts');
}

// Reads the interface in a .d.ts file and the files its member types come from.
function readInterface(file) {
  if (interfaces.has(file)) return interfaces.get(file);
  const source = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const imports = new Map();
  for (const m of source.matchAll(/import \{ ([^}]+) \} from "([^"]+)";/g)) {
    for (const name of m[1].split(',').map((s) => s.trim())) imports.set(name, declarationFile(m[2], file));
  }
  const head = /export interface \w+(?: extends [\w, ]+)? \{\n/.exec(source);
  let result = null;
  if (head) {
    const fields = new Map();
    const body = source.slice(head.index + head[0].length);
    let i = 0;
    for (;;) {
      const member = /^\s*"([^"]+)"\??: /.exec(body.slice(i));
      if (!member) break;
      i += member[0].length;
      // The type runs to the ";" that closes it at brace/angle depth 0.
      let depth = 0, j = i;
      for (; j < body.length; j++) {
        const c = body[j];
        if (c === '{' || c === '<' || c === '(') depth++;
        else if (c === '}' || c === '>' || c === ')') depth--;
        else if (c === ';' && depth === 0) break;
      }
      fields.set(member[1], body.slice(i, j).trim());
      i = j + 1;
    }
    if (fields.size === 0) throw new Error(`known_fields: no members parsed in ${file}`);
    result = { fields, imports };
  }
  interfaces.set(file, result);
  return result;
}

// Checks `value` against a member type's text; pushes "path: unknown field" problems.
function checkType(typeText, imports, value, where, problems) {
  if (value === null || value === undefined) return;
  const t = typeText.trim();
  const array = /^Array<([\s\S]+)>$/.exec(t);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, k) => checkType(array[1], imports, item, `${where}[${k}]`, problems));
    return;
  }
  const map = /^\{\s*\[key: string\]: ([\s\S]+?);?\s*\}$/.exec(t);
  if (map) {
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) checkType(map[1], imports, v, `${where}.${k}`, problems);
    return;
  }
  if (/^I\w+$/.test(t) && imports.has(t)) {
    checkObject(imports.get(t), value, where, problems);
  }
  // Anything else (string, number, literal unions, int-or-string aliases) has no fields.
}

function checkObject(file, value, where, problems) {
  const iface = readInterface(file);
  if (!iface || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const type = iface.fields.get(key);
    if (type === undefined) problems.push(`${where}.${key}: unknown field`);
    else checkType(type, iface.imports, v, `${where}.${key}`, problems);
  }
}

// Unknown fields anywhere in a whole object (apiVersion/kind pick the type); [] when none.
function unknownFields(object) {
  const file = path.join(modelsRoot, object.apiVersion, `${object.kind}.d.ts`);
  if (!fs.existsSync(file)) return [`${object.apiVersion} ${object.kind}: no such kind in kubernetes-models`];
  const problems = [];
  checkObject(file, object, object.kind, problems);
  return problems;
}

module.exports = { unknownFields };
