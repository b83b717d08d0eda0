import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

const BASE = 'deploy/kubernetes/base';

/** The Kubernetes models (JSON-schema validation, Kubernetes 1.27) of every kind the base may hold. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
};

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * What `kustomize build` makes of this base: its resources with the common labels and the image override. Any
 * other Kustomize feature in the file fails here, so this rendering cannot silently drift from kustomize's.
 */
function render(): K8sObject[] {
  const kustomization = parseAllDocuments(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8'))[0].toJS() as {
    resources: string[];
    labels?: { pairs: Record<string, string> }[];
    images?: { name: string; newName?: string; newTag?: string }[];
    [other: string]: unknown;
  };
  const unsupported = Object.keys(kustomization).filter((k) => !['apiVersion', 'kind', 'resources', 'labels', 'images'].includes(k));
  expect(unsupported).toEqual([]);
  const labels = Object.assign({}, ...(kustomization.labels ?? []).map((l) => l.pairs)) as Record<string, string>;
  const images = new Map((kustomization.images ?? []).map((i) => [i.name, `${i.newName ?? i.name}${i.newTag ? `:${i.newTag}` : ''}`]));
  const objects: K8sObject[] = [];
  for (const file of kustomization.resources) {
    for (const doc of parseAllDocuments(readFileSync(join(BASE, file), 'utf8'))) {
      expect(doc.errors).toEqual([]);
      const object = doc.toJS() as K8sObject | null;
      if (!object) continue;
      object.metadata.labels = { ...object.metadata.labels, ...labels };
      for (const container of podSpec(object)?.containers ?? []) container.image = images.get(container.image) ?? container.image;
      objects.push(object);
    }
  }
  return objects;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function podSpec(object: K8sObject): Record<string, any> | undefined {
  return object.spec?.template?.spec;
}

describe('the Kubernetes base (deploy/kubernetes/base)', () => {
  const objects = render();
  const named = (kind: string) => objects.filter((o) => o.kind === kind);

  it('renders to objects that each validate against the Kubernetes schema', () => {
    expect(objects.length).toBeGreaterThanOrEqual(12);
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(object as never).validate()).not.toThrow();
      expect(object.metadata.labels?.['app.kubernetes.io/part-of']).toBe('wecom-isv');
    }
  });

  it('runs each of the three apps with probes on its health routes, resources, the secret and a disruption budget', () => {
    const deployments = named('Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['wecom-isv-auth', 'wecom-isv-callback', 'wecom-isv-worker']);
    for (const d of deployments) {
      const spec = podSpec(d)!;
      const [container] = spec.containers;
      expect(container.image).toBe('ghcr.io/example/wecom-isv:latest');
      expect(existsSync(container.command[1])).toBe(true); // the built entry point the image runs
      const portNames = container.ports.map((p: { name: string }) => p.name);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(portNames).toContain('http');
      expect(container.resources.requests.cpu).toBeDefined();
      expect(container.resources.requests.memory).toBeDefined();
      expect(container.envFrom).toContainEqual({ secretRef: { name: 'wecom-isv' } });
      // The drain: SIGTERM lets running work finish; the grace period must outlast a WeCom one-time-code call (30 s).
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
      const pdb = named('PodDisruptionBudget').find((p) => p.spec!.selector.matchLabels['app.kubernetes.io/name'] === d.spec!.selector.matchLabels['app.kubernetes.io/name']);
      expect(pdb).toBeDefined();
      expect(d.spec!.template.metadata.labels).toMatchObject(d.spec!.selector.matchLabels);
    }
  });

  it('scales the stateless apps on CPU, and runs migrations as a Job (prisma/migrate.js prefers DIRECT_DATABASE_URL)', () => {
    const scaled = named('HorizontalPodAutoscaler').map((h) => [h.spec!.scaleTargetRef.name, h.spec!.metrics[0].resource.name]);
    expect(scaled.sort()).toEqual([
      ['wecom-isv-auth', 'cpu'],
      ['wecom-isv-callback', 'cpu'],
    ]);
    const [job] = named('Job');
    const container = podSpec(job)!.containers[0];
    expect(container.command).toEqual(['node', 'prisma/migrate.js']);
    expect(existsSync('prisma/migrate.js')).toBe(true);
  });
});
