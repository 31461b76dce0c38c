#!/usr/bin/env node
// Checks zerotrace's Kubernetes objects without a cluster: the plain manifest and renders of the
// Helm chart. Every object is validated against the Kubernetes API schemas (kubernetes-models),
// checked for fields the API does not know, then against what zerotrace needs (hostPID, probes on
// the telemetry port, pods-only read RBAC, ...) and against the values the chart was rendered
// with. One line per check; exit status 1 when any check fails.
//
// Usage: [ZT_AGENT_BINARY=zerotrace] validate.js MANIFEST CHART_DIR DEFAULT_RENDER [VALUES_FILE=RENDER]...
//   MANIFEST        deploy/kubernetes/zerotrace.yaml
//   DEFAULT_RENDER  the chart rendered with its own values (release and namespace "zerotrace")
//   VALUES_FILE=RENDER  the chart rendered with -f VALUES_FILE (same release and namespace)
'use strict';

const fs = require('fs');
const path = require('path');
const os = require('os');
const util = require('util');
const { spawnSync } = require('child_process');
const YAML = require('yaml');
const { unknownFields } = require('./known_fields');
const { mergeValues } = require('./render_chart');

const RELEASE = 'zerotrace';
const NAMESPACE = 'zerotrace';
const repoRoot = path.resolve(__dirname, '../..');

// ---------------------------------------------------------------- reporting

let failures = 0, total = 0;
function check(label, description, fn) {
  total++;
  let problem;
  try {
    problem = fn();
  } catch (e) {
    problem = `threw: ${e.message}`;
  }
  if (problem) {
    failures++;
    console.log(`FAIL ${label}: ${description}: ${problem}`);
  } else {
    console.log(`ok   ${label}: ${description}`);
  }
}
const equal = (a, b) => util.isDeepStrictEqual(a, b);
const show = (v) => JSON.stringify(v);
const expectEqual = (what, got, want) => (equal(got, want) ? null : `${what} is ${show(got)}, want ${show(want)}`);

// ---------------------------------------------------------------- helpers

function readDocuments(file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
  const objects = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value !== null) objects.push(value);
  }
  return objects;
}

function modelClass(object) {
  const { apiVersion, kind } = object;
  let mod;
  try {
    mod = require(`kubernetes-models/${apiVersion}/${kind}`);
  } catch {
    return null;
  }
  return mod[kind] ?? null;
}

// Kubernetes quantities ("100m", "64Mi", "1") as numbers, to compare requests and limits.
function quantity(q) {
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(q));
  if (!m) throw new Error(`not a quantity: ${q}`);
  const scale = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
}

const LINUX_CAPABILITIES = new Set([
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID',
  'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW',
  'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT',
  'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD',
  'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG',
  'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
]);

// Keys the agent's config file may hold: those named in the documented example, commented or
// not. Values under free-form maps (attribute names, HTTP headers) are not keys.
const exampleConfig = fs.readFileSync(path.join(repoRoot, 'deploy/config/zerotrace.yaml'), 'utf8');
const KNOWN_CONFIG_KEYS = new Set([...exampleConfig.matchAll(/^[\s#]*([a-z_]+):/gm)].map((m) => m[1]));
const FREE_FORM_CONFIG_MAPS = new Set(['resource_attributes', 'headers']);
function unknownConfigKeys(value, where = '') {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out = [];
  for (const [k, v] of Object.entries(value)) {
    if (!KNOWN_CONFIG_KEYS.has(k)) out.push(`${where}${k}`);
    else if (!FREE_FORM_CONFIG_MAPS.has(k)) out.push(...unknownConfigKeys(v, `${where}${k}.`));
  }
  return out;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
const HOST_PATHS_READ_WRITE = new Set(['/sys/fs/bpf']);

// ---------------------------------------------------------------- checks of one object set

// `expect` holds the chart values the set should reflect, plus the set's own requirements.
function checkSet(label, objects, expect) {
  const v = expect.values;
  const saName = v.serviceAccount.create
    ? v.serviceAccount.name || expect.fullname
    : v.serviceAccount.name || 'default';
  const find = (kind) => objects.filter((o) => o.kind === kind);

  check(label, 'every document is an object with apiVersion, kind and metadata.name', () => {
    const bad = objects.filter((o) => typeof o !== 'object' || !o.apiVersion || !o.kind || !o.metadata?.name);
    return bad.length ? `${bad.length} incomplete: ${show(bad.map((o) => o?.kind ?? o))}` : null;
  });
  for (const object of objects) {
    const name = `${object.kind}/${object.metadata?.name}`;
    check(label, `${name} passes the Kubernetes schema`, () => {
      const Model = modelClass(object);
      if (!Model) return `no kubernetes-models class for ${object.apiVersion} ${object.kind}`;
      new Model(object).validate();
      return null;
    });
    check(label, `${name} has no field unknown to the API`, () => {
      const unknown = unknownFields(object);
      return unknown.length ? unknown.join('; ') : null;
    });
  }

  check(label, 'names are DNS-1123, labels and annotations keys/values are valid', () => {
    const bad = [];
    const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
    const key = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
    const walk = (meta, where) => {
      for (const [k, val] of Object.entries(meta?.labels ?? {})) {
        if (!key.test(k)) bad.push(`${where} label key ${k}`);
        if (typeof val !== 'string' || val.length > 63 || !labelValue.test(val)) bad.push(`${where} label ${k}=${show(val)}`);
      }
      for (const [k, val] of Object.entries(meta?.annotations ?? {})) {
        if (!key.test(k)) bad.push(`${where} annotation key ${k}`);
        if (typeof val !== 'string') bad.push(`${where} annotation ${k} is not a string`);
      }
    };
    for (const o of objects) {
      const name = o.metadata?.name ?? '';
      if (name.length > 253 || !subdomain.test(name)) bad.push(`${o.kind} name ${show(name)}`);
      walk(o.metadata, `${o.kind}/${name}`);
      if (o.kind === 'DaemonSet') walk(o.spec?.template?.metadata, 'pod template');
    }
    return bad.length ? bad.join('; ') : null;
  });

  check(label, 'holds exactly the expected kinds of objects', () => {
    const want = ['ConfigMap', 'DaemonSet'];
    if (expect.withNamespace) want.push('Namespace');
    if (v.serviceAccount.create) want.push('ServiceAccount');
    if (v.rbac.create) want.push('ClusterRole', 'ClusterRoleBinding');
    return expectEqual('kinds', objects.map((o) => o.kind).sort(), want.sort());
  });
  check(label, 'namespaced objects are in the release namespace, cluster-scoped ones in none', () => {
    const bad = objects.filter((o) => (CLUSTER_SCOPED.has(o.kind) ? o.metadata.namespace !== undefined : o.metadata.namespace !== NAMESPACE));
    return bad.length ? `misplaced: ${bad.map((o) => `${o.kind}/${o.metadata.name}=${o.metadata.namespace}`).join(', ')}` : null;
  });
  if (expect.withNamespace) {
    check(label, 'the Namespace admits privileged pods (Pod Security Admission)', () => {
      const ns = find('Namespace')[0];
      return expectEqual(`${ns.metadata.name} enforce label`, ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'privileged')
        ?? expectEqual('Namespace name', ns.metadata.name, NAMESPACE);
    });
  }

  const ds = find('DaemonSet')[0];
  if (!ds) return; // the kinds check failed already
  const pod = ds.spec.template.spec;
  const container = pod.containers?.[0] ?? {};
  const args = container.args ?? [];
  const env = container.env ?? [];
  const envValue = (name) => env.find((e) => e.name === name);
  const mounts = container.volumeMounts ?? [];
  const volumes = pod.volumes ?? [];
  const sc = container.securityContext ?? {};

  check(label, 'DaemonSet uses the host PID namespace (hostPID), not the host network', () =>
    (pod.hostPID !== true ? `hostPID is ${show(pod.hostPID)}` : pod.hostNetwork ? 'hostNetwork is set' : null));
  check(label, 'rules the API enforces beyond the schema: update strategy, env sources, seccomp, port names', () => {
    const us = ds.spec.updateStrategy ?? {};
    if (us.rollingUpdate && us.type !== 'RollingUpdate') return `updateStrategy ${us.type} with rollingUpdate (set rollingUpdate: null)`;
    const both = env.filter((e) => (e.value !== undefined) === (e.valueFrom !== undefined) && e.valueFrom !== undefined);
    if (both.length) return `env with both value and valueFrom: ${both.map((e) => e.name).join(', ')}`;
    const sp = sc.seccompProfile;
    if (sp && (sp.type === 'Localhost') !== (sp.localhostProfile !== undefined)) return `seccompProfile ${show(sp)}: localhostProfile goes with type Localhost only`;
    const badPorts = (container.ports ?? []).filter((p) => p.name && !/^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(p.name));
    return badPorts.length ? `port names not IANA_SVC_NAME: ${show(badPorts.map((p) => p.name))}` : null;
  });
  check(label, 'DaemonSet selector matches its pod labels', () => {
    const sel = ds.spec.selector?.matchLabels ?? {};
    const labels = ds.spec.template.metadata?.labels ?? {};
    if (!Object.keys(sel).length) return 'empty selector';
    const off = Object.entries(sel).filter(([k, val]) => labels[k] !== val);
    return off.length ? `pod labels lack ${show(Object.fromEntries(off))}` : null;
  });
  check(label, 'one container, running the expected image', () =>
    (pod.containers.length !== 1 ? `${pod.containers.length} containers` : null)
    ?? expectEqual('image', container.image, expect.image)
    ?? expectEqual('imagePullPolicy', container.imagePullPolicy, v.image.pullPolicy));

  // Telemetry: the flag's port, the container port and both probes must agree.
  check(label, `telemetry server listens on all interfaces at port ${v.telemetry.port}, probes use it`, () => {
    const flags = args.filter((a) => a.startsWith('--telemetry-address'));
    if (flags.length !== 1) return `want one --telemetry-address=HOST:PORT arg, got ${show(flags)}`;
    const m = /^--telemetry-address=(0\.0\.0\.0|\[::\]):(\d+)$/.exec(flags[0]);
    if (!m) return `${flags[0]} does not listen on all interfaces (kubelet probes the pod IP)`;
    const port = Number(m[2]);
    if (port !== v.telemetry.port) return `flag port ${port}, values say ${v.telemetry.port}`;
    const resolve = (p) => (typeof p === 'number' ? p : (container.ports ?? []).find((cp) => cp.name === p)?.containerPort);
    if (!(container.ports ?? []).some((cp) => cp.containerPort === port)) return `no containerPort ${port}`;
    for (const [probe, wantPath] of [['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']]) {
      const get = container[probe]?.httpGet;
      if (!get) return `${probe} is not an httpGet probe`;
      if (get.path !== wantPath) return `${probe} path ${get.path}, want ${wantPath}`;
      if (resolve(get.port) !== port) return `${probe} port ${show(get.port)} resolves to ${resolve(get.port)}, not ${port}`;
    }
    return null;
  });

  check(label, '--config points at the ConfigMap mounted in the pod', () => {
    const flag = args.find((a) => a.startsWith('--config='));
    if (!flag) return 'no --config=FILE arg';
    const file = flag.slice('--config='.length);
    const mount = mounts.find((m) => path.dirname(file) === m.mountPath);
    if (!mount) return `nothing mounted at ${path.dirname(file)}`;
    const cmName = volumes.find((vol) => vol.name === mount.name)?.configMap?.name;
    const cm = find('ConfigMap').find((c) => c.metadata.name === cmName);
    if (!cm) return `volume ${mount.name} is not a ConfigMap of this set (${cmName})`;
    return cm.data?.[path.basename(file)] === undefined ? `ConfigMap ${cmName} has no key ${path.basename(file)}` : null;
  });

  check(label, 'environment: node name, OTLP endpoint and protocol from the values, $(VARS) defined before use', () => {
    const names = env.map((e) => e.name);
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    if (dup.length) return `duplicate env ${show(dup)}`;
    if (envValue('NODE_NAME')?.valueFrom?.fieldRef?.fieldPath !== 'spec.nodeName') return 'NODE_NAME is not the downward API spec.nodeName';
    for (const [i, e] of env.entries()) {
      for (const ref of (e.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
        // Kubernetes expands $(VAR) only for variables defined earlier in the list.
        if (!names.slice(0, i).includes(ref[1])) return `${e.name} uses $(${ref[1]}) which is not defined before it`;
      }
    }
    const endpoint = envValue('OTEL_EXPORTER_OTLP_ENDPOINT')?.value;
    if (endpoint !== v.otlp.endpoint) return `endpoint ${show(endpoint)}, want ${show(v.otlp.endpoint)}`;
    if (endpoint.includes('$(NODE_IP)') && envValue('NODE_IP')?.valueFrom?.fieldRef?.fieldPath !== 'status.hostIP') {
      return 'the endpoint uses $(NODE_IP) but NODE_IP is not status.hostIP';
    }
    const url = new URL(endpoint.replace(/\$\([A-Z_]+\)/g, '10.0.0.1'));
    if (!['http:', 'https:'].includes(url.protocol)) return `endpoint scheme ${url.protocol}`;
    const protocol = envValue('OTEL_EXPORTER_OTLP_PROTOCOL')?.value;
    if (!['http/protobuf', 'http/json', 'grpc'].includes(protocol)) return `protocol ${show(protocol)} unknown to the agent`;
    if (protocol !== v.otlp.protocol) return `protocol ${protocol}, want ${v.otlp.protocol}`;
    for (const extra of v.extraEnv ?? []) {
      if (!env.some((e) => equal(e, extra))) return `extraEnv ${show(extra)} missing`;
    }
    return null;
  });

  check(label, v.privileged ? 'privileged container as asked' : `capabilities are exactly ${v.capabilities.join(',')}, all else dropped`, () => {
    if (sc.readOnlyRootFilesystem !== true) return 'root filesystem is writable';
    if (v.privileged) {
      if (sc.privileged !== true) return `privileged is ${show(sc.privileged)}`;
      // The API rejects this pair: privileged implies privilege escalation.
      return sc.allowPrivilegeEscalation === false ? 'allowPrivilegeEscalation: false with privileged: true' : null;
    }
    if (sc.privileged === true) return 'privileged although values say false';
    if (sc.allowPrivilegeEscalation !== false) return 'allowPrivilegeEscalation is not false';
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) return 'does not drop ALL';
    const add = sc.capabilities?.add ?? [];
    const unknown = add.filter((c) => !LINUX_CAPABILITIES.has(c));
    if (unknown.length) return `not capability names (without CAP_): ${show(unknown)}`;
    // Injection's sockops/sk_msg programs and SOCKHASH need NET_ADMIN, and only they do.
    const wanted = [...v.capabilities, ...(v.injectTraceparent ? ['NET_ADMIN'] : [])];
    return expectEqual('capabilities.add', [...add].sort(), [...new Set(wanted)].sort())
      ?? expectEqual('seccompProfile', sc.seccompProfile, v.seccompProfile);
  });

  check(label, 'host mounts: tracefs, bpffs, BTF, cgroup at their host paths; read-only but bpffs; no / or /proc', () => {
    const names = new Set(volumes.map((vol) => vol.name));
    const dangling = mounts.filter((m) => !names.has(m.name)).map((m) => m.name);
    if (dangling.length) return `mounts of undefined volumes ${show(dangling)}`;
    const unused = volumes.filter((vol) => !mounts.some((m) => m.name === vol.name)).map((vol) => vol.name);
    if (unused.length) return `volumes never mounted ${show(unused)}`;
    const hostMounts = new Map();
    for (const m of mounts) {
      const hostPath = volumes.find((vol) => vol.name === m.name).hostPath?.path;
      if (!hostPath) continue;
      if (['/', '/proc'].includes(hostPath.replace(/\/+$/, '') || '/')) return `mounts host ${hostPath}: use hostPID instead`;
      // The agent looks for these at fixed paths.
      if (m.mountPath !== hostPath) return `host ${hostPath} mounted at ${m.mountPath}`;
      const readOnly = m.readOnly === true;
      if (readOnly === HOST_PATHS_READ_WRITE.has(hostPath)) return `${hostPath} readOnly is ${readOnly}`;
      hostMounts.set(hostPath, m);
    }
    const missing = ['/sys/fs/bpf', '/sys/kernel/btf/vmlinux', '/sys/fs/cgroup'].filter((p) => !hostMounts.has(p));
    if (!hostMounts.has('/sys/kernel/tracing') && !hostMounts.has('/sys/kernel/debug')) missing.push('tracefs');
    return missing.length ? `missing ${show(missing)}` : null;
  });

  check(label, 'resources as in the values; memory limit at least the request', () => {
    const r = container.resources ?? {};
    if (!r.requests?.cpu || !r.requests?.memory || !r.limits?.memory) return `want cpu+memory requests and a memory limit, got ${show(r)}`;
    if (quantity(r.limits.memory) < quantity(r.requests.memory)) return 'memory limit below request';
    return expectEqual('resources', r, v.resources);
  });

  check(label, 'scheduling: tolerations, nodeSelector, affinity, priority class as in the values', () =>
    expectEqual('tolerations', pod.tolerations ?? [], v.tolerations)
    ?? expectEqual('nodeSelector', pod.nodeSelector ?? {}, v.nodeSelector)
    ?? expectEqual('affinity', pod.affinity ?? {}, v.affinity)
    ?? expectEqual('priorityClassName', pod.priorityClassName ?? '', v.priorityClassName)
    ?? expectEqual('terminationGracePeriodSeconds', pod.terminationGracePeriodSeconds, v.terminationGracePeriodSeconds)
    ?? expectEqual('updateStrategy', ds.spec.updateStrategy, v.updateStrategy)
    ?? expectEqual('imagePullSecrets', pod.imagePullSecrets ?? [], v.imagePullSecrets));
  if (expect.everyNode) {
    check(label, 'tolerates every taint (a toleration with operator Exists and no key), so it runs on every node', () =>
      ((pod.tolerations ?? []).some((t) => t.operator === 'Exists' && !t.key && !t.effect) ? null : `tolerations ${show(pod.tolerations)}`));
    check(label, 'priority class system-node-critical', () => expectEqual('priorityClassName', pod.priorityClassName, 'system-node-critical'));
  }
  check(label, 'pod labels and annotations include the values\'', () => {
    const meta = ds.spec.template.metadata ?? {};
    for (const [k, val] of Object.entries(v.podLabels ?? {})) if (meta.labels?.[k] !== val) return `label ${k} missing`;
    for (const [k, val] of Object.entries(v.podAnnotations ?? {})) if (meta.annotations?.[k] !== val) return `annotation ${k} missing`;
    return null;
  });

  check(label, `runs as service account ${saName}, which exists when the chart creates it`, () => {
    if (pod.serviceAccountName !== saName) return `serviceAccountName ${pod.serviceAccountName}`;
    if (!v.serviceAccount.create) return null;
    const sa = find('ServiceAccount')[0];
    return expectEqual('ServiceAccount name', sa?.metadata.name, saName)
      ?? expectEqual('ServiceAccount annotations', sa?.metadata.annotations ?? {}, v.serviceAccount.annotations ?? {});
  });

  const cm = find('ConfigMap')[0];
  check(label, 'agent config file parses, uses only keys the agent knows, and carries the values', () => {
    const doc = YAML.parseDocument(cm.data?.['zerotrace.yaml'] ?? '', { uniqueKeys: true });
    if (doc.errors.length) return doc.errors[0].message;
    const config = doc.toJS() ?? {};
    const unknown = unknownConfigKeys(config);
    if (unknown.length) return `keys not in deploy/config/zerotrace.yaml: ${unknown.join(', ')}`;
    if (config.output !== v.output) return `output ${show(config.output)}, want ${show(v.output)}`;
    if (config.inject_traceparent !== v.injectTraceparent) return `inject_traceparent ${show(config.inject_traceparent)}, want ${v.injectTraceparent}`;
    for (const [k, val] of Object.entries(v.config ?? {})) {
      if (!equal(config[k], val)) return `${k} is ${show(config[k])}, want ${show(val)}`;
    }
    return null;
  });

  if (v.rbac.create) {
    check(label, 'ClusterRole grants only get/list/watch on pods', () => {
      const rules = find('ClusterRole')[0].rules ?? [];
      if (rules.length !== 1) return `${rules.length} rules`;
      const [r] = rules;
      return expectEqual('apiGroups', r.apiGroups, [''])
        ?? expectEqual('resources', r.resources, ['pods'])
        ?? expectEqual('verbs', [...r.verbs].sort(), ['get', 'list', 'watch'])
        ?? (r.resourceNames || r.nonResourceURLs ? 'unexpected resourceNames/nonResourceURLs' : null);
    });
    check(label, 'ClusterRoleBinding binds that role to the agent\'s service account', () => {
      const b = find('ClusterRoleBinding')[0];
      return expectEqual('roleRef', b.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: find('ClusterRole')[0].metadata.name })
        ?? expectEqual('subjects', b.subjects, [{ kind: 'ServiceAccount', name: saName, namespace: NAMESPACE }]);
    });
  }
  check(label, `objects are named ${expect.fullname}`, () => {
    const off = objects.filter((o) => !['Namespace', 'ConfigMap', 'ServiceAccount'].includes(o.kind) && o.metadata.name !== expect.fullname);
    return off.length ? off.map((o) => `${o.kind}/${o.metadata.name}`).join(', ') : null;
  });
}

// ---------------------------------------------------------------- the agent itself

// Starts the real agent the way the pod would (its args, its env, the ConfigMap's file) but with
// OTEL_SDK_DISABLED=true, so it attaches nothing and needs no privilege: a config key, value,
// flag or variable it rejects makes it exit at once with one line, which fails the check.
function checkAgentAccepts(label, objects, agent) {
  const ds = objects.find((o) => o.kind === 'DaemonSet');
  if (!ds) return;
  check(label, `${path.basename(agent)} accepts the pod's flags, OTEL_* variables and config file`, () => {
    const container = ds.spec.template.spec.containers[0];
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-deploy-agent-'));
    try {
      const args = (container.args ?? []).map((a) => {
        if (a.startsWith('--telemetry-address=')) return '--telemetry-address=off'; // no port clashes
        if (!a.startsWith('--config=')) return a;
        const file = a.slice('--config='.length);
        const mount = container.volumeMounts.find((m) => m.mountPath === path.dirname(file));
        const cmName = ds.spec.template.spec.volumes.find((vol) => vol.name === mount.name).configMap.name;
        const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cmName);
        const local = path.join(tmp, path.basename(file));
        fs.writeFileSync(local, cm.data[path.basename(file)]);
        return `--config=${local}`;
      });
      const downward = { 'spec.nodeName': 'test-node', 'status.hostIP': '127.0.0.1' };
      const env = { PATH: process.env.PATH, OTEL_SDK_DISABLED: 'true' };
      for (const e of container.env ?? []) {
        if (e.valueFrom?.fieldRef) env[e.name] = downward[e.valueFrom.fieldRef.fieldPath] ?? 'x';
        else if (e.value !== undefined) env[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n) => env[n] ?? m);
        // Secrets' contents are unknown here: left out.
      }
      const run = spawnSync(agent, args, { env, timeout: 2500, encoding: 'utf8' });
      if (run.error && run.error.code === 'ETIMEDOUT') return null; // still running: accepted
      if (run.error) return `cannot run ${agent}: ${run.error.message}`;
      return `exited with status ${run.status}: ${(run.stderr || run.stdout).trim().split('\n').pop()}`;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}

// ---------------------------------------------------------------- the Collector example

// No otelcol binary here: checks the structure a Collector would refuse at start-up (a pipeline
// naming an undefined component) and what zerotrace relies on (OTLP on 4317 and 4318).
function checkCollector(file) {
  const label = 'collector';
  let config = null;
  check(label, `${path.basename(file)} parses as YAML (no duplicate keys)`, () => {
    const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
    if (doc.errors.length) return doc.errors[0].message;
    config = doc.toJS();
    return config ? null : 'empty';
  });
  if (!config) return;
  check(label, 'every component a pipeline or the service names is defined, every defined one used', () => {
    const problems = [];
    const used = { receivers: new Set(), processors: new Set(), exporters: new Set(), extensions: new Set(config.service?.extensions ?? []) };
    const pipelines = config.service?.pipelines ?? {};
    if (!pipelines.traces) problems.push('no traces pipeline');
    for (const [name, p] of Object.entries(pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters']) {
        for (const c of p[kind] ?? []) {
          used[kind].add(c);
          if (!(config[kind] && c in config[kind])) problems.push(`pipeline ${name} uses undefined ${kind} ${c}`);
        }
      }
      if (!(p.receivers ?? []).length || !(p.exporters ?? []).length) problems.push(`pipeline ${name} lacks receivers or exporters`);
    }
    for (const c of used.extensions) if (!(config.extensions && c in config.extensions)) problems.push(`undefined extension ${c}`);
    for (const kind of Object.keys(used)) {
      for (const c of Object.keys(config[kind] ?? {})) if (!used[kind].has(c)) problems.push(`${kind} ${c} defined but unused`);
    }
    return problems.length ? problems.join('; ') : null;
  });
  check(label, 'OTLP receiver on 0.0.0.0:4317 (gRPC) and 0.0.0.0:4318 (HTTP), the ports zerotrace sends to', () =>
    expectEqual('grpc endpoint', config.receivers?.otlp?.protocols?.grpc?.endpoint, '0.0.0.0:4317')
    ?? expectEqual('http endpoint', config.receivers?.otlp?.protocols?.http?.endpoint, '0.0.0.0:4318'));
  check(label, 'traces: memory_limiter first, then batch; Jaeger reached over OTLP', () => {
    const procs = config.service?.pipelines?.traces?.processors ?? [];
    if (procs[0] !== 'memory_limiter') return `processors ${show(procs)}: memory_limiter must come first`;
    if (!procs.includes('batch')) return 'no batch processor';
    const jaeger = config.exporters?.['otlp/jaeger'];
    return expectEqual('otlp/jaeger', jaeger, { endpoint: 'jaeger-collector:4317', tls: { insecure: true } });
  });
}

// ---------------------------------------------------------------- main

function main(argv) {
  if (argv.length < 3) {
    console.error('usage: validate.js MANIFEST CHART_DIR DEFAULT_RENDER [VALUES_FILE=RENDER]...');
    process.exit(2);
  }
  const [manifestFile, chartDir, defaultRender, ...overrides] = argv;
  const chart = YAML.parse(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8'));
  const chartValues = YAML.parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));
  const expectFor = (values, extra) => ({
    values,
    fullname: values.fullnameOverride || RELEASE,
    image: `${values.image.repository}:${values.image.tag || chart.appVersion}`,
    ...extra,
  });

  // ZT_AGENT_BINARY: a built zerotrace to try the configurations on (run.sh finds one).
  const agent = process.env.ZT_AGENT_BINARY || null;
  if (!agent) console.log('skip the agent-accepts-its-configuration checks: no ZT_AGENT_BINARY (build zerotrace first)');
  const sets = [];
  const load = (label, file, expect) => {
    let objects = null;
    check(label, `${path.basename(file)} parses as YAML (no duplicate keys)`, () => {
      objects = readDocuments(file);
      return objects.length ? null : 'no objects';
    });
    if (objects) {
      checkSet(label, objects, expect);
      if (agent) checkAgentAccepts(label, objects, agent);
      sets.push({ label, objects });
    }
    return objects;
  };

  const manifest = load('manifest', manifestFile, expectFor(chartValues, { withNamespace: true, everyNode: true }));
  const rendered = load('chart(defaults)', defaultRender, expectFor(chartValues, { everyNode: true }));
  for (const pair of overrides) {
    const [valuesFile, render] = pair.split('=');
    const values = mergeValues(chartValues, YAML.parse(fs.readFileSync(valuesFile, 'utf8')));
    load(`chart(${path.basename(valuesFile)})`, render, expectFor(values, {}));
  }

  checkCollector(path.join(repoRoot, 'deploy/collector/otel-collector.yaml'));

  // The chart with its defaults must deploy what the plain manifest deploys.
  if (manifest && rendered) {
    const one = (objects, kind) => objects.find((o) => o.kind === kind);
    check('parity', 'chart defaults and manifest: same DaemonSet selector and pod spec', () => {
      const a = one(manifest, 'DaemonSet'), b = one(rendered, 'DaemonSet');
      return expectEqual('selector', b?.spec.selector, a?.spec.selector)
        ?? (equal(b?.spec.template.spec, a?.spec.template.spec) ? null
          : `pod specs differ: ${differences(a?.spec.template.spec, b?.spec.template.spec).join('; ')}`);
    });
    check('parity', 'chart defaults and manifest: same agent config, same RBAC rules', () => {
      const config = (objects) => YAML.parse(one(objects, 'ConfigMap')?.data?.['zerotrace.yaml'] ?? '');
      return expectEqual('config', config(rendered), config(manifest))
        ?? expectEqual('ClusterRole rules', one(rendered, 'ClusterRole')?.rules, one(manifest, 'ClusterRole')?.rules);
    });
  }

  console.log(`${total} checks, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}

// Paths where two values differ, for a readable parity failure.
function differences(a, b, where = '') {
  if (equal(a, b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences(a[k], b[k], `${where}.${k}`));
  }
  return [`${where || '.'}: manifest ${show(a)} vs chart ${show(b)}`];
}

main(process.argv.slice(2));
