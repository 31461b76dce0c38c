#!/usr/bin/env node
// Renders a Helm chart the way `helm template` would, for the subset of Helm's template language
// that deploy/helm/zerotrace uses, so the chart can be checked where no helm binary exists.
// Anything outside that subset is an error naming the file and the construct, never a silent
// guess: a chart change that needs more must extend this renderer (and its checks) on purpose.
//
// Supported:
//   {{ pipeline }}  {{- ... -}} trimming  {{/* comments */}}
//   {{ define "name" }} ... {{ end }}  {{ if p }} / {{ else if p }} / {{ else }} / {{ end }}
//   {{ range p }} ... {{ end }}  (lists and maps; maps in sorted key order)
//   operands: .  .A.b  $  $.A.b  "strings"  numbers  true false  ( pipeline )
//   functions: include toYaml nindent indent quote default, chained with |
//   objects: .Values .Chart.{Name,Version,AppVersion} .Release.{Name,Namespace,Service,...}
//
// Usage: render_chart.js CHART_DIR [-f VALUES.yaml]... [--release NAME] [--namespace NS]
//                        [-o OUT.yaml] [--notes NOTES.txt]
'use strict';

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

class RenderError extends Error {}

// ---------------------------------------------------------------- lexing

// Splits a template into text and action tokens and applies {{- / -}} trimming.
function lex(source, file) {
  const tokens = [];
  let pos = 0;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open < 0) {
      tokens.push({ type: 'text', value: source.slice(pos) });
      break;
    }
    tokens.push({ type: 'text', value: source.slice(pos, open) });
    const close = findActionEnd(source, open + 2, file);
    let body = source.slice(open + 2, close);
    const line = source.slice(0, open).split('\n').length;
    let ltrim = false, rtrim = false;
    if (/^-\s/.test(body)) { ltrim = true; body = body.slice(1); }
    if (/\s-$/.test(body)) { rtrim = true; body = body.slice(0, -1); }
    tokens.push({ type: 'action', body: body.trim(), ltrim, rtrim, where: `${file}:${line}` });
    pos = close + 2;
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== 'action') continue;
    if (t.ltrim && i > 0) tokens[i - 1].value = tokens[i - 1].value.replace(/\s+$/, '');
    if (t.rtrim && i + 1 < tokens.length) tokens[i + 1].value = tokens[i + 1].value.replace(/^\s+/, '');
  }
  return tokens.filter((t) => t.type === 'action' || t.value !== '');
}

function findActionEnd(source, from, file) {
  let inString = false;
  for (let i = from; i < source.length - 1; i++) {
    const c = source[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '}' && source[i + 1] === '}') {
      return i;
    }
  }
  throw new RenderError(`${file}: "{{" without a closing "}}"`);
}

// ---------------------------------------------------------------- expressions

function tokenizeExpression(text, where) {
  const out = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === '|') { out.push({ kind: c }); i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new RenderError(`${where}: unterminated string in {{ ${text} }}`);
      out.push({ kind: 'literal', value: JSON.parse(text.slice(i, j + 1)) });
      i = j + 1;
      continue;
    }
    const word = /^[^\s()|]+/.exec(text.slice(i))[0];
    i += word.length;
    if (/^-?\d+(\.\d+)?$/.test(word)) out.push({ kind: 'literal', value: Number(word) });
    else if (word === 'true' || word === 'false') out.push({ kind: 'literal', value: word === 'true' });
    else if (/^\.$|^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(word)) {
      out.push({ kind: 'field', root: 'dot', path: word === '.' ? [] : word.slice(1).split('.') });
    } else if (/^\$((\.[A-Za-z_][A-Za-z0-9_]*)*)$/.test(word)) {
      out.push({ kind: 'field', root: 'root', path: word === '$' ? [] : word.slice(2).split('.') });
    } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) out.push({ kind: 'function', name: word });
    else throw new RenderError(`${where}: unsupported syntax "${word}" in {{ ${text} }} (variables, ` +
      `raw strings and assignments are outside this renderer's subset)`);
  }
  return out;
}

// pipeline := command ('|' command)* ; command := function operand* | operand
function parsePipeline(text, where) {
  const tokens = tokenizeExpression(text, where);
  let pos = 0;
  const pipeline = () => {
    const commands = [command()];
    while (pos < tokens.length && tokens[pos].kind === '|') {
      pos++;
      commands.push(command());
    }
    return { kind: 'pipeline', commands };
  };
  const operand = () => {
    const t = tokens[pos];
    if (!t) throw new RenderError(`${where}: expression ends early in {{ ${text} }}`);
    if (t.kind === '(') {
      pos++;
      const inner = pipeline();
      if (!tokens[pos] || tokens[pos].kind !== ')') throw new RenderError(`${where}: missing ")" in {{ ${text} }}`);
      pos++;
      return inner;
    }
    if (t.kind === 'literal' || t.kind === 'field') { pos++; return t; }
    throw new RenderError(`${where}: unexpected "${t.kind === 'function' ? t.name : t.kind}" in {{ ${text} }}`);
  };
  const command = () => {
    const t = tokens[pos];
    if (t && t.kind === 'function') {
      pos++;
      const args = [];
      while (pos < tokens.length && tokens[pos].kind !== '|' && tokens[pos].kind !== ')') args.push(operand());
      return { kind: 'call', name: t.name, args };
    }
    return operand();
  };
  const result = pipeline();
  if (pos !== tokens.length) throw new RenderError(`${where}: unexpected "${tokens[pos].kind}" in {{ ${text} }}`);
  return result;
}

// ---------------------------------------------------------------- structure

// Builds the tree of text/output/if/range nodes; `define` blocks go to `defines`.
function parseTemplate(tokens, file, defines) {
  let pos = 0;
  // Parses nodes until one of `stops` (e.g. "end", "else"); returns [nodes, stopToken].
  const block = (stops) => {
    const nodes = [];
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if (t.type === 'text') { nodes.push({ kind: 'text', value: t.value }); continue; }
      const body = t.body;
      if (body.startsWith('/*')) {
        if (!body.endsWith('*/')) throw new RenderError(`${t.where}: unterminated comment`);
        continue;
      }
      const keyword = /^[a-z]+(?=\s|$)/.exec(body)?.[0] ?? '';
      const rest = body.slice(keyword.length).trim();
      if (keyword === 'end' || keyword === 'else') {
        if (!stops.includes(keyword)) throw new RenderError(`${t.where}: "{{ ${body} }}" without an open block`);
        return [nodes, { keyword, rest, where: t.where }];
      }
      if (keyword === 'if') {
        const branches = [{ cond: parsePipeline(rest, t.where), body: null }];
        let elseBody = [];
        for (;;) {
          const [inner, stop] = block(['end', 'else']);
          branches[branches.length - 1].body = inner;
          if (stop.keyword === 'end') break;
          if (stop.rest.startsWith('if ')) {
            branches.push({ cond: parsePipeline(stop.rest.slice(3), stop.where), body: null });
            continue;
          }
          if (stop.rest) throw new RenderError(`${stop.where}: unsupported "else ${stop.rest}"`);
          const [tail] = block(['end']);
          elseBody = tail;
          break;
        }
        nodes.push({ kind: 'if', branches, elseBody, where: t.where });
      } else if (keyword === 'range') {
        if (/[$].*:=/.test(rest)) throw new RenderError(`${t.where}: range with variables is outside this renderer's subset`);
        const [inner, stop] = block(['end', 'else']);
        if (stop.keyword === 'else') throw new RenderError(`${stop.where}: range ... else is outside this renderer's subset`);
        nodes.push({ kind: 'range', over: parsePipeline(rest, t.where), body: inner, where: t.where });
      } else if (keyword === 'define') {
        if (stops.length) throw new RenderError(`${t.where}: define inside a block`);
        const name = /^"([^"]+)"$/.exec(rest)?.[1];
        if (!name) throw new RenderError(`${t.where}: define needs one quoted name`);
        if (defines.has(name)) throw new RenderError(`${t.where}: template "${name}" defined twice`);
        const [inner] = block(['end']);
        defines.set(name, { nodes: inner, where: t.where });
      } else if (['with', 'template', 'block', 'break', 'continue'].includes(keyword)) {
        throw new RenderError(`${t.where}: "{{ ${keyword} }}" is outside this renderer's subset`);
      } else {
        nodes.push({ kind: 'output', pipeline: parsePipeline(body, t.where), where: t.where });
      }
    }
    if (stops.length) throw new RenderError(`${file}: a block is not closed with {{ end }}`);
    return [nodes, null];
  };
  return block([])[0];
}

// ---------------------------------------------------------------- evaluation

// Go template truth: false, 0, nil, "" and empty lists/maps are false.
function truthy(v) {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

// How Go's %v would print a value; refuses what Helm would print differently or as garbage.
function printValue(v, where) {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    // Helm reads every number as float64, which Go prints as 1e+06 from a million up.
    if (Math.abs(v) >= 1e6) throw new RenderError(`${where}: ${v} would render as Go's float form (1e+06 style): quote it in values`);
    return String(v);
  }
  if (v === undefined || v === null) throw new RenderError(`${where}: renders a missing value (a typo in a .Values path?)`);
  throw new RenderError(`${where}: renders a ${Array.isArray(v) ? 'list' : 'map'} as text: use toYaml`);
}

function toYaml(v) {
  if (v === undefined || v === null) return 'null';
  // Like Helm (sigs.k8s.io/yaml): sorted keys, list items not indented under their key.
  return YAML.stringify(v, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(/\n$/, '');
}

function indentLines(n, text) {
  const pad = ' '.repeat(n);
  return pad + text.split('\n').join('\n' + pad);
}

class Renderer {
  constructor(defines) { this.defines = defines; this.depth = 0; }

  render(nodes, dot, root) {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.value;
      else if (node.kind === 'output') out += printValue(this.evalPipeline(node.pipeline, dot, root, node.where), node.where);
      else if (node.kind === 'if') {
        const branch = node.branches.find((b) => truthy(this.evalPipeline(b.cond, dot, root, node.where)));
        out += this.render(branch ? branch.body : node.elseBody, dot, root);
      } else if (node.kind === 'range') {
        const over = this.evalPipeline(node.over, dot, root, node.where);
        if (over === undefined || over === null) continue;
        if (Array.isArray(over)) for (const item of over) out += this.render(node.body, item, root);
        else if (typeof over === 'object') for (const key of Object.keys(over).sort()) out += this.render(node.body, over[key], root);
        else throw new RenderError(`${node.where}: range over a ${typeof over}`);
      }
    }
    return out;
  }

  evalPipeline(pipeline, dot, root, where) {
    let value;
    pipeline.commands.forEach((cmd, i) => {
      if (cmd.kind === 'call') {
        const args = cmd.args.map((a) => this.evalOperand(a, dot, root, where));
        if (i > 0) args.push(value);
        value = this.call(cmd.name, args, dot, root, where);
      } else {
        if (i > 0) throw new RenderError(`${where}: only a function can follow "|"`);
        value = this.evalOperand(cmd, dot, root, where);
      }
    });
    return value;
  }

  evalOperand(op, dot, root, where) {
    if (op.kind === 'literal') return op.value;
    if (op.kind === 'pipeline') return this.evalPipeline(op, dot, root, where);
    let v = op.root === 'root' ? root : dot;
    const walked = [];
    for (const key of op.path) {
      if (v === undefined || v === null) {
        throw new RenderError(`${where}: nil pointer evaluating .${walked.join('.')}.${key}`);
      }
      if (typeof v !== 'object' || Array.isArray(v)) throw new RenderError(`${where}: .${walked.join('.')} is not a map, cannot read .${key}`);
      if (v[STRICT] && !(key in v)) throw new RenderError(`${where}: .${walked.join('.')} has no field ${key}`);
      v = v[key];
      walked.push(key);
    }
    return v;
  }

  call(name, args, dot, root, where) {
    const arity = (n) => {
      if (args.length !== n) throw new RenderError(`${where}: ${name} takes ${n} argument(s), got ${args.length}`);
    };
    switch (name) {
      case 'include': {
        arity(2);
        const def = this.defines.get(args[0]);
        if (!def) throw new RenderError(`${where}: include of undefined template "${args[0]}"`);
        if (++this.depth > 50) throw new RenderError(`${where}: include nests too deep`);
        const text = this.render(def.nodes, args[1], root);
        this.depth--;
        return text;
      }
      case 'toYaml': arity(1); return toYaml(args[0]);
      case 'nindent':
      case 'indent': {
        arity(2);
        if (!Number.isInteger(args[0])) throw new RenderError(`${where}: ${name} needs a whole number first`);
        const text = indentLines(args[0], printValue(args[1], where));
        return name === 'nindent' ? '\n' + text : text;
      }
      case 'quote': arity(1); return JSON.stringify(printValue(args[0], where));
      case 'default': arity(2); return truthy(args[1]) ? args[1] : args[0];
      default: throw new RenderError(`${where}: function "${name}" is outside this renderer's subset`);
    }
  }
}

// Objects whose unknown fields are errors (Go templates fail on a missing struct field).
const STRICT = Symbol('strict');
const strict = (o) => Object.assign(o, { [STRICT]: true });

// ---------------------------------------------------------------- values

const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Helm's coalescing: maps merge key by key, anything else replaces, null removes the key.
function mergeValues(base, override) {
  const out = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = mergeValues(out[key], value);
    else out[key] = value;
  }
  return out;
}

function readYamlFile(file) {
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length) throw new RenderError(`${file}: ${doc.errors[0].message}`);
  return doc.toJS() ?? {};
}

// ---------------------------------------------------------------- chart

function renderChart(chartDir, { valueFiles = [], releaseName = 'zerotrace', namespace = 'zerotrace' } = {}) {
  const chart = readYamlFile(path.join(chartDir, 'Chart.yaml'));
  for (const key of ['apiVersion', 'name', 'version']) {
    if (!chart[key]) throw new RenderError(`${chartDir}/Chart.yaml: no ${key}`);
  }
  if (chart.apiVersion !== 'v2') throw new RenderError(`${chartDir}/Chart.yaml: apiVersion must be v2`);
  let values = readYamlFile(path.join(chartDir, 'values.yaml'));
  for (const file of valueFiles) values = mergeValues(values, readYamlFile(file));

  const root = strict({
    Values: values,
    Chart: strict({ Name: chart.name, Version: chart.version, AppVersion: chart.appVersion ?? '' }),
    Release: strict({ Name: releaseName, Namespace: namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 }),
    Capabilities: strict({}),
    Template: strict({}),
  });

  const templatesDir = path.join(chartDir, 'templates');
  const files = fs.readdirSync(templatesDir).sort();
  const defines = new Map();
  const parsed = [];
  let notes = null;
  for (const name of files) {
    const file = path.join(templatesDir, name);
    if (fs.statSync(file).isDirectory()) throw new RenderError(`${file}: template subfolders are outside this renderer's subset`);
    const rel = `${chart.name}/templates/${name}`;
    const nodes = parseTemplate(lex(fs.readFileSync(file, 'utf8'), rel), rel, defines);
    if (name.startsWith('_')) {
      if (nodes.some((n) => n.kind !== 'text' || n.value.trim() !== '')) {
        throw new RenderError(`${rel}: a partial may only hold define blocks`);
      }
    } else if (name === 'NOTES.txt') notes = nodes;
    else if (/\.ya?ml$/.test(name)) parsed.push({ rel, nodes });
    else throw new RenderError(`${rel}: not a .yaml template, a _partial or NOTES.txt`);
  }

  const renderer = new Renderer(defines);
  const documents = [];
  for (const { rel, nodes } of parsed) {
    const text = renderer.render(nodes, root, root);
    // Like Helm: documents split on "---" lines, whitespace-only ones dropped.
    for (const doc of text.split(/^---\s*$/m)) {
      if (doc.trim() === '') continue;
      documents.push({ source: rel, text: doc.replace(/^\n+/, '').replace(/\s*$/, '\n') });
    }
  }
  return {
    manifest: documents.map((d) => `---\n# Source: ${d.source}\n${d.text}`).join(''),
    notes: notes ? renderer.render(notes, root, root) : '',
    values,
  };
}

// ---------------------------------------------------------------- command line

function main(argv) {
  const opts = { valueFiles: [] };
  let chartDir = null, out = null, notesOut = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new RenderError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '-f' || a === '--values') opts.valueFiles.push(next());
    else if (a === '--release') opts.releaseName = next();
    else if (a === '--namespace') opts.namespace = next();
    else if (a === '-o') out = next();
    else if (a === '--notes') notesOut = next();
    else if (!a.startsWith('-') && !chartDir) chartDir = a;
    else throw new RenderError(`unknown argument ${a}`);
  }
  if (!chartDir) throw new RenderError('usage: render_chart.js CHART_DIR [-f VALUES]... [--release NAME] [--namespace NS] [-o OUT] [--notes FILE]');
  const result = renderChart(chartDir, opts);
  if (out) fs.writeFileSync(out, result.manifest);
  else process.stdout.write(result.manifest);
  if (notesOut) fs.writeFileSync(notesOut, result.notes);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof RenderError)) throw e;
    console.error(`render_chart: ${e.message}`);
    process.exit(1);
  }
}

module.exports = { renderChart, RenderError, mergeValues, toYaml };
