import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { kubeRequest } from 'platform-tests';
import { serverSideApply } from './__testUtils__/serverSideApply';
import {
  DEPLOY_DIR,
  type Manifest,
  readManifestFile,
  renderKustomization,
} from './__testUtils__/readDeployManifests';

// What a platform team applies (deploy/), checked by the real apiserver: a
// server-side dry-run apply validates every field against the built-in and
// CRD schemas (strict: an unknown or misspelt field fails), defaults and
// admits it, and stores nothing. The namespaced objects go to a scratch
// namespace of the test's own.

jest.setTimeout(120_000);

const FIELD_MANAGER = 'ml-platform-deploy-test';
const scratch = `test-deploy-${randomUUID().slice(0, 8)}`;

/** The object moved to the scratch namespace, with its subjects. */
function inScratch(m: Manifest): Manifest {
  const copy = structuredClone(m) as Manifest & {
    subjects?: Array<{ namespace?: string }>;
  };
  if (copy.metadata.namespace) copy.metadata.namespace = scratch;
  for (const s of copy.subjects ?? []) {
    if (s.namespace) s.namespace = scratch;
  }
  return copy;
}

const ref = (m: Manifest) =>
  `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${
    m.metadata.name
  }`;

async function dryRunFailures(manifests: Manifest[]) {
  const failures: string[] = [];
  for (const m of manifests) {
    const res = await serverSideApply(inScratch(m), {
      dryRun: true,
      fieldManager: FIELD_MANAGER,
    });
    if (res.status !== 200 && res.status !== 201) {
      failures.push(`${ref(m)}: ${res.status} ${res.body?.message ?? ''}`);
    }
  }
  return failures;
}

const shipped = renderKustomization();
const byKind = (kind: string) => shipped.filter(m => m.kind === kind);
const one = (kind: string) => {
  const [m, ...more] = byKind(kind);
  if (!m || more.length > 0) throw new Error(`Expected one ${kind} in deploy/`);
  return m as any;
};

beforeAll(async () => {
  // With the shipped namespace's labels, so its Pod Security level applies.
  const res = await kubeRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: scratch, labels: one('Namespace').metadata.labels },
  });
  if (res.status !== 201) {
    throw new Error(`Creating ${scratch}: ${JSON.stringify(res.body)}`);
  }
});

afterAll(async () => {
  await kubeRequest('DELETE', `/api/v1/namespaces/${scratch}`);
});

describe('deploy/', () => {
  it('holds what runs the portal: the kinds a platform team applies', () => {
    expect(shipped.map(ref)).toEqual([
      'Namespace ml-platform',
      'ServiceAccount ml-platform/ml-platform-portal',
      'ConfigMap ml-platform/ml-platform-portal-config',
      'Deployment ml-platform/ml-platform-portal',
      'Service ml-platform/ml-platform-portal',
      'HTTPRoute ml-platform/ml-platform-portal',
      'PodDisruptionBudget ml-platform/ml-platform-portal',
      'ClusterRole ml-platform-catalog-reader',
      'ClusterRoleBinding ml-platform-catalog-reader',
      'ClusterRole ml-platform-kubernetes-tab-reader',
      'ClusterRoleBinding ml-platform-kubernetes-tab-reader',
      'ClusterRole ml-platform-kubernetes-tab-logs',
      'RoleBinding ml-prod/ml-platform-kubernetes-tab-logs',
      'RoleBinding ml-staging/ml-platform-kubernetes-tab-logs',
      'ClusterRole ml-platform-rollouts',
      'RoleBinding ml-prod/ml-platform-rollouts',
      'RoleBinding ml-staging/ml-platform-rollouts',
    ]);
  });

  it('passes a server-side dry-run apply on the real apiserver, object by object', async () => {
    expect(await dryRunFailures(shipped)).toEqual([]);
  });

  it('has an optional scaffolder-apply role and a Secret example that pass it too', async () => {
    const optional = renderKustomization('optional/scaffolder-apply');
    expect(optional.map(ref)).toEqual([
      'ClusterRole ml-platform-scaffolder-apply',
      'RoleBinding ml-staging/ml-platform-scaffolder-apply',
    ]);
    const secret = readManifestFile('secret.example.yaml');
    expect(await dryRunFailures([...optional, ...secret])).toEqual([]);
  });

  it("runs pods the namespace's Pod Security level admits: non-root, no privilege escalation", async () => {
    const level =
      one('Namespace').metadata.labels['pod-security.kubernetes.io/enforce'];
    expect(level).toBe('restricted');
    const template = one('Deployment').spec.template;
    // Pods are only admitted with their service account in place.
    await serverSideApply(inScratch(one('ServiceAccount')), {
      dryRun: false,
      fieldManager: FIELD_MANAGER,
    });
    const pod = (spec: object) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ml-platform-portal-pod', namespace: scratch },
      spec,
    });
    const admitted = await serverSideApply(pod(template.spec), {
      dryRun: true,
      fieldManager: FIELD_MANAGER,
    });
    expect([admitted.status, admitted.body?.message]).toEqual([201, undefined]);
    // The same pod as root is refused there, so the level is enforced.
    const asRoot = structuredClone(template.spec);
    asRoot.securityContext.runAsNonRoot = false;
    asRoot.securityContext.runAsUser = 0;
    const refused = await serverSideApply(pod(asRoot), {
      dryRun: true,
      fieldManager: FIELD_MANAGER,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/violates PodSecurity "restricted/);
  });

  it('reports a broken manifest, so the dry run is a real check', async () => {
    const misspelt = structuredClone(one('Deployment'));
    misspelt.spec.template.spec.containers[0].readinessProbe.httpGett = {};
    const invalid = structuredClone(one('Deployment'));
    invalid.spec.replicas = -1;
    const failures = await dryRunFailures([misspelt, invalid]);
    expect(failures).toEqual([
      expect.stringMatching(/httpGett: field not declared in schema/),
      expect.stringMatching(/: 422 .*spec\.replicas: Invalid value: -1/),
    ]);
  });

  it('wires the objects to each other: service account, config file, secret, ports, selectors', () => {
    const deployment = one('Deployment');
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const podLabels = deployment.spec.template.metadata.labels;

    // The ServiceAccount every binding names is the one the pods run as.
    expect(pod.serviceAccountName).toBe(one('ServiceAccount').metadata.name);
    for (const binding of [
      ...byKind('ClusterRoleBinding'),
      ...byKind('RoleBinding'),
    ] as any[]) {
      expect(binding.subjects).toEqual([
        {
          kind: 'ServiceAccount',
          name: pod.serviceAccountName,
          namespace: 'ml-platform',
        },
      ]);
      expect(byKind('ClusterRole').map(r => r.metadata.name)).toContain(
        binding.roleRef.name,
      );
    }

    // The last --config is the ConfigMap's file, where the volume mounts it.
    const configMap = one('ConfigMap');
    const volume = pod.volumes.find(
      (v: any) => v.configMap?.name === configMap.metadata.name,
    );
    const mount = container.volumeMounts.find(
      (m: any) => m.name === volume.name,
    );
    const configFiles = container.args
      .map((a: string, i: number) => container.args[i - 1] === '--config' && a)
      .filter(Boolean);
    expect(configFiles).toEqual([
      'app-config.yaml',
      'app-config.production.yaml',
      ...Object.keys(configMap.data).map(key => `${mount.mountPath}/${key}`),
    ]);
    // Each config file parses, and every ${VAR} it reads comes from the Secret.
    const secret = readManifestFile('secret.example.yaml')[0] as any;
    expect(container.envFrom).toEqual([
      { secretRef: { name: secret.metadata.name } },
    ]);
    for (const text of Object.values<string>(configMap.data)) {
      expect(yaml.parse(text)).toEqual(expect.any(Object));
      const vars = [...text.matchAll(/^[^#]*\$\{(\w+)\}/gm)].map(m => m[1]);
      expect(Object.keys(secret.stringData)).toEqual(
        expect.arrayContaining(vars),
      );
    }

    // Traffic: HTTPRoute -> Service port -> container port; PDB -> pods.
    const service = one('Service');
    const [backend] = one('HTTPRoute').spec.rules[0].backendRefs;
    expect(backend).toMatchObject({
      name: service.metadata.name,
      port: service.spec.ports[0].port,
    });
    expect(container.ports).toContainEqual(
      expect.objectContaining({
        name: service.spec.ports[0].targetPort,
        containerPort: 7007,
      }),
    );
    expect(podLabels).toMatchObject(service.spec.selector);
    expect(podLabels).toMatchObject(
      one('PodDisruptionBudget').spec.selector.matchLabels,
    );
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(one('PodDisruptionBudget').spec.minAvailable).toBe(1);
    expect(container.readinessProbe.httpGet.path).toBe(
      '/.backstage/health/v1/readiness',
    );
    expect(container.livenessProbe.httpGet.path).toBe(
      '/.backstage/health/v1/liveness',
    );
  });

  it('runs the image the workflow builds, which holds the config files it passes', () => {
    const repo = path.join(DEPLOY_DIR, '..');
    const workflow = yaml.parse(
      fs.readFileSync(path.join(repo, '.github/workflows/image.yaml'), 'utf8'),
    );
    const container = one('Deployment').spec.template.spec.containers[0];
    expect(container.image.split(':')[0]).toBe(
      `${workflow.env.REGISTRY}/${workflow.env.IMAGE_NAME}`,
    );
    const build = workflow.jobs.image.steps.find((step: any) =>
      step.uses?.startsWith('docker/build-push-action'),
    );
    expect(build.with).toMatchObject({
      context: '.',
      file: 'packages/backend/Dockerfile',
    });
    // The files the image's working directory must hold for the args.
    const dockerfile = fs.readFileSync(
      path.join(repo, build.with.file),
      'utf8',
    );
    const copied = dockerfile
      .split('\n')
      .filter(line => line.startsWith('COPY '))
      .flatMap(line => line.split(/\s+/).slice(1, -1));
    const imageFiles = container.args.filter(
      (a: string, i: number) =>
        container.args[i - 1] === '--config' && !a.startsWith('/'),
    );
    expect(imageFiles.length).toBeGreaterThan(0);
    for (const file of imageFiles) {
      expect(copied).toContain(file);
      expect(fs.existsSync(path.join(repo, file))).toBe(true);
    }
  });
});
